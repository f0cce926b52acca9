import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isTerminal, type StoredOrder } from '@dofs/order-domain';

/**
 * The layout of the `orders` table beyond its key: the sparse `open-orders` index and how one order
 * is read. The only module that names the index or its attributes (a source scan test keeps it so);
 * infra/modules and libs/local-aws/src/tables.ts declare the same index, and their tests compare.
 */

/** The sparse index of open (non-terminal) orders on `orders`: partition `open_shard`, sort `open_since`, KEYS_ONLY. */
export const OPEN_ORDERS_INDEX = 'open-orders';

/**
 * Shards of the `open-orders` index (partition key `OPEN#<shard>`): an index partition takes about
 * 1,000 writes/s, and every order's index writes (one when it opens, one when it ends) land in its
 * shard's partition, so 16 shards carry 8,000 orders/s (`npm run capacity`). An open order keeps the
 * shard it was written with until it ends: growing the count (to a multiple) needs no migration,
 * since every reader queries all shards up to it; shrinking it would need both layouts queried.
 */
export const OPEN_ORDER_SHARDS = 16;

/** The partition key prefix of the `open-orders` index: `OPEN#<shard>`, whatever the open status. */
export const OPEN_SHARD_PREFIX = 'OPEN';

/** The order attributes that are the `open-orders` index key: set when an order opens, removed when it ends. */
export const OPEN_INDEX_ATTRIBUTES = ['open_shard', 'open_since'] as const;

/** The attributes that put an order in the sparse `open-orders` index. */
export interface OpenIndexKey {
  /** Partition key: `OPEN#<shard>` (`openShardKey`). */
  open_shard: string;
  /** Sort key: when the order entered the index (intake, or an operator's redrive), ISO 8601. */
  open_since: string;
}

/** An order as the `orders` table holds it: the order, and its index key while it is open. */
export type OrderItem = StoredOrder & Partial<OpenIndexKey>;

/** The `open-orders` index shard of an order: stable, spread evenly by the random order id. */
export function openShardOf(orderId: string): number {
  return Number.parseInt(orderId.slice(-4), 16) % OPEN_ORDER_SHARDS;
}

/** The `open-orders` index partition `OPEN#<shard>`: what the reconciler queries, one per shard. */
export function openShardPartition(shard: number): string {
  return `${OPEN_SHARD_PREFIX}#${shard}`;
}

/** The `open-orders` index partition of an order: the same for every open status it has. */
export function openShardKey(orderId: string): string {
  return openShardPartition(openShardOf(orderId));
}

/**
 * The index key of an order that becomes open at `since`. Written only when an order enters the
 * index (intake, an operator's FAILED -> RETRYING) and removed by the write that makes it terminal
 * (`statusWrite`): no other write touches it, so the index is written twice in an open period.
 */
export function openIndexKey(orderId: string, since: string): OpenIndexKey {
  return { open_shard: openShardKey(orderId), open_since: since };
}

/** The item to put for `order`: an open order carries its index key, open since it was received (unless it has one). */
export function orderItem(order: OrderItem): OrderItem {
  return isTerminal(order.status) ? order : { ...openIndexKey(order.order_id, order.received_at), ...order };
}

/** UpdateExpression SET clauses (and their values) that put an order back in the index, open since `since`. */
export function reopenIndex(orderId: string, since: string): { sets: string[]; values: Record<string, string> } {
  const key = openIndexKey(orderId, since);
  return { sets: OPEN_INDEX_ATTRIBUTES.map((name) => `${name} = :${name}`), values: { ':open_shard': key.open_shard, ':open_since': key.open_since } };
}

/** The item of one order as last written (strongly consistent), or `undefined`; `options` are the SDK's (an abort signal). */
export async function readOrder(client: DynamoDBDocumentClient, ordersTable: string, orderId: string, options?: { abortSignal?: AbortSignal }): Promise<OrderItem | undefined> {
  const { Item } = await client.send(new GetCommand({ TableName: ordersTable, Key: { order_id: orderId }, ConsistentRead: true }), options);
  return Item as OrderItem | undefined;
}
