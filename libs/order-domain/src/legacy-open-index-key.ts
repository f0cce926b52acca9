/**
 * @deprecated The `open-orders` index is `@dofs/ddb-repo`'s (orders-table.ts: `openIndexKey`,
 * `orderItem`). This copy stays only while apps/local-stack's tests still take it from here
 * (test/dashboard.spec.ts, and e2e/reconciler and e2e/backlog-loss through handler-kit's
 * `storedOrder`); delete it once they import ddb-repo's. libs/ddb-repo/test/orders-table.spec.ts
 * checks that it gives the same key.
 */
export function openIndexKey(orderId: string, since: string): { open_shard: string; open_since: string } {
  return { open_shard: `OPEN#${Number.parseInt(orderId.slice(-4), 16) % 16}`, open_since: since };
}
