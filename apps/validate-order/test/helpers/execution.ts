import { newOrderId, requestHash, type CreateOrderRequest, type OrderExecutionInput } from '@dofs/order-domain';

export function orderRequest(overrides: Partial<CreateOrderRequest> = {}): CreateOrderRequest {
  return {
    customer_id: 'c-123',
    items: [
      { sku: 'SKU-1', quantity: 2, unit_price_cents: 1999 },
      { sku: 'SKU-2', quantity: 1, unit_price_cents: 500 },
    ],
    currency: 'USD',
    ...overrides,
  };
}

/** The execution input api-handler starts the workflow with (docs/design.md), for `order`. */
export function executionInput(order: unknown = orderRequest(), overrides: Partial<OrderExecutionInput> = {}): OrderExecutionInput {
  const hashable = order as CreateOrderRequest;
  return {
    order_id: newOrderId(),
    correlation_id: 'corr-validate-1',
    request_hash: requestHash(hashable),
    received_at: '2026-11-24T00:00:00.000Z',
    order: hashable,
    ...overrides,
  };
}
