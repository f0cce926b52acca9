import { createHttpError, ERROR_CODES, jsonResponse, type HttpResponse, type Logger } from '@dofs/handler-kit';
import { PATTERNS, type StoredOrder } from '@dofs/order-domain';
import { mayActFor, type Caller } from './caller';
import { toOrderView } from './orders-view';
import { storeUnavailable } from './store-errors';

/** The one read GET needs (OrdersRepository in production). */
export interface OrderReader {
  get(orderId: string): Promise<StoredOrder | undefined>;
}

export interface GetOrderDeps {
  orders: OrderReader;
  logger: Logger;
}

const ORDER_ID = new RegExp(PATTERNS.ORDER_ID);

function notFound(): Error {
  return createHttpError(404, ERROR_CODES.ORDER_NOT_FOUND, 'no order with this id');
}

/**
 * GET /orders/{order_id}: the stored order's public view, or 404: for ids that cannot exist, and for
 * another customer's order when a customer asks (the answer does not tell which).
 */
export async function getOrder(rawOrderId: string, caller: Caller, deps: GetOrderDeps): Promise<HttpResponse> {
  let orderId: string;
  try {
    orderId = decodeURIComponent(rawOrderId);
  } catch {
    throw notFound();
  }
  if (!ORDER_ID.test(orderId)) throw notFound();
  deps.logger.appendKeys({ order_id: orderId });
  let order: StoredOrder | undefined;
  try {
    order = await deps.orders.get(orderId);
  } catch (error) {
    throw storeUnavailable(error, 'read the order');
  }
  if (!order) throw notFound();
  if (!mayActFor(caller, order.customer_id)) {
    deps.logger.info('order of another customer: answered as not found', { status: 404 });
    throw notFound();
  }
  deps.logger.info('order read', { status: 200, order_status: order.status });
  return jsonResponse(200, toOrderView(order));
}
