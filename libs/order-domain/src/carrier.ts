/**
 * An open order moves only while something carries it: a workflow execution (RECEIVED) or a message
 * on order_queue / order_dlq (PENDING, RETRYING). These rules say when a carrier can still exist;
 * the reconciler re-drives an order only once none can (docs/design.md "Reconciler").
 */
import type { Dispatch, OrderMessage, StoredOrder } from './schemas';

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The SQS message attributes of an order message (its body carries the same values), readable
 * without parsing the body. The workflow's EnqueueOrder state sets `correlation_id` too.
 */
export const MESSAGE_ATTRIBUTES = {
  ORDER_ID: 'order_id',
  CORRELATION_ID: 'correlation_id',
  /** The dispatch seq, for operators reading a queue. */
  DISPATCH: 'dispatch',
} as const;

/** The one correlation-id rule of every carrier (message, execution input): the order's own, else its id. */
export function correlationIdOf(order: Pick<StoredOrder, 'order_id' | 'correlation_id'>): string {
  return order.correlation_id ?? order.order_id;
}

/** The message that carries `order` under dispatch `seq` (omitted: a message without a dispatch). The only constructor of an order message. */
export function orderMessageFor(order: Pick<StoredOrder, 'order_id' | 'correlation_id'>, seq?: number): OrderMessage {
  return { order_id: order.order_id, correlation_id: correlationIdOf(order), ...(seq === undefined ? {} : { dispatch: seq }) };
}

/** A received body that passed `isOrderMessage`, cut to the schema's fields (a producer may add fields first). */
export function orderMessageOf(body: OrderMessage): OrderMessage {
  return {
    order_id: body.order_id,
    ...(body.correlation_id === undefined ? {} : { correlation_id: body.correlation_id }),
    ...(body.dispatch === undefined ? {} : { dispatch: body.dispatch }),
  };
}

export interface DispatchPlan {
  /** When it is recorded (now). */
  at: Date;
  /** How long the sender may still take to send it: its own remaining deadline. */
  sendWithinSeconds: number;
  /** SQS DelaySeconds of the message (a send-back). */
  delaySeconds?: number;
  by: string;
  /** The dead letter a send-back replaces. */
  source?: string;
}

/** The dispatch after `current` (the first one when there is none), to be written before its message is sent. */
export function nextDispatch(current: Pick<Dispatch, 'seq'> | undefined, plan: DispatchPlan): Dispatch {
  const at = plan.at.getTime();
  const delayMs = Math.max(0, plan.delaySeconds ?? 0) * 1000;
  return {
    seq: (current?.seq ?? 0) + 1,
    at: iso(at),
    sent_by: iso(at + Math.max(0, plan.sendWithinSeconds) * 1000),
    visible_at: iso(at + delayMs),
    by: plan.by,
    ...(plan.source === undefined ? {} : { source: plan.source }),
  };
}

/**
 * The latest time the order's current message can have been sent and become receivable. A queue
 * whose every message was sent after this holds no message of the order. Without a dispatch (an
 * order written before dispatches were recorded) its last write stands in: every sender wrote
 * the order before it sent.
 */
export function messageDeadline(order: Pick<StoredOrder, 'dispatch' | 'updated_at'>): string {
  const d = order.dispatch;
  if (!d) return order.updated_at;
  return d.sent_by > d.visible_at ? d.sent_by : d.visible_at;
}

/** A message under dispatch `seq` is superseded once the order has a newer dispatch (absent seq: an undated copy, older than any). */
export function isSuperseded(order: Pick<StoredOrder, 'dispatch'>, seq: number | undefined): boolean {
  return (seq ?? 0) < (order.dispatch?.seq ?? 0);
}

/** Fulfilment attempts made in the current round (an operator's redrive starts a new one). */
export function attemptsThisRound(order: Pick<StoredOrder, 'attempts' | 'attempts_base'>): number {
  return Math.max(0, (order.attempts ?? 0) - (order.attempts_base ?? 0));
}

export interface WorkflowBounds {
  /** The intake's own deadline (api-handler's timeout): its StartExecution is sent within it. */
  intakeSeconds: number;
  /** The workflow's top-level TimeoutSeconds: no execution outlives it. */
  workflowTimeoutSeconds: number;
}

/**
 * A RECEIVED order: after this time no execution of it can be alive. The first start is sent by the
 * intake within its deadline of `received_at`; a later one (the reconciler's) records
 * `workflow_until` itself, and a start known to have failed sets it to the time it failed.
 */
export function workflowLiveUntil(order: Pick<StoredOrder, 'workflow_until' | 'received_at'>, bounds: WorkflowBounds): string {
  if (order.workflow_until !== undefined) return order.workflow_until;
  return iso(Date.parse(order.received_at) + (bounds.intakeSeconds + bounds.workflowTimeoutSeconds) * 1000);
}
