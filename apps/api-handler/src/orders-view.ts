import type { StoredOrder } from '@dofs/order-domain';

/** `links.self` of an order, relative to the API root. */
export function orderPath(orderId: string): string {
  return `/orders/${orderId}`;
}

/**
 * What GET /orders/{order_id} shows of a stored order. Left out: internal bookkeeping
 * (request_hash, idempotency_key_hash, correlation_id, redrives, the table's index key) and `failure_reason`,
 * which may carry raw causes; a FAILED or REJECTED order shows its public `status_reason` instead.
 */
export interface OrderView {
  order_id: string;
  status: StoredOrder['status'];
  customer_id: string;
  items: StoredOrder['items'];
  currency: string;
  total_cents: number;
  attempts: number;
  last_error?: string;
  status_reason?: StoredOrder['status_reason'];
  rejection_reasons?: StoredOrder['rejection_reasons'];
  status_history: StoredOrder['status_history'];
  received_at: string;
  created_at: string;
  updated_at: string;
  links: { self: string };
}

export function toOrderView(order: StoredOrder): OrderView {
  const view: OrderView = {
    order_id: order.order_id,
    status: order.status,
    customer_id: order.customer_id,
    items: order.items.map((i) => ({ sku: i.sku, quantity: i.quantity, unit_price_cents: i.unit_price_cents })),
    currency: order.currency,
    total_cents: order.total_cents,
    attempts: order.attempts,
    status_history: (order.status_history ?? []).map((c) => ({
      ...(c.from === undefined ? {} : { from: c.from }),
      to: c.to,
      at: c.at,
      by: c.by,
      ...(c.attempt === undefined ? {} : { attempt: c.attempt }),
    })),
    received_at: order.received_at ?? order.created_at,
    created_at: order.created_at,
    updated_at: order.updated_at,
    links: { self: orderPath(order.order_id) },
  };
  if (order.last_error !== undefined) view.last_error = order.last_error;
  if (order.status_reason !== undefined) view.status_reason = { code: order.status_reason.code, message: order.status_reason.message };
  if (order.rejection_reasons !== undefined) view.rejection_reasons = order.rejection_reasons.map((r) => ({ path: r.path, message: r.message }));
  return view;
}
