import { IdempotencyConflictError, type IntakeOutcome, type OrderIntake } from '@dofs/ddb-repo';
import { createHttpError, ERROR_CODES, HEADERS, jsonResponse, type HttpRequest, type HttpResponse, type Logger, type Metrics } from '@dofs/handler-kit';
import {
  executionInputFor,
  idempotencyKeyHash,
  LIMITS,
  newOrderId,
  openIndexKey,
  orderTotalCents,
  PATTERNS,
  requestHash,
  validateCreateOrder,
  type CreateOrderRequest,
  type StoredOrder,
} from '@dofs/order-domain';
import { orderPath } from './orders-view';
import { storeUnavailable } from './store-errors';
import { startOrderWorkflow, type SfnSender } from './workflow-starter';

export const SERVICE_NAME = 'api-handler';

export interface CreateOrderDeps {
  intake: Pick<OrderIntake, 'accept'>;
  sfn: SfnSender;
  stateMachineArn: string;
  logger: Logger;
  /** OrdersAccepted is counted here, once per new order (not for a replay). */
  metrics: Pick<Metrics, 'count'>;
  now: () => Date;
}

/**
 * A replayed request whose order is still RECEIVED this long after its intake starts the workflow
 * again: its first start may have failed. Sooner, the first execution is most likely still on its
 * way (starting a second one would be harmless, every task is idempotent, but wasteful).
 */
export const RESTART_RECEIVED_AFTER_MS = 10_000;

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
    ...openIndexKey(orderId, at),
    created_at: at,
    updated_at: at,
  };
}

/**
 * POST /order (body already size-checked and JSON-parsed). 202 means: the order is stored RECEIVED
 * (GET answers 200 from now on) and will be processed; its workflow was started, or will be by a
 * retry of this request or by the reconciler. A retry with the same Idempotency-Key and body answers
 * the same 202 (`idempotent-replayed: true`) and creates nothing; another body is 409.
 */
export async function createOrder(request: HttpRequest, correlationId: string, deps: CreateOrderDeps): Promise<HttpResponse> {
  const idempotencyKey = readIdempotencyKey(request.headers);
  const checked = validateCreateOrder(request.body);
  if (!checked.ok) {
    throw createHttpError(400, ERROR_CODES.VALIDATION_FAILED, 'the order does not match the schema', { details: checked.errors });
  }
  const candidate = receivedOrder(checked.value, correlationId, idempotencyKey, deps.now().toISOString());
  let intake: IntakeOutcome;
  try {
    intake = await deps.intake.accept(candidate);
  } catch (error) {
    if (error instanceof IdempotencyConflictError) {
      throw createHttpError(409, ERROR_CODES.IDEMPOTENCY_CONFLICT, 'this Idempotency-Key was already used with a different request body', {
        cause: error,
        details: [{ path: 'Idempotency-Key', message: 'reuse a key only to retry the identical request' }],
      });
    }
    throw storeUnavailable(error, 'store the order');
  }

  const replayed = intake.outcome === 'replayed';
  const orderId = intake.outcome === 'replayed' ? intake.record.order_id : candidate.order_id;
  deps.logger.appendKeys({ order_id: orderId });
  if (!replayed) deps.metrics.count('OrdersAccepted');
  const toStart = intake.outcome === 'replayed' ? stillReceived(intake.order, deps.now()) : candidate;
  const start = toStart ? await startOrderWorkflow(deps.sfn, deps.stateMachineArn, executionInputFor(toStart)) : undefined;
  const fields = { status: 202, idempotency_key_used: idempotencyKey !== null, replayed, workflow: start === undefined ? 'not-needed' : start.started ? 'started' : start.reason };
  if (start && !start.started && start.reason === 'failed') {
    deps.logger.warn('order accepted, workflow not started: a retry of the request or the reconciler starts it', { ...fields, error: start.error });
  } else {
    deps.logger.info(replayed ? 'order accepted again: idempotent replay, no new order' : 'order accepted', {
      ...fields,
      ...(start?.started ? { execution_arn: start.executionArn } : {}),
    });
  }
  const self = orderPath(orderId);
  return jsonResponse(202, { order_id: orderId, status: 'RECEIVED', links: { self } }, { [HEADERS.LOCATION]: self, ...(replayed ? { 'idempotent-replayed': 'true' } : {}) });
}

/** The replayed order if it is still RECEIVED well after its intake (its workflow may never have started). */
function stillReceived(order: StoredOrder, now: Date): StoredOrder | undefined {
  if (order.status !== 'RECEIVED') return undefined;
  return now.getTime() - Date.parse(order.received_at) >= RESTART_RECEIVED_AFTER_MS ? order : undefined;
}
