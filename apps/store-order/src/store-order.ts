import { DispatchRaceError, isRetryableDynamoError, StaleStatusError, type OrdersRepository } from '@dofs/ddb-repo';
import type { Logger, Metrics } from '@dofs/handler-kit';
import {
  InvalidExecutionInput,
  nextDispatch,
  orderMessageFor,
  PUBLIC_REASONS,
  readExecutionState,
  type OrderExecutionState,
  type OrderMessage,
  type OrderStatus,
  type OrderVerdict,
  type Dispatch,
} from '@dofs/order-domain';
import { OrderStateConflict, TransientStoreError, UnknownStoreAction } from './errors';

export const STORE_ACTIONS = ['store', 'reject'] as const;
export type StoreAction = (typeof STORE_ACTIONS)[number];

/** The task input: `{ "action": ..., "execution.$": "$" }` in the workflow. */
export interface StoreTaskInput {
  action: StoreAction;
  execution: OrderExecutionState;
}

export type StoreTaskResult = { message: OrderMessage } | { order_id: string; status: OrderStatus };

export type OrdersStore = Pick<OrdersRepository, 'transition' | 'recordDispatch'>;

export interface StoreOrderDeps {
  orders: OrdersStore;
  logger: Logger;
  /** OrdersRejected is counted when this task moves an order to REJECTED. */
  metrics: Pick<Metrics, 'count'>;
  now: () => Date;
  /** EnqueueOrder, the next state, sends the message within this of the write. */
  enqueueWithinSeconds: number;
}

/** The workflow's message is the order's first dispatch. */
const WORKFLOW_DISPATCH_SEQ = 1;

export function readTaskInput(input: unknown): StoreTaskInput {
  const value = input !== null && typeof input === 'object' ? (input as Record<string, unknown>) : {};
  const action = value['action'];
  if (typeof action !== 'string' || !(STORE_ACTIONS as readonly string[]).includes(action)) {
    throw new UnknownStoreAction(`action must be one of ${STORE_ACTIONS.join(', ')}, got ${JSON.stringify(action) ?? 'nothing'}`);
  }
  return { action: action as StoreAction, execution: readExecutionState(value['execution']) };
}

function verdictOf(execution: OrderExecutionState, valid: boolean): OrderVerdict {
  const verdict = execution.verdict;
  if (!verdict || verdict.valid !== valid) throw new InvalidExecutionInput(`this task needs a ${valid ? 'valid' : 'rejecting'} ValidateOrder verdict at $.verdict`);
  return verdict;
}

/**
 * RECEIVED -> `to`, idempotently: when the order has already left RECEIVED the way this task would
 * move it (a duplicate execution, or a retry whose first answer was lost), the status it has is the
 * result; any other status means two verdicts for one order, which is a fault, not a retry.
 */
async function moveFromReceived(
  execution: OrderExecutionState,
  to: 'PENDING' | 'REJECTED',
  changes: Parameters<OrdersStore['transition']>[3],
  deps: StoreOrderDeps,
): Promise<{ status: OrderStatus; moved: boolean }> {
  try {
    const order = await deps.orders.transition(execution.order_id, 'RECEIVED', to, changes);
    deps.logger.info(`order moved RECEIVED -> ${to}`, { order_status: order.status });
    if (to === 'REJECTED') deps.metrics.count('OrdersRejected');
    return { status: order.status, moved: true };
  } catch (error) {
    if (error instanceof StaleStatusError) {
      const consistent = to === 'REJECTED' ? error.actual === 'REJECTED' : error.actual !== 'REJECTED' && error.actual !== 'RECEIVED';
      if (!consistent) throw new OrderStateConflict(`order ${execution.order_id} is ${error.actual}; cannot move it to ${to}`, { cause: error });
      deps.logger.info(`order already left RECEIVED: duplicate or retried task, nothing written`, { order_status: error.actual });
      return { status: error.actual, moved: false };
    }
    if (isRetryableDynamoError(error)) throw new TransientStoreError(`DynamoDB is unavailable: ${(error as Error).message}`, { cause: error });
    throw error;
  }
}

/**
 * StoreOrder: RECEIVED -> PENDING with the validated total and the order's first dispatch (the
 * message EnqueueOrder sends next, within `enqueueWithinSeconds`); returns that message, the same
 * one every time. Run again (a retry after a lost answer, a duplicate execution) on an order still
 * PENDING under that dispatch, it renews the dispatch's `sent_by` first, since EnqueueOrder will now
 * send later than the first run promised; a rare write, on the retry path only.
 */
async function storePending(execution: OrderExecutionState, deps: StoreOrderDeps): Promise<StoreTaskResult> {
  const verdict = verdictOf(execution, true);
  const dispatch = nextDispatch(undefined, { at: deps.now(), sendWithinSeconds: deps.enqueueWithinSeconds, by: 'store-order' });
  const { status, moved } = await moveFromReceived(execution, 'PENDING', { ...(verdict.valid ? { total_cents: verdict.total_cents } : {}), dispatch }, deps);
  if (status === 'PENDING' && !moved) await renewDispatch(execution, dispatch, deps);
  return { message: orderMessageFor(execution, WORKFLOW_DISPATCH_SEQ) };
}

/** Renews dispatch 1 of an order still PENDING under it; if the order moved on (fulfilled, re-dispatched), its message is superseded or not needed. */
async function renewDispatch(execution: OrderExecutionState, dispatch: Dispatch, deps: StoreOrderDeps): Promise<void> {
  try {
    await deps.orders.recordDispatch(execution.order_id, { from: 'PENDING', expectedSeq: WORKFLOW_DISPATCH_SEQ, dispatch });
    deps.logger.info('order already PENDING: its first dispatch renewed for this run of EnqueueOrder');
  } catch (error) {
    if (error instanceof StaleStatusError || error instanceof DispatchRaceError) return;
    if (isRetryableDynamoError(error)) throw new TransientStoreError(`DynamoDB is unavailable: ${(error as Error).message}`, { cause: error });
    throw error;
  }
}

/** StoreRejectedOrder: RECEIVED -> REJECTED with the reasons ValidateOrder gave and the public reason. */
async function storeRejected(execution: OrderExecutionState, deps: StoreOrderDeps): Promise<StoreTaskResult> {
  const verdict = verdictOf(execution, false);
  const reasons = verdict.valid ? [] : verdict.reasons;
  const { status } = await moveFromReceived(execution, 'REJECTED', { rejection_reasons: reasons, status_reason: PUBLIC_REASONS.REJECTED }, deps);
  return { order_id: execution.order_id, status };
}

export async function runStoreTask(input: unknown, deps: StoreOrderDeps): Promise<StoreTaskResult> {
  const { action, execution } = readTaskInput(input);
  return action === 'store' ? storePending(execution, deps) : storeRejected(execution, deps);
}
