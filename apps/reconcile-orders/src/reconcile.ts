import type { SQSClient } from '@aws-sdk/client-sqs';
import type { OpenOrders, OrderIntake, RedriveClaim } from '@dofs/ddb-repo';
import type { Logger } from '@dofs/handler-kit';
import type { OrderDispatcher } from '@dofs/queue-client';
import { executionNameFor, nextDispatch, type StoredOrder } from '@dofs/order-domain';
import { assess, indexCutoff, type EvidenceRules } from './evidence';
import { readQueueWatermark, type QueueWatermark, type WatermarkDeps } from './queue-watermark';

export type OpenOrdersStore = Pick<OpenOrders, 'openBefore' | 'readAll' | 'claimRequeue' | 'claimRedrive' | 'confirmRedrive' | 'releaseRedrive' | 'giveUp'>;

export interface ReconcileDeps {
  orders: OpenOrdersStore;
  intake: Pick<OrderIntake, 'resolveReceived'>;
  /** Starts a RECEIVED order's workflow again, sends a queued order's message again. */
  dispatcher: Pick<OrderDispatcher, 'startOrderWorkflow' | 'enqueueOrder'>;
  /** Reads the queues' depths (the watermark). */
  sqs: Pick<SQSClient, 'send'>;
  /** How the run learns whether a message can still be queued. */
  queues: Omit<WatermarkDeps, 'sqs' | 'now'>;
  receivedAfterSeconds: number;
  stalledAfterSeconds: number;
  workflowTimeoutSeconds: number;
  maxRedrives: number;
  maxOrdersPerRun: number;
  /** Worst case of one StartExecution / SendMessage: how long after a claim its call can still land. */
  startWithinSeconds: number;
  sendWithinSeconds: number;
  logger: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  now: () => Date;
  /** Milliseconds left in this invocation; a run starts no action it may not finish. */
  remainingMs?: () => number;
}

/** What one run did; Redriven, Requeued, GaveUp, Scanned, AwaitingQueue and RedriveErrors are also its metrics. */
export interface RunSummary {
  /** Candidates the index returned. */
  scanned: number;
  /** RECEIVED orders whose workflow was started again. */
  redriven: number;
  /** PENDING / RETRYING orders whose message was sent to order_queue again. */
  requeued: number;
  /** Orders set FAILED (and archived) after `maxRedrives` delivered re-drives. */
  gaveUp: number;
  /** Candidates not lost, acted on by another run first, or tentative orders removed. */
  skipped: number;
  /** Of the skipped: due by age but left alone because their message may still be queued (a backlog, not a loss). */
  awaitingQueue: number;
  /** Re-drives refused for a reason that will not go away (access denied, no such state machine or queue): counted against the order. */
  redriveErrors: number;
  /** Candidates whose action failed for a passing reason (throttled, unreachable): left for the next run, nothing spent. */
  errors: number;
}

export type Action = 'REDRIVEN' | 'REQUEUED' | 'GAVE_UP' | 'SKIPPED' | 'AWAITING_QUEUE' | 'DISCARDED' | 'REDRIVE_ERROR';

/** Candidates handled at once: enough to finish a run's actions in seconds, few enough not to throttle anyone. */
const CONCURRENCY = 8;
/** A run starts no action with less than this left of its invocation. */
const ACTION_RESERVE_MS = 10_000;

/** Error names that say the request was refused and nothing happened, but asking again later may work. */
const REFUSED = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestThrottled', 'ExecutionLimitExceeded', 'KmsThrottlingException', 'OverLimit', 'RequestLimitExceeded']);

type Failure = 'permanent' | 'refused' | 'unknown';

/**
 * How a failed call is taken. `permanent`: a 4xx that will answer the same every time (access
 * denied, no such state machine or queue, invalid input): the re-drive counts, so such an order
 * gives up and alarms instead of being retried for ever. `refused`: throttled, nothing started.
 * `unknown`: a timeout, a 5xx or a network error: the call may have landed (a start that timed out
 * may run), so nothing is undone and nothing is counted.
 */
export function classify(error: unknown): Failure {
  const e = error as { name?: unknown; $metadata?: { httpStatusCode?: unknown } } | null;
  const name = typeof e?.name === 'string' ? e.name : '';
  if (REFUSED.has(name)) return 'refused';
  const status = e?.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429) return 'permanent';
  return 'unknown';
}

function describe(error: unknown): string {
  const e = error as { name?: unknown; message?: unknown } | null;
  return `${typeof e?.name === 'string' ? e.name : 'Error'}: ${typeof e?.message === 'string' ? e.message : String(error)}`;
}

