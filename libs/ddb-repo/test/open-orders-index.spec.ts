import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createTestTables } from '@dofs/local-aws';
import { newOrderId, type StoredOrder } from '@dofs/order-domain';
import { createDocumentClient, OPEN_ORDERS_INDEX, OpenOrders, openIndexKey, openShardKey, OrderIntake, OrdersRepository } from '../src';
import { makeOrder, seed, steppingClock } from './helpers';

// The cost claim of the open-orders index (docs/design.md "open-orders"): an order's index entry is
// written when it opens and when it ends, and no write in between touches its key. Against
// DynamoDB Local through the real repository functions, on tables of this file's own; nothing is
// mocked. The index's write units are DynamoDB Local's own figures: every write of `client` asks
// for `ReturnConsumedCapacity: INDEXES` (one middleware on the client the repositories use).
const client = createDocumentClient();
const reader = createDocumentClient();
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'TransactWriteItemsCommand']);
type Capacity = { GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }> };
/** Write units the open-orders index consumed, one entry per write of `client`. */
let indexWriteUnits: number[] = [];

client.middlewareStack.add(
  (next, context) => async (args) => {
    if (!WRITES.has(context.commandName ?? '')) return next(args);
    (args.input as Record<string, unknown>)['ReturnConsumedCapacity'] = 'INDEXES';
    const result = await next(args);
    const consumed = (result.output as { ConsumedCapacity?: Capacity | Capacity[] }).ConsumedCapacity;
    indexWriteUnits.push([consumed ?? []].flat().reduce((sum, c) => sum + (c.GlobalSecondaryIndexes?.[OPEN_ORDERS_INDEX]?.CapacityUnits ?? 0), 0));
    return result;
  },
  { step: 'initialize', name: 'countOpenOrdersIndexWrites' },
);

/** The index write units of each write since the last call. */
function takeIndexWrites(): number[] {
  const taken = indexWriteUnits;
  indexWriteUnits = [];
  return taken;
}

let ordersTable = '';
let failedOrdersTable = '';
let idempotencyTable = '';

beforeAll(async () => {
  const names = await createTestTables({ prefix: 'open-index' });
  ordersTable = names.orders;
  failedOrdersTable = names.failedOrders;
  idempotencyTable = names.idempotencyKeys;
});
afterAll(() => {
  client.destroy();
  reader.destroy();
});

type IndexKey = { open_shard?: string; open_since?: string };

/** The order's index key attributes as stored now. */
async function indexKeyOf(orderId: string): Promise<IndexKey> {
  const { Item } = await reader.send(new GetCommand({ TableName: ordersTable, Key: { order_id: orderId }, ConsistentRead: true }));
  const item = (Item ?? {}) as IndexKey;
  return { ...(item.open_shard === undefined ? {} : { open_shard: item.open_shard }), ...(item.open_since === undefined ? {} : { open_since: item.open_since }) };
}

describe('the open-orders index key over an order life', () => {
  it('is set once at intake, untouched by every non-terminal write, removed at FULFILLED: 2 index write units', async () => {
    const clock = steppingClock(Date.parse('2026-03-01T00:00:00.000Z'));
    const orders = new OrdersRepository({ tableName: ordersTable, client, writer: 'test', now: clock });
    const reconciler = new OpenOrders({ ordersTable, failedOrdersTable, writer: 'reconcile-orders', client, now: clock });
    const intake = new OrderIntake({ ordersTable, idempotencyTable, windowSeconds: 3600, client, now: clock });
    const orderId = newOrderId();
    const receivedAt = '2026-02-28T23:59:00.000Z';
    // As api-handler builds it: the index key comes with the new RECEIVED order.
    const received: StoredOrder = makeOrder({
      order_id: orderId,
      status: 'RECEIVED',
      received_at: receivedAt,
      created_at: receivedAt,
      updated_at: receivedAt,
      status_history: [{ to: 'RECEIVED', at: receivedAt, by: 'api-handler' }],
      ...openIndexKey(orderId, receivedAt),
    });

    const keys: IndexKey[] = [];
    const units: number[][] = [];
    const step = async (write: () => Promise<unknown>) => {
      takeIndexWrites();
      await write();
      units.push(takeIndexWrites());
      keys.push(await indexKeyOf(orderId));
    };

    await step(() => intake.accept(received));
    await step(() => orders.transition(orderId, 'RECEIVED', 'PENDING', { total_cents: received.total_cents }));
    await step(() => orders.recordFailedAttempt(orderId, { from: 'PENDING', recordedAttempts: 0, receive: 'm1#1', error: 'warehouse busy' }));
    // The reconciler's claim (a new dispatch, updated_at) and its confirmation (redrives) are updates too.
    await step(async () => {
      const current = await reconciler.get(orderId);
      if (current === undefined) throw new Error('the order must exist');
      const dispatch = { seq: 2, at: current.updated_at, sent_by: current.updated_at, visible_at: current.updated_at, by: 'reconcile-orders' };
      if ((await reconciler.claimRequeue(current, dispatch)) === undefined) throw new Error('the claim must win');
      await reconciler.confirmRedrive(orderId, { kind: 'requeue', seq: 2 });
    });
    await step(() => orders.recordFailedAttempt(orderId, { from: 'RETRYING', recordedAttempts: 1, receive: 'm2#1', error: 'warehouse busy' }));
    await step(() => orders.transition(orderId, 'RETRYING', 'FULFILLED', { attempts: 3, attempt: 3 }));

    const opened = { open_shard: openShardKey(orderId), open_since: receivedAt };
    // After: intake, ->PENDING, ->RETRYING, claim + confirm, ->RETRYING, ->FULFILLED.
    expect(keys).toEqual([opened, opened, opened, opened, opened, {}]);
    expect(units).toEqual([[1], [0], [0], [0, 0], [0], [1]]);
    expect(units.flat().reduce((a, b) => a + b, 0)).toBe(2);
    // The order did move through every status meanwhile.
    const final = await orders.get(orderId);
    expect(final?.status_history.map((c) => c.to)).toEqual(['RECEIVED', 'PENDING', 'RETRYING', 'RETRYING', 'FULFILLED']);
  });

  it('leaves the index in the write that makes the order terminal, whichever writer it is', async () => {
    const clock = steppingClock(Date.parse('2026-03-02T00:00:00.000Z'));
    const orders = new OrdersRepository({ tableName: ordersTable, client, writer: 'test', now: clock });
    const reconciler = new OpenOrders({ ordersTable, failedOrdersTable, writer: 'reconcile-orders', client, now: clock });
    const rejected = makeOrder({ status: 'RECEIVED' });
    const givenUp = makeOrder({ status: 'RETRYING', redrives: 3 });
    for (const order of [rejected, givenUp]) {
      await seed(reader, ordersTable, order);
      expect(await indexKeyOf(order.order_id)).toEqual(openIndexKey(order.order_id, order.received_at));
    }
    takeIndexWrites();

    await orders.transition(rejected.order_id, 'RECEIVED', 'REJECTED');
    await expect(reconciler.giveUp(givenUp, { reason: 'gave up' })).resolves.toBe(true);

    expect(await indexKeyOf(rejected.order_id)).toEqual({});
    expect(await indexKeyOf(givenUp.order_id)).toEqual({});
    // One index delete each; the give-up is a transaction (order update + archive put), whose
    // writes DynamoDB Local counts twice, the index's included.
    expect(takeIndexWrites()).toEqual([1, 2]);
  });
});
