import {
  createHttpError,
  ERROR_CODES,
  HEADERS,
  jsonResponse,
  type HttpRequest,
  type HttpResponse,
  type Logger,
  type OrderExecutionInput,
} from '@dofs/handler-kit';
import { LIMITS, newOrderId, orderIdForIdempotencyKey, PATTERNS, requestHash, validateCreateOrder } from '@dofs/order-domain';
import { orderPath } from './orders-view';
import { startOrderWorkflow, type SfnSender } from './workflow-starter';

export interface CreateOrderDeps {
  sfn: SfnSender;
  stateMachineArn: string;
  logger: Logger;
  now: () => Date;
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

/**
 * POST /order (body already size-checked and JSON-parsed): validates the order, derives its id
 * (from the Idempotency-Key when given) and starts the workflow named after it. 202 either way
 * when the same request is retried; the workflow stores the order moments later.
 */
export async function createOrder(request: HttpRequest, correlationId: string, deps: CreateOrderDeps): Promise<HttpResponse> {
  const idempotencyKey = readIdempotencyKey(request.headers);
  const checked = validateCreateOrder(request.body);
  if (!checked.ok) {
    throw createHttpError(400, ERROR_CODES.VALIDATION_FAILED, 'the order does not match the schema', { details: checked.errors });
  }
  const order = checked.value;
  const orderId = idempotencyKey === null ? newOrderId() : orderIdForIdempotencyKey(order.customer_id, idempotencyKey);
  deps.logger.appendKeys({ order_id: orderId });
  const input: OrderExecutionInput = {
    order_id: orderId,
    correlation_id: correlationId,
    request_hash: requestHash(order),
    idempotency_key: idempotencyKey,
    received_at: deps.now().toISOString(),
    order,
  };
  const outcome = await startOrderWorkflow(deps.sfn, deps.stateMachineArn, input);
  deps.logger.info(outcome.started ? 'order accepted' : 'order accepted again: idempotent retry, no new workflow', {
    status: 202,
    execution_arn: outcome.executionArn,
    idempotency_key_used: idempotencyKey !== null,
  });
  const self = orderPath(orderId);
  return jsonResponse(
    202,
    { order_id: orderId, status: 'ACCEPTED', links: { self } },
    { [HEADERS.LOCATION]: self, ...(outcome.started ? {} : { 'idempotent-replayed': 'true' }) },
  );
}
