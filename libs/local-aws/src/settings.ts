// infra/settings.json is data shared with Terraform, not code of the infra project. It is read from
// the workspace at run time rather than imported: an import would make every project that uses
// local-aws depend on `infra`, which itself depends on the six apps (nx affected deploys infra after
// them), and the Nx module-boundary rule rightly reports that cycle.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findWorkspaceRoot } from './workspace';

/** Names of the Lambda functions that have an entry in `functions`. */
export type DofsFunctionName = 'api-handler' | 'validate-order' | 'store-order' | 'fulfill-order' | 'dlq-handler' | 'reconcile-orders';

export interface FunctionSettings {
  timeoutSeconds: number;
  memoryMb: number;
}

/** An SQS event source mapping's delivery settings (Lambda `batch_size`, `maximum_batching_window_in_seconds`). */
export interface EventSourceSettings {
  batchSize: number;
  maximumBatchingWindowSeconds: number;
}

/**
 * Typed view of `infra/settings.json`, the one source of runtime settings shared with Terraform.
 * Names are base names; Terraform may prefix them per environment, the local stack uses them as is.
 */
export interface DofsSettings {
  tables: {
    orders: string;
    failedOrders: string;
    idempotencyKeys: string;
  };
  idempotency: {
    /** How long an `Idempotency-Key` stands for its order. */
    windowSeconds: number;
  };
  queues: {
    orders: string;
    deadLetter: string;
    /** Receives after which SQS moves a message to the dead-letter queue. */
    maxReceiveCount: number;
    visibilityTimeoutSeconds: number;
    messageRetentionSeconds: number;
    /** Longer than `messageRetentionSeconds`: a standard queue's DLQ keeps the original enqueue time. */
    deadLetterRetentionSeconds: number;
    /** Where order_dlq moves a message dlq-handler failed to process `deadLetterMaxReceiveCount` times. */
    parking: string;
    deadLetterMaxReceiveCount: number;
    parkingRetentionSeconds: number;
    /** dlq-handler sends an order whose processing failed (not its fulfilment) back to order_queue this often, after a doubling delay. */
    deadLetterRedrive: { budget: number; delaySeconds: number };
  };
  eventSources: {
    fulfillOrder: EventSourceSettings;
    dlqHandler: EventSourceSettings;
  };
  fulfillment: {
    /** Probability (0..1) that a simulated fulfilment succeeds. */
    successRate: number;
  };
  workflow: {
    /** The order workflow's own deadline (the ASL's top-level TimeoutSeconds; EXPRESS allows at most 300). No execution outlives it. */
    timeoutSeconds: number;
    /** EnqueueOrder sends the order's message within this of StoreOrder's write (its retries added up, with a margin). */
    enqueueWithinSeconds: number;
  };
  /** The scheduled reconciler (docs/design.md "Reconciler"). */
  reconciler: {
    /** How often it runs (EventBridge Scheduler rate; the local stack's timer). */
    intervalSeconds: number;
    /** Age after which a RECEIVED order's workflow is started again. */
    receivedAfterSeconds: number;
    /** Added to maxReceiveCount x visibility timeout: the age after which a PENDING/RETRYING order counts as stalled. */
    stalledMarginSeconds: number;
    /** Re-drives of one order before it is set FAILED. */
    maxRedrives: number;
    /** Index keys one run looks at, at most (shared fairly among the shards). */
    maxOrdersPerRun: number;
    /** Period of the queue-age datapoints (CloudWatch ApproximateAgeOfOldestMessage) the reconciler reads. */
    queueMetricPeriodSeconds: number;
  };
  functions: Record<DofsFunctionName, FunctionSettings>;
}

/** Seconds without progress after which a PENDING/RETRYING order counts as stalled: every receive of its message had its chance, plus a margin. */
export function stalledAfterSeconds(s: DofsSettings = settings): number {
  return s.queues.maxReceiveCount * s.queues.visibilityTimeoutSeconds + s.reconciler.stalledMarginSeconds;
}

/**
 * The settings, imported (not read from disk at run time) so a bundled local stack carries them.
 * The type annotation makes the compiler check the JSON against `DofsSettings`.
 */
export const settings: DofsSettings = JSON.parse(readFileSync(join(findWorkspaceRoot(), 'infra', 'settings.json'), 'utf8')) as DofsSettings;