/**
 * One reconciler run (docs/design.md "Reconciler"). It first asks the queues what can still be in
 * them (`readQueueWatermark`), takes the candidates from the `open-orders` index (fairly across its
 * shards), re-reads them consistently, and acts only on orders that nothing can carry any more
 * (`assess`): start the workflow again, send the message again, or give up. Every action is
 * claimed by a conditional write first (of overlapping runs one acts) and counted once it was
 * delivered, so a run cut off midway, or a dependency that refuses, spends no re-drive.
 */
export async function reconcile(deps: ReconcileDeps): Promise<RunSummary> {
  const summary: RunSummary = { scanned: 0, redriven: 0, requeued: 0, gaveUp: 0, skipped: 0, awaitingQueue: 0, redriveErrors: 0, errors: 0 };
  const now = deps.now().getTime();
  const watermark = await watermarkOf(deps);
  const rules: EvidenceRules = {
    now,
    receivedAfterSeconds: deps.receivedAfterSeconds,
    stalledAfterSeconds: deps.stalledAfterSeconds,
    workflowTimeoutSeconds: deps.workflowTimeoutSeconds,
    maxRedrives: deps.maxRedrives,
    ...(watermark.clearBefore === undefined ? {} : { clearBefore: watermark.clearBefore }),
  };
  const keys = await deps.orders.openBefore(new Date(indexCutoff(rules)).toISOString(), deps.maxOrdersPerRun);
  summary.scanned = keys.length;
  const candidates = await deps.orders.readAll(keys);
  summary.skipped += keys.length - candidates.length;

  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < candidates.length; i = next++) {
      const order = candidates[i] as StoredOrder;
      if (deps.remainingMs && deps.remainingMs() < ACTION_RESERVE_MS) {
        summary.skipped += 1;
        continue;
      }
      try {
        const action = await reconcileOne(order, rules, deps);
        if (action === 'REDRIVEN') summary.redriven += 1;
        else if (action === 'REQUEUED') summary.requeued += 1;
        else if (action === 'GAVE_UP') summary.gaveUp += 1;
        else if (action === 'REDRIVE_ERROR') summary.redriveErrors += 1;
        else {
          summary.skipped += 1;
          if (action === 'AWAITING_QUEUE') summary.awaitingQueue += 1;
        }
      } catch (error) {
        summary.errors += 1;
        deps.logger.warn('reconcile action failed: the order is left for the next run, no re-drive spent', { order_id: order.order_id, action: 'ERROR', error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, candidates.length) }, worker));
  if (summary.awaitingQueue > 0) {
    deps.logger.info('orders past their threshold whose message may still be queued: left alone (a backlog is not a loss)', {
      awaiting_queue: summary.awaitingQueue,
      queue_depth: watermark.depth,
      clear_before: watermark.clearBefore === undefined ? null : new Date(watermark.clearBefore).toISOString(),
    });
  }
  return summary;
}

/** The queues' watermark; if they cannot be read, no message counts as lost this run (RECEIVED orders are still looked at). */
async function watermarkOf(deps: ReconcileDeps): Promise<QueueWatermark> {
  try {
    return await readQueueWatermark({ ...deps.queues, sqs: deps.sqs, now: deps.now });
  } catch (error) {
    deps.logger.warn('could not read the queues: no queued order is taken for lost this run', { error });
    return { source: 'unknown', depth: { orderQueue: -1, deadLetterQueue: -1 } };
  }
}

