import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { OpenOrderKey, OpenOrders, OrderIntake } from '@dofs/ddb-repo';
import type { Logger } from '@dofs/handler-kit';
import { QueueClient } from '@dofs/queue-client';
import { executionInputFor, executionNameFor, isTerminal, OPEN_STATUSES, type OrderMessage, type StoredOrder } from '@dofs/order-domain';

export type OpenOrdersStore = Pick<OpenOrders, 'openBefore' | 'get' | 'bumpRedrives' | 'refundRedrive' | 'giveUp'>;

export interface ReconcileDeps {
  orders: OpenOrdersStore;
  intake: Pick<OrderIntake, 'resolveReceived'>;
  sfn: Pick<SFNClient, 'send'>;
  sqs: Pick<SQSClient, 'send'>;
  stateMachineArn: string;
  orderQueueUrl: string;
  receivedAfterSeconds: number;
  stalledAfterSeconds: number;
  maxRedrives: number;
  maxOrdersPerRun: number;
  logger: Pick<Logger, 'debug' | 'info' | 'warn'>;
  now: () => Date;
}

/** What one run did; Redriven, Requeued, GaveUp and Scanned are also its metrics. */
export interface RunSummary {
  /** Candidates the index returned (open longer than the smallest threshold). */
  scanned: number;
  /** RECEIVED orders whose workflow was started again. */
  redriven: number;
  /** PENDING / RETRYING orders whose message was sent to order_queue again. */
  requeued: number;
  /** Orders set FAILED (and archived) after `maxRedrives` re-drives. */
  gaveUp: number;
  /** Candidates not due (ended, or progressed within their status's threshold), that another run acted on first, or tentative orders deleted. */
  skipped: number;
  /** Candidates whose action failed: left as they are for the next run. */
  errors: number;
}

export type Action = 'REDRIVEN' | 'REQUEUED' | 'GAVE_UP' | 'SKIPPED' | 'DISCARDED';

/** Candidates handled at once: enough to finish 500 in a few seconds, few enough not to throttle anyone. */
const CONCURRENCY = 8;

function isNamed(error: unknown, name: string): boolean {
  return (error as { name?: unknown } | null)?.name === name;
}

/** Seconds an order in `status` may go without an update before the reconciler acts on it. */
function thresholdSeconds(status: string, deps: Pick<ReconcileDeps, 'receivedAfterSeconds' | 'stalledAfterSeconds'>): number {
  return status === 'RECEIVED' ? deps.receivedAfterSeconds : deps.stalledAfterSeconds;
}

/**
 * One reconciler run. Takes the orders open longer than the smallest threshold from the
 * `open-orders` index (its sort key is when the order opened, which no progress moves), at most
 * `maxOrdersPerRun`, then for each: re-read it (consistent) and skip it unless it is still open and
 * its `updated_at` is older than its status's threshold (RECEIVED: `receivedAfterSeconds`; PENDING
 * / RETRYING: `stalledAfterSeconds`), give up on it after `maxRedrives` re-drives, else count a
 * re-drive with a conditional bump (so of two overlapping runs only one acts) and start its
 * workflow again or enqueue it again.
 */
export async function reconcile(deps: ReconcileDeps): Promise<RunSummary> {
  const summary: RunSummary = { scanned: 0, redriven: 0, requeued: 0, gaveUp: 0, skipped: 0, errors: 0 };
  const now = deps.now().getTime();
  // updated_at >= open_since, so an order due in any status opened before the smallest cut-off.
  const smallest = Math.min(...OPEN_STATUSES.map((status) => thresholdSeconds(status, deps)));
  const candidates = await deps.orders.openBefore(new Date(now - smallest * 1000).toISOString(), deps.maxOrdersPerRun);
  summary.scanned = candidates.length;

  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < candidates.length; i = next++) {
      const candidate = candidates[i] as OpenOrderKey;
      try {
        const action = await reconcileOne(candidate, now, deps);
        if (action === 'REDRIVEN') summary.redriven += 1;
        else if (action === 'REQUEUED') summary.requeued += 1;
        else if (action === 'GAVE_UP') summary.gaveUp += 1;
        else summary.skipped += 1;
      } catch (error) {
        summary.errors += 1;
        deps.logger.warn('reconcile action failed: the order is left for the next run', { order_id: candidate.order_id, action: 'ERROR', error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, candidates.length) }, worker));
  return summary;
}

