import { isRetryableDynamoError, StaleStatusError, type OrdersRepository } from '@dofs/ddb-repo';
import {
  describeCaughtError,
  InvalidExecutionInput,
  readExecutionState,
  rejectionReasons,
  type Logger,
  type OrderExecutionState,
  type ValidatedOrder,
} from '@dofs/handler-kit';
import { isTerminal, LIMITS, orderTotalCents, type CreateOrderRequest, type OrderItem, type OrderMessage, type OrderStatus, type StoredOrder } from '@dofs/order-domain';
import { TransientStoreError, UnknownStoreAction } from './errors';

export const STORE_ACTIONS = ['store', 'reject', 'fail'] as const;
export type StoreAction = (typeof STORE_ACTIONS)[number];

/** The task input: `{ "action": ..., "execution.$": "$" }` in the workflow. */
export interface StoreTaskInput {
  action: StoreAction;
  execution: OrderExecutionState;
}

export type StoreTaskResult = { message: OrderMessage } | { order_id: string; status: OrderStatus };

export type OrdersStore = Pick<OrdersRepository, 'create' | 'transition'>;

export interface StoreOrderDeps {
  orders: OrdersStore;
  logger: Logger;
  now: () => Date;
}

export function readTaskInput(input: unknown): StoreTaskInput {
  const value = input !== null && typeof input === 'object' ? (input as Record<string, unknown>) : {};
  const action = value['action'];
  if (typeof action !== 'string' || !(STORE_ACTIONS as readonly string[]).includes(action)) {
    throw new UnknownStoreAction(`action must be one of ${STORE_ACTIONS.join(', ')}, got ${JSON.stringify(action) ?? 'nothing'}`);
  }
  return { action: action as StoreAction, execution: readExecutionState(value['execution']) };
}

/** Retryable DynamoDB errors become TransientStoreError (retried by the workflow); the rest pass unchanged. */
async function store<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isRetryableDynamoError(error)) throw new TransientStoreError(`DynamoDB is unavailable: ${(error as Error).message}`, { cause: error });
    throw error;
  }
}

function validatedOf(execution: OrderExecutionState): ValidatedOrder {
  const validated = execution.validated;
  if (!validated || validated.order === null || typeof validated.order !== 'object' || !Number.isSafeInteger(validated.total_cents)) {
    throw new InvalidExecutionInput('StoreOrder needs the ValidateOrder result at $.validated');
  }
  return validated;
}

function isItemLike(value: unknown): value is OrderItem {
  if (value === null || typeof value !== 'object') return false;
  const item = value as Record<string, unknown>;
  return typeof item['sku'] === 'string' && Number.isSafeInteger(item['quantity']) && Number.isSafeInteger(item['unit_price_cents']);
}

/**
 * The order of a rejected execution, as far as it can be read. A business-rule rejection has a
 * schema-valid order, kept as is (normalised); an order that broke the schema keeps its readable
 * fields. No schema validation here: ValidateOrder did it, and store-order's bundle stays free of
 * the validator.
 */
function rejectedOrderFields(order: unknown): { fields: CreateOrderRequest; total_cents: number } {
  const raw = order !== null && typeof order === 'object' ? (order as Record<string, unknown>) : {};
  const items = (Array.isArray(raw['items']) ? raw['items'] : [])
    .filter(isItemLike)
    .slice(0, LIMITS.MAX_ITEMS)
    .map((i) => ({ sku: i.sku.slice(0, LIMITS.SKU_MAX_LENGTH), quantity: i.quantity, unit_price_cents: i.unit_price_cents }));
  let total_cents = 0;
  try {
    total_cents = Math.max(0, orderTotalCents(items));
  } catch {
    // an unsafe total: keep 0, the reasons say why the order was rejected
  }
  return {
    fields: {
      customer_id: typeof raw['customer_id'] === 'string' ? raw['customer_id'].slice(0, LIMITS.CUSTOMER_ID_MAX_LENGTH) : '',
      items,
      currency: typeof raw['currency'] === 'string' ? raw['currency'].slice(0, 16) : '',
    },
    total_cents,
  };
}

function bookkeeping(execution: OrderExecutionState, now: string) {
  return {
    request_hash: execution.request_hash,
    ...(typeof execution.idempotency_key === 'string' ? { idempotency_key: execution.idempotency_key } : {}),
    correlation_id: execution.correlation_id,
    created_at: now,
    updated_at: now,
  };
}

/** StoreOrder: idempotent create as PENDING; returns the queue message for EnqueueOrder. */
async function storePending(execution: OrderExecutionState, deps: StoreOrderDeps): Promise<StoreTaskResult> {
  const validated = validatedOf(execution);
  const order: StoredOrder = {
    order_id: execution.order_id,
    customer_id: validated.order.customer_id,
    items: validated.order.items,
    currency: validated.order.currency,
    total_cents: validated.total_cents,
    status: 'PENDING',
    attempts: 0,
    ...bookkeeping(execution, deps.now().toISOString()),
  };
  const result = await store(() => deps.orders.create(order));
  deps.logger.info(result.created ? 'order stored' : 'order already stored: idempotent retry', { order_status: result.order.status });
  return { message: { order_id: execution.order_id, correlation_id: execution.correlation_id } };
}

/** StoreRejectedOrder: idempotent create as REJECTED with the reasons ValidateOrder gave. */
async function storeRejected(execution: OrderExecutionState, deps: StoreOrderDeps): Promise<StoreTaskResult> {
  const reasons = rejectionReasons(execution.rejection);
  const { fields, total_cents } = rejectedOrderFields(execution.order);
  const order: StoredOrder = {
    order_id: execution.order_id,
    ...fields,
    total_cents,
    status: 'REJECTED',
    attempts: 0,
    rejection_reasons: reasons,
    ...bookkeeping(execution, deps.now().toISOString()),
  };
  const result = await store(() => deps.orders.create(order));
  deps.logger.info(result.created ? 'order stored as REJECTED' : 'order already stored as REJECTED: idempotent retry', { reasons: reasons.length });
  return { order_id: execution.order_id, status: result.order.status };
}

/**
 * MarkOrderFailed: the order was stored but could not be queued, so PENDING -> FAILED with the
 * reason. Idempotent: an order already FAILED (a retry) or otherwise terminal is left as it is;
 * one in RETRYING did reach the queue after all (the send's answer was lost), so fulfilment owns it.
 */
async function markFailed(execution: OrderExecutionState, deps: StoreOrderDeps): Promise<StoreTaskResult> {
  const failure_reason = `could not queue the order for fulfilment: ${describeCaughtError(execution.error)}`;
  try {
    const order = await store(() => deps.orders.transition(execution.order_id, 'PENDING', 'FAILED', { failure_reason }));
    deps.logger.info('order marked FAILED', { failure_reason });
    return { order_id: execution.order_id, status: order.status };
  } catch (error) {
    if (!(error instanceof StaleStatusError)) throw error;
    const status = error.actual;
    if (isTerminal(status)) deps.logger.info('order already terminal: left unchanged', { order_status: status });
    else deps.logger.warn('order is being fulfilled after all: left to fulfilment', { order_status: status });
    return { order_id: execution.order_id, status };
  }
}

export async function runStoreTask(input: unknown, deps: StoreOrderDeps): Promise<StoreTaskResult> {
  const { action, execution } = readTaskInput(input);
  switch (action) {
    case 'store':
      return storePending(execution, deps);
    case 'reject':
      return storeRejected(execution, deps);
    case 'fail':
      return markFailed(execution, deps);
  }
}
