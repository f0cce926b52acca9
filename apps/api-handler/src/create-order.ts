import { IdempotencyConflictError, IntakeNotCommittedError, type IntakeOutcome, type OrderIntake } from '@dofs/ddb-repo';
import { createHttpError, ERROR_CODES, HEADERS, jsonResponse, type HttpRequest, type HttpResponse, type Logger, type Metrics } from '@dofs/handler-kit';
import { idempotencyKeyHash, LIMITS, newOrderId, orderTotalCents, PATTERNS, requestHash, validateCreateOrder, type CreateOrderRequest, type StoredOrder } from '@dofs/order-domain';
import type { OrderDispatcher } from '@dofs/queue-client';
import { mayActFor, type Caller } from './caller';
import { orderPath } from './orders-view';
import { storeUnavailable } from './store-errors';

export const SERVICE_NAME = 'api-handler';

export interface CreateOrderDeps {
  intake: Pick<OrderIntake, 'accept' | 'markNotStarted'>;
  /** Starts the order's workflow (run 0: the intake's). */
  dispatcher: Pick<OrderDispatcher, 'startOrderWorkflow'>;
  logger: Logger;
  /** OrdersAccepted is counted here, once per new order (not for a replay). */
  metrics: Pick<Metrics, 'count'>;
  now: () => Date;
  /** The request's budget (`requestBudget`), from the invocation's remaining time. */
  budget: RequestBudget;
}

/**
 * How one POST spends the function's time, so that the worst case of every call in a row ends
 * before the function times out (a client never gets a 500 because time ran out). Every call is
 * abandoned at the end of its phase, besides its own SDK timeouts:
 * - the commit (order put, key put) ends a `SETTLE_SHARE` of the time before the end;
 * - then either settling a failed key put (read the key, remove the tentative order), or the
 *   StartExecution and, if it was refused, marking the order not started, until the end;
 * - the end is `MARGIN_MS` before the function's timeout: the response's own way out.
 * `worstCaseOfPostMs` adds it up (a test keeps it inside the deployed timeout).
 */
export interface RequestBudget {
  commitBy: number;
  end: number;
}

export const MARGIN_MS = 1000;
/** Of the time left after the margin, what the commit leaves for settling a failed key put or starting the workflow. */
export const SETTLE_SHARE = 4 / 9;

/** The budget of a request that has `remainingMs` of its invocation left at `startedAt` (epoch ms, real time). */
export function requestBudget(startedAt: number, remainingMs: number): RequestBudget {
  const usable = Math.max(0, remainingMs - MARGIN_MS);
  return { commitBy: startedAt + Math.floor(usable * (1 - SETTLE_SHARE)), end: startedAt + usable };
}

/**
 * The latest a POST can answer, in ms after it started, when every call takes its worst case
 * (`dynamodbMs`, `sfnMs`: the SDK clients' worst cases): the order put and the key put, then
 * either the settling of a failed key put (a read and a delete) or the StartExecution and the mark
 * of a refused one; each call is cut at the end of its phase. Without the phases (`phases: false`)
 * it is the plain sum of the calls.
 */
export function worstCaseOfPostMs(remainingMs: number, calls: { dynamodbMs: number; sfnMs: number }, phases = true): number {
  const budget = requestBudget(0, remainingMs);
  let t = 0;
  const call = (ms: number, by: number) => (t = phases ? Math.min(t + ms, Math.max(t, by)) : t + ms);
  call(calls.dynamodbMs, budget.commitBy);
  call(calls.dynamodbMs, budget.commitBy);
  const committed = t;
  // Settling a failed key put: read the key, remove the tentative order.
  call(calls.dynamodbMs, budget.end);
  call(calls.dynamodbMs, budget.end);
  const settled = t;
  t = committed;
  // Or, committed: start the workflow, and mark the order if it was refused.
  call(calls.sfnMs, budget.end);
  call(calls.dynamodbMs, budget.end);
  return Math.max(settled, t);
}

const IDEMPOTENCY_KEY = new RegExp(PATTERNS.IDEMPOTENCY_KEY);

/** The `Idempotency-Key` header: null when absent; 400 INVALID_HEADER when present but malformed. */
export function readIdempotencyKey(headers: Readonly<Record<string, string>>): string | null {
  const value = headers[HEADERS.IDEMPOTENCY_KEY];
  if (value === undefined) return null;
  if (value.length < LIMITS.IDEMPOTENCY_KEY_MIN_LENGTH || value.length > LIMITS.IDEMPOTENCY_KEY_MAX_LENGTH || !IDEMPOTENCY_KEY.test(value)) {
    throw createHttpError(400, ERROR_CODES.INVALID_HEADER, 'malformed Idempotency-Key header', {
      details: [
        {
          path: 'Idempotency-Key',
          message: `must be ${LIMITS.IDEMPOTENCY_KEY_MIN_LENGTH} to ${LIMITS.IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters, without spaces at either end`,
        },
      ],
    });
  }
  return value;
}

