/**
 * The order workflow's data contracts (docs/design.md "Workflow"), shared by its producers
 * (api-handler, reconcile-orders) and its task Lambdas (validate-order, store-order).
 */
import { correlationIdOf } from './carrier';
import { PATTERNS } from './constants';
import type { CreateOrderRequest, FieldError, StoredOrder } from './schemas';

/** The error name store-order throws for retryable DynamoDB failures; the workflow retries it. */
export const TRANSIENT_STORE_ERROR = 'TransientStoreError';

/** What StartExecution gets: everything the tasks need, so ValidateOrder reads nothing. */
export interface OrderExecutionInput {
  order_id: string;
  correlation_id: string;
  request_hash: string;
  received_at: string;
  order: CreateOrderRequest;
}

/** What ValidateOrder returns (at `$.verdict`); the `CheckVerdict` Choice state routes on `valid`. */
export type OrderVerdict = { valid: true; order: CreateOrderRequest; total_cents: number } | { valid: false; reasons: FieldError[] };

/** The execution state as it reaches StoreOrder / StoreRejectedOrder. */
export interface OrderExecutionState extends OrderExecutionInput {
  verdict?: OrderVerdict;
}

/**
 * The Step Functions execution name of an order's run: the order id itself for the first (valid:
 * <= 80 chars of [A-Za-z0-9_-]), `<id>-redrive-<n>` for the reconciler's n-th start.
 */
export function executionNameFor(orderId: string, redrive = 0): string {
  return redrive === 0 ? orderId : `${orderId}-redrive-${redrive}`;
}

/** An execution input that no DOFS producer would send (the workflow started by hand, or a bug). */
export class InvalidExecutionInput extends Error {
  override readonly name = 'InvalidExecutionInput';
}

const ORDER_ID = new RegExp(PATTERNS.ORDER_ID);

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The execution input for a stored order: what every start of its workflow sends. */
export function executionInputFor(order: Pick<StoredOrder, 'order_id' | 'correlation_id' | 'request_hash' | 'received_at' | 'customer_id' | 'items' | 'currency'>): OrderExecutionInput {
  return {
    order_id: order.order_id,
    correlation_id: correlationIdOf(order),
    request_hash: order.request_hash,
    received_at: order.received_at,
    order: {
      customer_id: order.customer_id,
      items: order.items.map((i) => ({ sku: i.sku, quantity: i.quantity, unit_price_cents: i.unit_price_cents })),
      currency: order.currency,
    },
  };
}

/**
 * Checks the envelope of an execution input (ids, hash, timestamps). The `order` itself is
 * checked by ValidateOrder with the request schema; a bad order is a rejection, not a bad input.
 */
export function readExecutionState(value: unknown): OrderExecutionState {
  if (!isObject(value)) throw new InvalidExecutionInput('execution input must be an object');
  const problems: string[] = [];
  if (typeof value['order_id'] !== 'string' || !ORDER_ID.test(value['order_id'])) problems.push('order_id must be an order id');
  if (typeof value['request_hash'] !== 'string' || value['request_hash'] === '') problems.push('request_hash must be a non-empty string');
  if (typeof value['correlation_id'] !== 'string') problems.push('correlation_id must be a string');
  if (typeof value['received_at'] !== 'string') problems.push('received_at must be a string');
  if (problems.length > 0) throw new InvalidExecutionInput(`invalid execution input: ${problems.join('; ')}`);
  return value as unknown as OrderExecutionState;
}