async function reconcileOne(order: StoredOrder, rules: EvidenceRules, deps: ReconcileDeps): Promise<Action> {
  const log = (action: Action, message: string, fields: Record<string, unknown> = {}) => {
    // An action means an order was lost: a warning, so it is logged at the deployed LOG_LEVEL warn.
    const level = action === 'SKIPPED' || action === 'AWAITING_QUEUE' ? 'debug' : action === 'REDRIVE_ERROR' ? 'error' : 'warn';
    deps.logger[level](message, { order_id: order.order_id, order_status: order.status, action, ...fields });
  };
  const verdict = assess(order, rules);
  if (!verdict.due) {
    log(verdict.why === 'message-may-be-queued' ? 'AWAITING_QUEUE' : 'SKIPPED', `not lost: ${verdict.why}`, { updated_at: order.updated_at });
    return verdict.why === 'message-may-be-queued' ? 'AWAITING_QUEUE' : 'SKIPPED';
  }
  // Started only if its Idempotency-Key stands for it (docs/design.md "Intake"); counted as skipped.
  if (order.status === 'RECEIVED') {
    const resolution = await deps.intake.resolveReceived(order);
    if (resolution === 'changed') {
      log('SKIPPED', 'order changed while its idempotency key was read: left for the next run');
      return 'SKIPPED';
    }
    if (resolution !== 'committed') {
      log('DISCARDED', `tentative order deleted, not started: ${resolution === 'superseded' ? 'its idempotency key stands for another order' : 'its intake never committed (the client was told 503)'}`);
      return 'DISCARDED';
    }
  }
  const redrives = order.redrives ?? 0;
  if (verdict.action === 'give-up') {
    const reason = `reconciler gave up after ${redrives} re-drive(s): ${order.status} and lost again since ${order.updated_at}`;
    if (!(await deps.orders.giveUp(order, { reason }))) {
      log('SKIPPED', 'order changed before it could be set FAILED: left alone');
      return 'SKIPPED';
    }
    log('GAVE_UP', 'order set FAILED and archived in failed_orders', { redrives, failure_reason: reason });
    return 'GAVE_UP';
  }
  return verdict.action === 'redrive' ? redrive(order, rules, deps, log) : requeue(order, rules, deps, log);
}

type Log = (action: Action, message: string, fields?: Record<string, unknown>) => void;

/** Starts a RECEIVED order's workflow again, under a name of this re-drive (STANDARD keeps names for 90 days). */
async function redrive(order: StoredOrder, rules: EvidenceRules, deps: ReconcileDeps, log: Log): Promise<Action> {
  const until = new Date(rules.now + (deps.startWithinSeconds + deps.workflowTimeoutSeconds) * 1000).toISOString();
  const claimed = await deps.orders.claimRedrive(order, until);
  if (claimed === undefined) {
    log('SKIPPED', 'order changed or was claimed by another run: left alone');
    return 'SKIPPED';
  }
  const claim: RedriveClaim = { kind: 'redrive', until };
  const n = (order.redrives ?? 0) + 1;
  const name = executionNameFor(order.order_id, n);
  const start = await deps.dispatcher.startOrderWorkflow(order, n);
  if (!start.started && start.reason !== 'already-exists') return failed(order, claim, start.error, deps, log, { execution_name: name });
  await deps.orders.confirmRedrive(order.order_id, claim);
  log('REDRIVEN', 'workflow started again', { redrive: n, execution_name: name });
  return 'REDRIVEN';
}

/** Sends a PENDING / RETRYING order's message again, under a new dispatch written first. */
async function requeue(order: StoredOrder, rules: EvidenceRules, deps: ReconcileDeps, log: Log): Promise<Action> {
  const dispatch = nextDispatch(order.dispatch, { at: new Date(rules.now), sendWithinSeconds: deps.sendWithinSeconds, by: 'reconcile-orders' });
  const claimed = await deps.orders.claimRequeue(order, dispatch);
  if (claimed === undefined) {
    log('SKIPPED', 'order changed or was claimed by another run: left alone');
    return 'SKIPPED';
  }
  const claim: RedriveClaim = { kind: 'requeue', seq: dispatch.seq };
  try {
    await deps.dispatcher.enqueueOrder(order, dispatch.seq);
  } catch (error) {
    return failed(order, claim, error, deps, log, { dispatch: dispatch.seq });
  }
  await deps.orders.confirmRedrive(order.order_id, claim);
  log('REQUEUED', 'order message sent to order_queue again', { redrive: (order.redrives ?? 0) + 1, dispatch: dispatch.seq });
  return 'REQUEUED';
}

/**
 * A re-drive's call failed. Permanent: counted (with the error) so the order gives up after
 * `maxRedrives` and alarms; refused: a RECEIVED claim is given back at once; unknown: left as it is
 * (a start may be running; a message may be queued, which the queues will show). Only permanent
 * failures are counted; the others throw, so the run reports them in `errors`.
 */
async function failed(order: StoredOrder, claim: RedriveClaim, error: unknown, deps: ReconcileDeps, log: Log, fields: Record<string, unknown>): Promise<Action> {
  const kind = classify(error);
  if (kind === 'permanent') {
    await deps.orders.confirmRedrive(order.order_id, claim, describe(error));
    if (claim.kind === 'redrive') await deps.orders.releaseRedrive(order.order_id, claim.until);
    log('REDRIVE_ERROR', 're-drive refused for a reason that will not pass: counted against the order', { ...fields, error });
    return 'REDRIVE_ERROR';
  }
  if (kind === 'refused' && claim.kind === 'redrive') await deps.orders.releaseRedrive(order.order_id, claim.until);
  throw error;
}