/** The RECEIVED order the intake writes: the request, its fingerprint, and where it came from. */
function receivedOrder(order: CreateOrderRequest, correlationId: string, idempotencyKey: string | null, at: string): StoredOrder {
  const orderId = newOrderId();
  return {
    order_id: orderId,
    customer_id: order.customer_id,
    items: order.items,
    currency: order.currency,
    total_cents: orderTotalCents(order.items),
    status: 'RECEIVED',
    attempts: 0,
    request_hash: requestHash(order),
    ...(idempotencyKey === null ? {} : { idempotency_key_hash: idempotencyKeyHash(order.customer_id, idempotencyKey) }),
    correlation_id: correlationId,
    received_at: at,
    status_history: [{ to: 'RECEIVED', at, by: SERVICE_NAME }],
    created_at: at,
    updated_at: at,
  };
}

/**
 * POST /order (body already size-checked and JSON-parsed), for a caller who may act for the body's
 * customer (a customer naming another is 403, nothing stored). 202 means: the order is stored RECEIVED
 * (GET answers 200 from now on) and will be processed; its workflow was started, or will be by a
 * retry of this request or by the reconciler. A retry with the same Idempotency-Key and body answers
 * the same 202 (`idempotent-replayed: true`) and creates nothing; another body is 409.
 */
export async function createOrder(request: HttpRequest, caller: Caller, correlationId: string, deps: CreateOrderDeps): Promise<HttpResponse> {
  const idempotencyKey = readIdempotencyKey(request.headers);
  const checked = validateCreateOrder(request.body);
  if (!checked.ok) {
    throw createHttpError(400, ERROR_CODES.VALIDATION_FAILED, 'the order does not match the schema', { details: checked.errors });
  }
  if (!mayActFor(caller, checked.value.customer_id)) {
    throw createHttpError(403, ERROR_CODES.CUSTOMER_MISMATCH, 'a customer may place orders only for themselves', {
      details: [{ path: '/customer_id', message: 'must be the customer the token was issued to' }],
    });
  }
  const candidate = receivedOrder(checked.value, correlationId, idempotencyKey, deps.now().toISOString());
  let intake: IntakeOutcome;
  try {
    intake = await deps.intake.accept(candidate, { commitBy: deps.budget.commitBy, settleBy: deps.budget.end });
  } catch (error) {
    if (error instanceof IdempotencyConflictError) {
      throw createHttpError(409, ERROR_CODES.IDEMPOTENCY_CONFLICT, 'this Idempotency-Key was already used with a different request body', {
        cause: error,
        details: [{ path: 'Idempotency-Key', message: 'reuse a key only to retry the identical request' }],
      });
    }
    if (error instanceof IntakeNotCommittedError) {
      // Nothing was accepted: the tentative order is gone, or (if even that failed) the reconciler removes it.
      if (!error.removed) deps.logger.warn('intake not committed; its tentative order is left for the reconciler to remove', { order_id: error.orderId, error });
      throw createHttpError(503, ERROR_CODES.SERVICE_UNAVAILABLE, 'orders are unavailable, retry later', { cause: error, headers: { [HEADERS.RETRY_AFTER]: '1' } });
    }
    throw storeUnavailable(error, 'store the order');
  }

  const replayed = intake.next !== 'start-now';
  const orderId = intake.next === 'start-now' ? candidate.order_id : intake.record.order_id;
  deps.logger.appendKeys({ order_id: orderId });
  if (!replayed) deps.metrics.count('OrdersAccepted');
  if (intake.next !== 'start-now' && intake.leftTentative) deps.logger.warn('replayed; this request\'s own tentative order could not be deleted: the reconciler removes it', { tentative_order_id: candidate.order_id });
  const toStart = intake.next === 'nothing-to-do' ? undefined : intake.order;
  const start = toStart ? await deps.dispatcher.startOrderWorkflow(toStart, 0, deps.budget.end) : undefined;
  const fields = { status: 202, idempotency_key_used: idempotencyKey !== null, replayed, workflow: start === undefined ? 'not-needed' : start.started ? 'started' : start.reason };
  if (start && !start.started && start.reason !== 'already-exists') {
    // Refused: nothing runs, so the reconciler may start it as soon as its threshold allows. Unknown: an execution may run, and the workflow's deadline says when it cannot any more.
    const marked = start.reason === 'refused' && toStart ? await deps.intake.markNotStarted(toStart, deps.budget.end).catch(() => false) : false;
    deps.logger.warn('order accepted, workflow not started: a retry of the request or the reconciler starts it', { ...fields, marked_not_started: marked, error: start.error });
  } else {
    deps.logger.info(replayed ? 'order accepted again: idempotent replay, no new order' : 'order accepted', {
      ...fields,
      ...(start?.started ? { execution_arn: start.executionArn } : {}),
    });
  }
  const self = orderPath(orderId);
  return jsonResponse(202, { order_id: orderId, status: 'RECEIVED', links: { self } }, { [HEADERS.LOCATION]: self, ...(replayed ? { 'idempotent-replayed': 'true' } : {}) });
}

