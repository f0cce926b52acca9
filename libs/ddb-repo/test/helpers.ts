import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sampleOrder } from '@dofs/handler-kit/testing';
import { newOrderId, orderTotalCents, requestHash, type CreateOrderRequest, type OrderStatus, type StoredOrder } from '@dofs/order-domain';
import { orderItem, type OrderItem } from '../src';

/** A variable the local-aws jest harness sets; failing loudly beats silently using a default. */
export function harnessEnv(name: 'ORDERS_TABLE' | 'FAILED_ORDERS_TABLE' | 'IDEMPOTENCY_TABLE'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: these tests run under libs/local-aws/jest.aws-preset.cjs`);
  return value;
}

export const CREATED_AT = '2026-01-01T00:00:00.000Z';

/** A clock that moves one second per call, so every write has a distinct, predictable timestamp. */
export function steppingClock(start = Date.parse('2026-01-02T00:00:00.000Z')): () => Date {
  let tick = 0;
  return () => new Date(start + 1000 * tick++);
}

/**
 * Overrides for a test order. `status` is typed from the status model rather than from
 * `StoredOrder`, whose typebox-derived status type currently resolves to `never`.
 */
export type OrderOverrides = Partial<Omit<StoredOrder, 'status'>> & { status?: OrderStatus };

/** An order with a fresh id, PENDING unless told otherwise (in the open-orders index, open since received_at, unless terminal). */
export function makeOrder(overrides: OrderOverrides = {}, request: CreateOrderRequest = sampleOrder()): OrderItem {
  const orderId = overrides.order_id ?? newOrderId();
  const status = overrides.status ?? 'PENDING';
  const order = {
    order_id: orderId,
    ...request,
    total_cents: orderTotalCents(request.items),
    status,
    attempts: 0,
    request_hash: requestHash(request),
    correlation_id: 'corr-1',
    received_at: CREATED_AT,
    status_history: [],
    created_at: CREATED_AT,
    updated_at: CREATED_AT,
    ...overrides,
  } as StoredOrder;
  return { ...orderItem(order), ...overrides } as OrderItem;
}

/** Writes an order as is (any status), bypassing the repository: test set-up only. */
export async function seed<T extends StoredOrder>(client: DynamoDBDocumentClient, tableName: string, order: T): Promise<T> {
  await client.send(new PutCommand({ TableName: tableName, Item: order }));
  return order;
}
