import { newOrderId, orderTotalCents, requestHash, type CreateOrderRequest, type OrderStatus, type StoredOrder } from '@dofs/order-domain';

/** A valid order request (one line, 2 x 19.99 USD, total 3998 cents) for any test that needs one. */
export function sampleOrder(overrides: Partial<CreateOrderRequest> = {}): CreateOrderRequest {
  return { customer_id: 'c-123', items: [{ sku: 'SKU-1', quantity: 2, unit_price_cents: 1999 }], currency: 'USD', ...overrides };
}

/** Overrides for a test order; `status` typed from the status model. */
export type OrderOverrides = Partial<Omit<StoredOrder, 'status'>> & { status?: OrderStatus };

/**
 * A stored order as api-handler writes it (RECEIVED) or in any other status, with a consistent
 * history. Without the `open-orders` index key: that is the table's layout, ddb-repo's `orderItem()`
 * adds it where a test writes an order the index must find.
 */
export function storedOrder(overrides: OrderOverrides = {}): StoredOrder {
  const request = sampleOrder();
  const now = new Date().toISOString();
  const orderId = overrides.order_id ?? newOrderId();
  const status = overrides.status ?? 'RECEIVED';
  const history: StoredOrder['status_history'] = [{ to: 'RECEIVED', at: now, by: 'api-handler' }];
  if (status !== 'RECEIVED') history.push({ from: 'RECEIVED', to: status === 'REJECTED' ? 'REJECTED' : 'PENDING', at: now, by: 'store-order' });
  if (!['RECEIVED', 'PENDING', 'REJECTED'].includes(status)) history.push({ from: 'PENDING', to: status, at: now, by: 'fulfill-order' });
  return {
    order_id: orderId,
    ...request,
    total_cents: orderTotalCents(request.items),
    status,
    attempts: 0,
    request_hash: requestHash(request),
    correlation_id: 'corr-fulfil',
    received_at: now,
    status_history: history,
    created_at: now,
    updated_at: now,
    ...overrides,
  } as StoredOrder;
}

/** A stored order as StoreOrder leaves it (PENDING, no attempts yet). */
export function pendingOrder(overrides: OrderOverrides = {}): StoredOrder {
  return storedOrder({ status: 'PENDING', ...overrides });
}

/** A random source that returns `values` in turn (then repeats the last one). */
export function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)] ?? 0;
}
