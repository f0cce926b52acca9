import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createTestTables } from '@dofs/local-aws';
import { newOrderId, PUBLIC_REASONS, type StoredOrder } from '@dofs/order-domain';
import { createDocumentClient, OPEN_ORDER_SHARDS, OpenOrders, openOrderKeys, openShardOf, readOpenOrders, reconcilerMessageId } from '../src';
import { makeOrder, seed, steppingClock } from './helpers';

// Against DynamoDB Local (local-aws jest harness), on tables of this file's own so the index holds
// only the orders seeded here. Nothing is mocked.
const client = createDocumentClient();
let ordersTable = '';
let failedOrdersTable = '';
const repo = (): OpenOrders => new OpenOrders({ ordersTable, failedOrdersTable, writer: 'reconcile-orders', client, now: steppingClock(Date.parse('2026-02-01T00:00:00.000Z')) });

beforeAll(async () => {
  const names = await createTestTables({ prefix: 'open-orders' });
  ordersTable = names.orders;
  failedOrdersTable = names.failedOrders;
});
afterAll(() => client.destroy());

/** An order id whose `open-orders` shard is `shard`. */
function idInShard(shard: number): string {
  for (;;) {
    const id = newOrderId();
    if (openShardOf(id) === shard) return id;
  }
}

describe('openBefore', () => {
  it('finds orders open since before the cut-off in every shard, whatever their status, and nothing else', async () => {
    const old: StoredOrder[] = [];
    for (let shard = 0; shard < OPEN_ORDER_SHARDS; shard += 1) {
      const status = (['RECEIVED', 'PENDING', 'RETRYING'] as const)[shard % 3];
      // Updated recently or not: the index knows only when the order opened.
      old.push(await seed(client, ordersTable, makeOrder({ order_id: idInShard(shard), status, received_at: `2026-01-01T00:00:0${shard}.000Z`, updated_at: '2026-01-05T00:00:00.000Z' })));
    }
    await seed(client, ordersTable, makeOrder({ status: 'RETRYING', received_at: '2026-01-03T00:00:00.000Z' })); // opened too recently
    await seed(client, ordersTable, makeOrder({ status: 'FULFILLED', received_at: '2026-01-01T00:00:00.000Z' })); // not in the index

    const found = await repo().openBefore('2026-01-02T00:00:00.000Z', 100);

    expect(found.map((k) => k.order_id).sort()).toEqual(old.map((o) => o.order_id).sort());
    expect(Object.fromEntries(found.map((k) => [k.order_id, k.open_since]))).toEqual(Object.fromEntries(old.map((o) => [o.order_id, o.received_at])));
  });

  it('stops at the limit, paging within a shard, oldest first', async () => {
    const shard = 3;
    for (let i = 0; i < 5; i += 1) {
      await seed(client, ordersTable, makeOrder({ order_id: idInShard(shard), status: 'RECEIVED', received_at: `2025-12-01T00:00:0${i}.000Z` }));
    }
    const found = await repo().openBefore('2025-12-02T00:00:00.000Z', 3);
    expect(found.map((k) => k.open_since)).toEqual(['2025-12-01T00:00:00.000Z', '2025-12-01T00:00:01.000Z', '2025-12-01T00:00:02.000Z']);
  });

  it('shares the limit among the shards, so a crowded shard cannot starve the others', async () => {
    const names = await createTestTables({ prefix: 'open-fair' });
    const fair = new OpenOrders({ ordersTable: names.orders, failedOrdersTable: names.failedOrders, writer: 'reconcile-orders', client });
    // 40 old orders in shard 0, one younger order in each of shards 5 and 7.
    for (let i = 0; i < 40; i += 1) {
      await seed(client, names.orders, makeOrder({ order_id: idInShard(0), status: 'PENDING', received_at: `2025-11-01T00:00:${String(i).padStart(2, '0')}.000Z` }));
    }
    const lonely = [5, 7].map((shard) => makeOrder({ order_id: idInShard(shard), status: 'PENDING', received_at: '2025-11-20T00:00:00.000Z' }));
    for (const order of lonely) await seed(client, names.orders, order);

    const found = await fair.openBefore('2025-12-01T00:00:00.000Z', 16);

    expect(found).toHaveLength(16);
    expect(found.map((k) => k.order_id)).toEqual(expect.arrayContaining(lonely.map((o) => o.order_id)));
    // What shards 1-7 left unused went to shard 0, oldest first.
    const shard0 = found.filter((k) => openShardOf(k.order_id) === 0).map((k) => k.open_since);
    expect(shard0).toEqual(Array.from({ length: 14 }, (_, i) => `2025-11-01T00:00:${String(i).padStart(2, '0')}.000Z`));
  });
});

describe('readAll', () => {
  it('reads many orders consistently, in the order of the keys, leaving out the ones that are gone', async () => {
    const orders: StoredOrder[] = [];
    for (let i = 0; i < 130; i += 1) orders.push(await seed(client, ordersTable, makeOrder({ status: 'PENDING' })));
    const gone = { order_id: newOrderId() };
    const read = await repo().readAll([...orders.slice(0, 70), gone, ...orders.slice(70)]);
    expect(read).toEqual(orders);
  });
});

