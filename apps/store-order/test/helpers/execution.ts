import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { orderItem, type OrderItem } from '@dofs/ddb-repo';
import { storedOrder } from '@dofs/handler-kit/testing';
import { executionInputFor, orderTotalCents, type FieldError, type OrderExecutionState, type StoredOrder } from '@dofs/order-domain';

/** A RECEIVED order as api-handler stores it, written to the table. */
export async function receivedOrder(client: DynamoDBDocumentClient, overrides: Partial<StoredOrder> = {}): Promise<OrderItem> {
  const order = orderItem(storedOrder({ status: 'RECEIVED', correlation_id: 'corr-store-1', ...overrides } as Partial<StoredOrder>));
  await client.send(new PutCommand({ TableName: String(process.env['ORDERS_TABLE']), Item: order }));
  return order;
}

/** The state after ValidateOrder accepted the order (its verdict at $.verdict). */
export function validatedState(order: StoredOrder): OrderExecutionState {
  const input = executionInputFor(order);
  return { ...input, verdict: { valid: true, order: input.order, total_cents: orderTotalCents(input.order.items) } };
}

/** The state after ValidateOrder rejected the order. */
export function rejectedState(order: StoredOrder, reasons: FieldError[]): OrderExecutionState {
  return { ...executionInputFor(order), verdict: { valid: false, reasons } };
}

/** The task input of the StoreOrder / StoreRejectedOrder states. */
export function taskInput(action: 'store' | 'reject', execution: OrderExecutionState) {
  return { action, execution };
}
