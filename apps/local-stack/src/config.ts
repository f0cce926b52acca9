// The local stack's effective settings: infra/settings.json (through @dofs/local-aws, which imports
// it) with only the overrides a person asked for on the command line. Nothing else is configured
// here, so the stack cannot drift from what Terraform deploys (a test checks it).
import path from 'node:path';
import { settings, stalledAfterSeconds, type DofsSettings } from '@dofs/local-aws';
import { FUNCTION_NAMES, type FunctionName } from './constants';

export type EffectiveSettings = DofsSettings;

export interface SettingOverrides {
  /** `--success-rate`: FULFILLMENT_SUCCESS_RATE for fulfill-order. */
  successRate?: number;
  /** `--visibility-timeout`: both queues' visibility timeout (tests want 1-2 s; production uses the settings value). */
  visibilityTimeoutSeconds?: number;
}

/** The settings the stack runs with: a copy of infra/settings.json plus the explicit overrides. */
export function effectiveSettings(overrides: SettingOverrides = {}, base: DofsSettings = settings): EffectiveSettings {
  const copy = JSON.parse(JSON.stringify(base)) as DofsSettings & { $comment?: string };
  delete copy.$comment;
  if (overrides.successRate !== undefined) copy.fulfillment.successRate = overrides.successRate;
  if (overrides.visibilityTimeoutSeconds !== undefined) copy.queues.visibilityTimeoutSeconds = overrides.visibilityTimeoutSeconds;
  return copy;
}

export interface Endpoints {
  dynamodb: string;
  sqs: string;
  sfn: string;
  cloudwatch: string;
}

/**
 * QUEUE_METRIC_PERIOD_SECONDS of the local reconciler. AWS publishes the SQS metrics once a
 * minute, a few minutes late, so the deployed period is `reconciler.queueMetricPeriodSeconds` (60);
 * the local emulation samples every second and publishes at once, so a 1 s period gives the
 * reconciler the same kind of datapoint sixty times sooner (apps/local-stack/README.md, CloudWatch).
 */
export const LOCAL_QUEUE_METRIC_PERIOD_SECONDS = 1;

export interface EnvironmentContext {
  stateMachineArn: string;
  logLevel: string;
  /** order_queue's URL (known once the queue exists): reconcile-orders' ORDER_QUEUE_URL. */
  orderQueueUrl?: string;
  /** order_dlq's URL: reconcile-orders' ORDER_DLQ_URL. */
  deadLetterQueueUrl?: string;
  /** reconcile-orders' QUEUE_METRIC_PERIOD_SECONDS instead of the settings' (the stack gives LOCAL_QUEUE_METRIC_PERIOD_SECONDS). */
  queueMetricPeriodSeconds?: number;
  /** `--reconcile-after`: both reconciler thresholds (RECEIVED and stalled) instead of the settings'. */
  reconcileAfterSeconds?: number;
  /** api-handler's AUTH_MODE: `jwt` as deployed (the default), `none` with `--no-auth`. */
  authMode?: 'jwt' | 'none';
}

/**
 * Each function's configured environment, as infra/envs/dev/main.tf sets it (docs/design.md):
 * LOG_LEVEL everywhere, then the tables / state machine / success rate each one needs.
 */
export function functionEnvironment(name: FunctionName, s: EffectiveSettings, context: EnvironmentContext): Record<string, string> {
  const common = { LOG_LEVEL: context.logLevel };
  switch (name) {
    case 'api-handler':
      return {
        ...common,
        ORDERS_TABLE: s.tables.orders,
        IDEMPOTENCY_TABLE: s.tables.idempotencyKeys,
        IDEMPOTENCY_WINDOW_SECONDS: String(s.idempotency.windowSeconds),
        STATE_MACHINE_ARN: context.stateMachineArn,
        // Who may call: the JWT authorizer's claims (as deployed) or, with --no-auth, anyone.
        AUTH_MODE: context.authMode ?? 'jwt',
      };
    case 'validate-order':
      return common;
    case 'store-order':
      return { ...common, ORDERS_TABLE: s.tables.orders, ENQUEUE_WITHIN_SECONDS: String(s.workflow.enqueueWithinSeconds) };
    case 'fulfill-order':
      return {
        ...common,
        ORDERS_TABLE: s.tables.orders,
        FULFILLMENT_SUCCESS_RATE: String(s.fulfillment.successRate),
        MAX_RECEIVE_COUNT: String(s.queues.maxReceiveCount),
      };
    case 'dlq-handler':
      return {
        ...common,
        ORDERS_TABLE: s.tables.orders,
        FAILED_ORDERS_TABLE: s.tables.failedOrders,
        ORDER_QUEUE_URL: context.orderQueueUrl ?? '',
        MAX_RECEIVE_COUNT: String(s.queues.maxReceiveCount),
        DLQ_REDRIVE_BUDGET: String(s.queues.deadLetterRedrive.budget),
        DLQ_REDRIVE_DELAY_SECONDS: String(s.queues.deadLetterRedrive.delaySeconds),
      };
    case 'reconcile-orders':
      return {
        ...common,
        ORDERS_TABLE: s.tables.orders,
        FAILED_ORDERS_TABLE: s.tables.failedOrders,
        IDEMPOTENCY_TABLE: s.tables.idempotencyKeys,
        IDEMPOTENCY_WINDOW_SECONDS: String(s.idempotency.windowSeconds),
        ORDER_QUEUE_URL: context.orderQueueUrl ?? '',
        ORDER_DLQ_URL: context.deadLetterQueueUrl ?? '',
        STATE_MACHINE_ARN: context.stateMachineArn,
        WORKFLOW_TIMEOUT_SECONDS: String(s.workflow.timeoutSeconds),
        QUEUE_METRIC_PERIOD_SECONDS: String(context.queueMetricPeriodSeconds ?? s.reconciler.queueMetricPeriodSeconds),
        RECEIVED_AFTER_SECONDS: String(context.reconcileAfterSeconds ?? s.reconciler.receivedAfterSeconds),
        STALLED_AFTER_SECONDS: String(context.reconcileAfterSeconds ?? stalledAfterSeconds(s)),
        MAX_REDRIVES: String(s.reconciler.maxRedrives),
        MAX_ORDERS_PER_RUN: String(s.reconciler.maxOrdersPerRun),
      };
  }
}

/** The built bundle of a function (what the `package` target zips and Lambda runs as `main.handler`). */
export function bundlePath(bundleDir: string, name: FunctionName): string {
  return path.join(bundleDir, name, 'main.js');
}

export { FUNCTION_NAMES };