describe('claims of a re-drive', () => {
  const dispatch = { seq: 2, at: '2026-02-01T00:00:00.000Z', sent_by: '2026-02-01T00:00:07.000Z', visible_at: '2026-02-01T00:00:00.000Z', by: 'reconcile-orders' };

  it('lets one of two runs that read the same order claim it, and counts the re-drive only when confirmed', async () => {
    const order = await seed(client, ordersTable, makeOrder({ status: 'PENDING', updated_at: '2026-01-01T00:00:00.000Z' }));
    const claimed = await repo().claimRequeue(order, dispatch);
    expect(claimed).toMatchObject({ dispatch, status: 'PENDING', updated_at: '2026-02-01T00:00:00.000Z' });
    expect(claimed?.redrives).toBeUndefined();
    await expect(repo().claimRequeue(order, dispatch)).resolves.toBeUndefined();

    await expect(repo().confirmRedrive(order.order_id, { kind: 'requeue', seq: 2 })).resolves.toBe(true);
    await expect(repo().get(order.order_id)).resolves.toMatchObject({ redrives: 1 });
    // A confirmation for a dispatch that is no longer the order's: nothing counted.
    await expect(repo().confirmRedrive(order.order_id, { kind: 'requeue', seq: 1 })).resolves.toBe(false);
  });

  it('claims a RECEIVED order until its execution is over, gives a refused claim back, and keeps the reason of a permanent failure', async () => {
    const order = await seed(client, ordersTable, makeOrder({ status: 'RECEIVED', updated_at: '2026-01-01T00:00:00.000Z' }));
    const until = '2026-02-01T00:05:06.000Z';
    await expect(repo().claimRedrive(order, until)).resolves.toMatchObject({ workflow_until: until });
    await expect(repo().releaseRedrive(order.order_id, until)).resolves.toBe(true);
    const released = await repo().get(order.order_id);
    expect(released?.workflow_until).not.toBe(until);
    expect(released?.redrives).toBeUndefined();
    await expect(repo().releaseRedrive(order.order_id, until)).resolves.toBe(false);

    const again = await repo().claimRedrive(released as StoredOrder, until);
    expect(again).toBeDefined();
    await expect(repo().confirmRedrive(order.order_id, { kind: 'redrive', until }, 'AccessDeniedException: no')).resolves.toBe(true);
    await expect(repo().get(order.order_id)).resolves.toMatchObject({ redrives: 1, last_redrive_error: 'AccessDeniedException: no' });
  });
});

describe('openOrderKeys and readOpenOrders', () => {
  it('list every open order with its status and updated_at as stored, leaving out orders that ended', async () => {
    const names = await createTestTables({ prefix: 'open-rows' });
    const open: StoredOrder[] = [];
    for (let i = 0; i < 130; i += 1) {
      const status = (['RECEIVED', 'PENDING', 'RETRYING'] as const)[i % 3];
      open.push(await seed(client, names.orders, makeOrder({ status, updated_at: `2026-01-0${1 + (i % 9)}T00:00:00.000Z` })));
    }
    // As if the index had not yet seen the write that ended it: the re-read leaves it out.
    const ended = await seed(client, names.orders, makeOrder({ status: 'FULFILLED' }));
    const staleKey = { order_id: ended.order_id, open_since: ended.received_at };

    const keys = await openOrderKeys(client, names.orders);
    expect(keys.map((k) => k.order_id).sort()).toEqual(open.map((o) => o.order_id).sort());
    // More than one BatchGetItem (100 keys each).
    const rows = await readOpenOrders(client, names.orders, [...keys, staleKey]);
    expect(rows).toEqual(keys.map((k) => {
      const order = open.find((o) => o.order_id === k.order_id);
      return { order_id: k.order_id, status: order?.status, updated_at: order?.updated_at, open_since: order?.received_at };
    }));
  });
});

describe('giveUp', () => {
  it('sets the order FAILED and archives it with its history in one transaction, once', async () => {
    const order = await seed(client, ordersTable, makeOrder({ status: 'RECEIVED', redrives: 3, updated_at: '2026-01-01T00:00:00.000Z' }));

    await expect(repo().giveUp(order, { reason: 'gave up' })).resolves.toBe(true);
    await expect(repo().giveUp(order, { reason: 'gave up' })).resolves.toBe(false);

    const failed = await repo().get(order.order_id);
    expect(failed).toMatchObject({ status: 'FAILED', status_reason: PUBLIC_REASONS.NOT_PROCESSED, failure_reason: 'gave up' });
    expect(failed?.open_shard).toBeUndefined();
    expect(failed?.open_since).toBeUndefined();
    const entry = { from: 'RECEIVED', to: 'FAILED', at: '2026-02-01T00:00:00.000Z', by: 'reconcile-orders' };
    expect(failed?.status_history).toEqual([...order.status_history, entry]);
    const { Item } = await client.send(new GetCommand({ TableName: failedOrdersTable, Key: { order_id: order.order_id }, ConsistentRead: true }));
    expect(Item).toMatchObject({ order_id: order.order_id, message_id: reconcilerMessageId(order.order_id), reason: 'gave up', status_history: [...order.status_history, entry] });
  });
});
