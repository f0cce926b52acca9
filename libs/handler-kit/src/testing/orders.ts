import { newOrderId, requestHash, type StoredOrder } from '@dofs/order-domain';

/** A stored order as StoreOrder writes it (PENDING, no attempts yet). */
export function pendingOrder(overrides: Partial<StoredOrder> = {}): StoredOrder {
  const request = { customer_id: 'c-123', items: [{ sku: 'SKU-1', quantity: 2, unit_price_cents: 1999 }], currency: 'USD' };
  const now = new Date().toISOString();
  return {
    order_id: newOrderId(),
    ...request,
    total_cents: 3998,
    status: 'PENDING',
    attempts: 0,
    request_hash: requestHash(request),
    correlation_id: 'corr-fulfil',
    created_at: now,
    updated_at: now,
    ...overrides,
  };
}

/** A random source that returns `values` in turn (then repeats the last one). */
export function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)] ?? 0;
}
