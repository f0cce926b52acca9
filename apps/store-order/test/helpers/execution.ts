import { newOrderId, orderTotalCents, requestHash, type CreateOrderRequest, type FieldError } from '@dofs/order-domain';
import type { OrderExecutionState } from '@dofs/handler-kit';

export function orderRequest(overrides: Partial<CreateOrderRequest> = {}): CreateOrderRequest {
  return { customer_id: 'c-123', items: [{ sku: 'SKU-1', quantity: 2, unit_price_cents: 1999 }], currency: 'USD', ...overrides };
}

/** The execution input api-handler starts the workflow with. */
export function executionInput(order: CreateOrderRequest = orderRequest(), overrides: Partial<OrderExecutionState> = {}): OrderExecutionState {
  return {
    order_id: newOrderId(),
    correlation_id: 'corr-store-1',
    request_hash: requestHash(order),
    idempotency_key: null,
    received_at: '2026-11-24T00:00:00.000Z',
    order,
    ...overrides,
  };
}

/** The state after ValidateOrder succeeded (its result at $.validated). */
export function validatedState(order: CreateOrderRequest = orderRequest(), overrides: Partial<OrderExecutionState> = {}): OrderExecutionState {
  return { ...executionInput(order, overrides), validated: { order, total_cents: orderTotalCents(order.items) } };
}

/**
 * The state after ValidateOrder threw OrderRejected: Step Functions puts `{ Error, Cause }` at
 * $.rejection, Cause being the Node runtime's error JSON whose errorMessage is `{"reasons":[...]}`.
 */
export function rejectedState(reasons: FieldError[], order: CreateOrderRequest = orderRequest()): OrderExecutionState {
  const cause = JSON.stringify({ errorType: 'OrderRejected', errorMessage: JSON.stringify({ reasons }), trace: ['OrderRejected: ...', '    at validateOrder (/var/task/main.js:1:1)'] });
  return { ...executionInput(order), rejection: { Error: 'OrderRejected', Cause: cause } };
}

/** The task input of the StoreOrder / StoreRejectedOrder / MarkOrderFailed states. */
export function taskInput(action: 'store' | 'reject' | 'fail', execution: OrderExecutionState) {
  return { action, execution };
}
