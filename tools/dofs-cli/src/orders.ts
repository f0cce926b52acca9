import { openOrderKeys, readOpenOrders, type OpenOrderRow } from '@dofs/ddb-repo';
import { isOrderStatus, OPEN_STATUSES, PATTERNS, type OrderStatus, type StoredOrder } from '@dofs/order-domain';
import type { Context } from './context';
import { CliError, UsageError } from './errors';
import { age, table, timeline } from './format';

const ORDER_ID = new RegExp(PATTERNS.ORDER_ID);

export function checkOrderId(id: string | undefined): string {
  if (!id) throw new UsageError('give an order id (ord_ followed by 32 hex digits)');
  if (!ORDER_ID.test(id)) throw new UsageError(`"${id}" is not an order id (ord_ followed by 32 hex digits)`);
  return id;
}

export async function readOrder(ctx: Context, id: string): Promise<StoredOrder> {
  const order = await ctx.orders.get(id);
  if (!order) throw new CliError(`no order ${id} in ${ctx.target.ordersTable}`);
  return order;
}

/** The order's fields a person asks about first, as `name: value` lines. */
function summary(order: StoredOrder): string[] {
  const fields: [string, string | undefined][] = [
    ['order', order.order_id],
    ['status', order.status],
    ['customer', order.customer_id],
    ['total', `${order.total_cents} ${order.currency} minor units, ${order.items.length} item(s)`],
    ['attempts', String(order.attempts)],
    ['last error', order.last_error],
    ['public reason', order.status_reason ? `${order.status_reason.code}: ${order.status_reason.message}` : undefined],
    ['failure reason', order.failure_reason],
    ['rejected for', order.rejection_reasons?.map((r) => `${r.path} ${r.message}`).join('; ')],
    ['re-drives', order.redrives === undefined ? undefined : String(order.redrives)],
    ['correlation id', order.correlation_id],
    ['received', order.received_at],
    ['updated', order.updated_at],
  ];
  return fields.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${`${k}:`.padEnd(16)}${v}`);
}

/** `orders get <id>`: the order and its status history as a timeline. */
export async function ordersGet(ctx: Context, id: string | undefined): Promise<void> {
  const order = await readOrder(ctx, checkOrderId(id));
  if (ctx.json) return ctx.out(JSON.stringify(order, null, 2));
  const history = order.status_history ?? [];
  ctx.out([...summary(order), '', `status history (${history.length}):`, ...timeline(history)].join('\n'));
  if (order.status === 'FAILED') ctx.out(`\nfailed_orders: dofs failed show ${order.order_id}`);
}

export type { OpenOrderRow };

/**
 * Every open order (last updated before `before`, if given), oldest update first: one Query per
 * shard of the sparse `open-orders` index (KEYS_ONLY, never a Scan), then the orders re-read with
 * BatchGetItem for their status and `updated_at`, which the index does not hold. An order updated
 * before `before` opened before it too, so `before` also narrows the index query.
 */
export async function listOpenOrders(ctx: Context, opts: { before?: string } = {}): Promise<OpenOrderRow[]> {
  const keys = await openOrderKeys(ctx.ddb, ctx.target.ordersTable, opts.before === undefined ? {} : { cutoff: opts.before });
  const rows = await readOpenOrders(ctx.ddb, ctx.target.ordersTable, keys);
  return rows.filter((r) => opts.before === undefined || r.updated_at < opts.before).sort((a, b) => a.updated_at.localeCompare(b.updated_at));
}

/** Open orders in `status` (last updated before `before`, if given), oldest first, at most `limit`. */
export async function queryOpenOrders(ctx: Context, status: OrderStatus, opts: { before?: string; limit: number }): Promise<OpenOrderRow[]> {
  const rows = await listOpenOrders(ctx, opts.before === undefined ? {} : { before: opts.before });
  return rows.filter((r) => r.status === status).slice(0, opts.limit);
}

export function checkStatus(text: string | undefined): OrderStatus {
  const status = text?.toUpperCase();
  if (!status || !isOrderStatus(status)) throw new UsageError(`--status takes one of RECEIVED, PENDING, RETRYING, FULFILLED, FAILED, REJECTED${text ? `, not "${text}"` : ''}`);
  return status;
}

/** `orders list --status <s> [--older-than 10m] [--limit n]`. */
export async function ordersList(ctx: Context, statusText: string | undefined, opts: { olderThanMs?: number; limit: number }): Promise<'failed-list' | void> {
  const status = checkStatus(statusText);
  if (status === 'FAILED') return 'failed-list';
  if (!OPEN_STATUSES.includes(status)) {
    throw new CliError(
      `${status} orders cannot be listed: only open statuses (${OPEN_STATUSES.join(', ')}) are in the open-orders index, and dofs never scans orders; FAILED ones are in failed_orders (dofs failed list)`,
    );
  }
  const now = ctx.now();
  const before = opts.olderThanMs === undefined ? undefined : new Date(now.getTime() - opts.olderThanMs).toISOString();
  const rows = (await queryOpenOrders(ctx, status, { limit: opts.limit, ...(before === undefined ? {} : { before }) })).map(({ order_id, status: s, updated_at }) => ({ order_id, status: s, updated_at }));
  if (ctx.json) return ctx.out(JSON.stringify(rows, null, 2));
  if (rows.length === 0) return ctx.out(`no ${status} orders${before ? ` last updated before ${before}` : ''}`);
  ctx.out(table(['ORDER', 'STATUS', 'UPDATED', 'AGE'], rows.map((r) => [r.order_id, r.status, r.updated_at, age(now.getTime() - Date.parse(r.updated_at))])));
  if (rows.length === opts.limit) ctx.out(`(first ${opts.limit}; --limit shows more)`);
}
