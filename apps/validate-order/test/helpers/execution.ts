import { sampleOrder } from '@dofs/handler-kit/testing';
import { newOrderId, requestHash, type CreateOrderRequest, type OrderExecutionInput } from '@dofs/order-domain';

/** The execution input api-handler starts the workflow with (docs/design.md), for `order`. */
export function executionInput(order: unknown = sampleOrder(), overrides: Partial<OrderExecutionInput> = {}): OrderExecutionInput {
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