async function reconcileOne(candidate: OpenOrderKey, now: number, deps: ReconcileDeps): Promise<Action> {
  // The index knows neither status nor progress (and is eventually consistent): decide and act only
  // on what a consistent read shows.
  const order = await deps.orders.get(candidate.order_id);
  const log = (action: Action, message: string, fields: Record<string, unknown> = {}) =>
    // An action means an order was stuck: a warning, so it is logged at the deployed LOG_LEVEL warn.
    (action === 'SKIPPED' ? deps.logger.debug : deps.logger.warn).call(deps.logger, message, { order_id: candidate.order_id, order_status: order?.status, action, ...fields });

  if (order === undefined || isTerminal(order.status)) {
    log('SKIPPED', 'order ended since the index saw it: left alone');
    return 'SKIPPED';
  }
  if (order.updated_at >= new Date(now - thresholdSeconds(order.status, deps) * 1000).toISOString()) {
    log('SKIPPED', 'order progressed within its threshold: not due yet', { updated_at: order.updated_at, open_since: candidate.open_since });
    return 'SKIPPED';
  }
  // Started only if its Idempotency-Key stands for it (docs/design.md "Intake"); counted as skipped.
  if (order.status === 'RECEIVED' && (await deps.intake.resolveReceived(order)) === 'superseded') {
    log('DISCARDED', 'tentative order whose idempotency key stands for another order: deleted, not started');
    return 'DISCARDED';
  }

  const redrives = order.redrives ?? 0;
  if (redrives >= deps.maxRedrives) {
    const reason = `reconciler gave up after ${redrives} re-drive(s): still ${order.status} since ${order.updated_at}`;
    if (!(await deps.orders.giveUp(order, { reason }))) {
      log('SKIPPED', 'order changed before it could be set FAILED: left alone');
      return 'SKIPPED';
    }
    log('GAVE_UP', 'order set FAILED and archived in failed_orders', { redrives, failure_reason: reason });
    return 'GAVE_UP';
  }

  // The bump is the claim: whoever moves updated_at first acts; a run that read the same order loses.
  const bumped = await deps.orders.bumpRedrives(order);
  if (bumped === undefined) {
    log('SKIPPED', 'order changed or was claimed by another run: left alone');
    return 'SKIPPED';
  }
  const redrive = bumped.redrives ?? redrives + 1;
  try {
    if (order.status === 'RECEIVED') {
      const alreadyExists = await startWorkflow(order, redrive, deps);
      log('REDRIVEN', 'workflow started again', { redrive, execution_name: executionNameFor(order.order_id, redrive), ...(alreadyExists ? { already_exists: true } : {}) });
      return 'REDRIVEN';
    }
    await enqueue(order, deps);
    log('REQUEUED', 'order message sent to order_queue again', { redrive });
    return 'REQUEUED';
  } catch (error) {
    // A dependency's failure must not spend the order's re-drives; updated_at stays bumped, so the
    // order is tried again once its threshold has passed again. Best effort: if this fails too,
    // the count stands.
    await deps.orders.refundRedrive(bumped).catch(() => false);
    throw error;
  }
}

/** StartExecution under a name of this re-drive; true when Step Functions already had it (which counts as done). */
async function startWorkflow(order: StoredOrder, redrive: number, deps: ReconcileDeps): Promise<boolean> {
  try {
    await deps.sfn.send(
      new StartExecutionCommand({ stateMachineArn: deps.stateMachineArn, name: executionNameFor(order.order_id, redrive), input: JSON.stringify(executionInputFor(order)) }),
    );
    return false;
  } catch (error) {
    if (isNamed(error, 'ExecutionAlreadyExists')) return true;
    throw error;
  }
}

/** The message the workflow's EnqueueOrder state sends, with the attempts made so far (QueueClient sets attempt_offset). */
async function enqueue(order: StoredOrder, deps: ReconcileDeps): Promise<void> {
  const message: OrderMessage = { order_id: order.order_id, correlation_id: order.correlation_id ?? order.order_id };
  await new QueueClient({ client: deps.sqs }).sendOrderMessage(deps.orderQueueUrl, message, { attemptOffset: order.attempts });
}
