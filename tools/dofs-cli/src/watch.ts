import type { StatusChange, StoredOrder } from '@dofs/order-domain';
import type { Context } from './context';
import { changeLine } from './format';
import { listOpenOrders } from './orders';
import { scanFailed } from './failed';

export interface WatchEvent {
  order_id: string;
  change?: StatusChange;
  /** A new failed_orders item. */
  failed?: { failed_at: string; reason: string };
}

interface Seen {
  updatedAt: string;
  historyLength: number;
}

/**
 * A live tail of order events until `signal` aborts: every `intervalMs` it reads the open-orders
 * index (one Query per shard; the index is small, orders leave it when they end), re-reads those
 * orders' status and `updated_at` (BatchGetItem) and reads failed_orders, and for each order that appeared,
 * changed or left the index it reads the order and reports the status changes it had not reported.
 * The first poll only takes stock. An order that starts and ends between two polls is not seen
 * (unless it failed): nothing but a scan of `orders` could find it, and that is not done.
 */
export interface WatchOptions {
  intervalMs: number;
  signal: AbortSignal;
  /** Default: print the event. */
  onEvent?: (event: WatchEvent) => void;
  /** Called after each poll (tests change the tables between polls). */
  onPoll?: () => Promise<void>;
}

export async function watch(ctx: Context, opts: WatchOptions): Promise<void> {
  const seen = new Map<string, Seen>();
  const failedSeen = new Set<string>();
  const report =
    opts.onEvent ??
    ((event: WatchEvent) => {
      if (ctx.json) return ctx.out(JSON.stringify(event));
      if (event.change) ctx.out(`${event.order_id}  ${changeLine(event.change)}`);
      if (event.failed) ctx.out(`${event.order_id}  ${event.failed.failed_at}  failed_orders: ${event.failed.reason}`);
    });
  let first = true;
  if (!ctx.json) ctx.err(`watching ${ctx.target.ordersTable} (open-orders index) and ${ctx.target.failedOrdersTable} every ${opts.intervalMs / 1000} s; Ctrl-C stops`);
  while (!opts.signal.aborted) {
    const open = new Map<string, string>();
    for (const row of await listOpenOrders(ctx)) open.set(row.order_id, row.updated_at);
    const changed = [...open].filter(([id, updatedAt]) => seen.get(id)?.updatedAt !== updatedAt).map(([id]) => id);
    const left = [...seen.keys()].filter((id) => !open.has(id));
    for (const id of [...changed, ...left]) {
      const order: StoredOrder | undefined = await ctx.orders.get(id);
      const history = order?.status_history ?? [];
      const before = seen.get(id)?.historyLength ?? (first ? history.length : 0);
      if (!first) for (const change of history.slice(before)) report({ order_id: id, change });
      if (order && open.has(id)) seen.set(id, { updatedAt: order.updated_at, historyLength: history.length });
      else seen.delete(id);
    }
    for (const record of await scanFailed(ctx)) {
      if (failedSeen.has(record.order_id)) continue;
      failedSeen.add(record.order_id);
      if (!first) report({ order_id: record.order_id, failed: { failed_at: record.failed_at, reason: record.reason } });
    }
    first = false;
    await opts.onPoll?.();
    if (opts.signal.aborted) break;
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        opts.signal.removeEventListener('abort', wake);
        resolve();
      };
      const timer = setTimeout(wake, opts.intervalMs);
      opts.signal.addEventListener('abort', wake);
    });
  }
}
