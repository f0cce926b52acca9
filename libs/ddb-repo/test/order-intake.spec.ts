import { DeleteCommand, GetCommand, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { sampleOrder } from '@dofs/handler-kit/testing';
import { idempotencyKeyHash, newOrderId, type StoredOrder } from '@dofs/order-domain';
import { createDocumentClient, IdempotencyConflictError, OrderIntake, OrdersRepository, openIndexKey, RESTART_RECEIVED_AFTER_MS, type OrderItem } from '../src';
import { harnessEnv, makeOrder } from './helpers';

// Against DynamoDB Local (local-aws jest harness): the conditional puts, the items returned with a
// failed condition and the races between requests are DynamoDB Local's own.
const ordersTable = harnessEnv('ORDERS_TABLE');
const idempotencyTable = harnessEnv('IDEMPOTENCY_TABLE');
const client = createDocumentClient();
const orders = new OrdersRepository({ tableName: ordersTable, client, writer: 'test' });
const WINDOW_SECONDS = 3600;

afterAll(() => client.destroy());

function intake(now: () => Date = () => new Date()): OrderIntake {
  return new OrderIntake({ ordersTable, idempotencyTable, windowSeconds: WINDOW_SECONDS, client, now });
}

/** A RECEIVED order as api-handler builds it (received now), with the idempotency key hash when a key is given. */
function received(key?: string, request = sampleOrder()): OrderItem {
  const orderId = newOrderId();
  const at = new Date().toISOString();
  return makeOrder(
    {
      order_id: orderId,
      status: 'RECEIVED',
      received_at: at,
      created_at: at,
      updated_at: at,
      status_history: [{ to: 'RECEIVED', at, by: 'api-handler' }],
      ...(key ? { idempotency_key_hash: idempotencyKeyHash(request.customer_id, key) } : {}),
    },
    request,
  );
}

const uniqueKey = () => `key-${newOrderId()}`;

/** Every order item carrying this key hash, by scan: test assertions only (tentative orders included). */
async function ordersWithKey(keyHash: string | undefined): Promise<StoredOrder[]> {
  const items: StoredOrder[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: ordersTable, FilterExpression: 'idempotency_key_hash = :k', ExpressionAttributeValues: { ':k': keyHash }, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...((page.Items ?? []) as StoredOrder[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

async function keyRecord(keyHash: string | undefined): Promise<Record<string, unknown> | undefined> {
  const { Item } = await client.send(new GetCommand({ TableName: idempotencyTable, Key: { idempotency_id: keyHash }, ConsistentRead: true }));
  return Item;
}

describe('OrderIntake.accept', () => {
  it('writes a RECEIVED order without a key', async () => {
    const order = received();
    await expect(intake().accept(order)).resolves.toEqual({ next: 'start-now', order });
    await expect(orders.get(order.order_id)).resolves.toEqual(order);
  });

  it('writes the order, then its idempotency record', async () => {
    const order = received(uniqueKey());
    await expect(intake().accept(order)).resolves.toMatchObject({ next: 'start-now' });
    await expect(orders.get(order.order_id)).resolves.toEqual(order);
    const { Item } = await client.send(new GetCommand({ TableName: idempotencyTable, Key: { idempotency_id: order.idempotency_key_hash } }));
    expect(Item).toMatchObject({ order_id: order.order_id, request_hash: order.request_hash });
    expect(Item?.['expires_at']).toBeGreaterThan(Date.now() / 1000 + WINDOW_SECONDS - 60);
  });

  it('replays the same key and body: the first order, nothing new written', async () => {
    const key = uniqueKey();
    const first = received(key);
    await intake().accept(first);
    const again = received(key);
    await expect(intake().accept(again)).resolves.toMatchObject({ next: 'nothing-to-do', record: { order_id: first.order_id }, order: first });
    // The replay's own tentative order is gone again.
    await expect(orders.get(again.order_id)).resolves.toBeUndefined();
    expect(await ordersWithKey(first.idempotency_key_hash)).toEqual([first]);
  });

  it('answers a replay "start again" only when its order is still RECEIVED RESTART_RECEIVED_AFTER_MS after its intake', async () => {
    const key = uniqueKey();
    const first = received(key);
    await intake().accept(first);
    const soon = new Date(Date.parse(first.received_at) + RESTART_RECEIVED_AFTER_MS - 1000);
    await expect(intake(() => soon).accept(received(key))).resolves.toMatchObject({ next: 'nothing-to-do', order: { order_id: first.order_id } });
    const later = new Date(Date.parse(first.received_at) + RESTART_RECEIVED_AFTER_MS);
    await expect(intake(() => later).accept(received(key))).resolves.toMatchObject({ next: 'start-again', order: { order_id: first.order_id, status: 'RECEIVED' } });
    await orders.transition(first.order_id, 'RECEIVED', 'PENDING');
    await expect(intake(() => later).accept(received(key))).resolves.toMatchObject({ next: 'nothing-to-do', order: { status: 'PENDING' } });
  });

  it('writes the open-orders index key itself: open since the order was received', async () => {
    const bare: OrderItem = received();
    delete bare.open_shard;
    delete bare.open_since;
    await intake().accept(bare);
    await expect(orders.get(bare.order_id)).resolves.toMatchObject(openIndexKey(bare.order_id, bare.received_at));
  });

  it('refuses the same key with another body, and writes nothing', async () => {
    const key = uniqueKey();
    const first = received(key);
    await intake().accept(first);
    const other = received(key, sampleOrder({ currency: 'EUR' }));
    const error = await intake().accept(other).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdempotencyConflictError);
    expect(error).toMatchObject({ orderId: first.order_id });
    await expect(orders.get(other.order_id)).resolves.toBeUndefined();
    await expect(keyRecord(first.idempotency_key_hash)).resolves.toMatchObject({ order_id: first.order_id });
  });

  it('frees a key after its window, even before TTL deleted the record', async () => {
    const key = uniqueKey();
    const first = received(key);
    await intake().accept(first);
    const later = () => new Date(Date.now() + (WINDOW_SECONDS + 1) * 1000);
    const next = received(key, sampleOrder({ currency: 'EUR' }));
    await expect(intake(later).accept(next)).resolves.toEqual({ next: 'start-now', order: next });
    await expect(intake(later).liveRecord(next.idempotency_key_hash ?? '')).resolves.toMatchObject({ order_id: next.order_id });
  });

  it('accepts the request anew when its key stands for an order that does not exist (a store that lost a write)', async () => {
    const key = uniqueKey();
    const first = received(key);
    await intake().accept(first);
    await client.send(new DeleteCommand({ TableName: ordersTable, Key: { order_id: first.order_id } }));
    const again = received(key);
    await expect(intake().accept(again)).resolves.toEqual({ next: 'start-now', order: again });
    await expect(orders.get(again.order_id)).resolves.toEqual(again);
    await expect(intake().liveRecord(again.idempotency_key_hash ?? '')).resolves.toMatchObject({ order_id: again.order_id });
  });

  it('gives concurrent identical requests one order: one created, every other replayed', async () => {
    const key = uniqueKey();
    const attempts = Array.from({ length: 20 }, () => received(key));
    const results = await Promise.all(attempts.map((order) => intake().accept(order)));
    const created = results.filter((r) => r.next === 'start-now');
    expect(created).toHaveLength(1);
    const winner = created[0]?.next === 'start-now' ? created[0].order.order_id : '';
    for (const r of results) if (r.next !== 'start-now') expect(r.record.order_id).toBe(winner);
    const stored = await Promise.all(attempts.map((o) => orders.get(o.order_id)));
    expect(stored.filter(Boolean)).toHaveLength(1);
    // No tentative order of a loser is left behind.
    expect((await ordersWithKey(attempts[0]?.idempotency_key_hash)).map((o) => o.order_id)).toEqual([winner]);
    await expect(keyRecord(attempts[0]?.idempotency_key_hash)).resolves.toMatchObject({ order_id: winner });
  });

  it('treats a repeat of its own writes as done: an SDK retry of a put whose first attempt was applied', async () => {
    const order = received(uniqueKey());
    await intake().accept(order);
    // Both puts again, as the SDK sends them again when an answer is lost: each meets its own item.
    await expect(intake().accept(order)).resolves.toEqual({ next: 'start-now', order });
    await expect(intake().accept(received())).resolves.toMatchObject({ next: 'start-now' });
    expect(await ordersWithKey(order.idempotency_key_hash)).toEqual([order]);
    await expect(keyRecord(order.idempotency_key_hash)).resolves.toMatchObject({ order_id: order.order_id });
  });

  it('refuses an order id that holds another request (never overwrites)', async () => {
    const order = received(uniqueKey());
    await intake().accept(order);
    const impostor = { ...received(uniqueKey(), sampleOrder({ currency: 'EUR' })), order_id: order.order_id };
    await expect(intake().accept(impostor)).rejects.toThrow(`order id ${order.order_id} is taken`);
    await expect(orders.get(order.order_id)).resolves.toEqual(order);
    await expect(keyRecord(impostor.idempotency_key_hash)).resolves.toBeUndefined();
  });

  it('sends one PutItem without a key and two with one, never a transaction', async () => {
    // The client's own middleware records the operations sent (nothing is replaced): what each
    // intake is billed for (a transaction bills twice the write units of the same puts).
    const counted = createDocumentClient();
    const sent: string[] = [];
    counted.middlewareStack.add((next, context) => (args) => {
      sent.push(String(context.commandName));
      return next(args);
    });
    const countedIntake = new OrderIntake({ ordersTable, idempotencyTable, windowSeconds: WINDOW_SECONDS, client: counted });
    await countedIntake.accept(received());
    expect(sent).toEqual(['PutItemCommand']);
    sent.length = 0;
    await countedIntake.accept(received(uniqueKey()));
    expect(sent).toEqual(['PutItemCommand', 'PutItemCommand']);
    counted.destroy();
  });
});

describe('OrderIntake.resolveReceived (a crash between the two puts)', () => {
  it('counts an order without a key, or whose key stands for it, as committed, and changes nothing', async () => {
    const plain = received();
    await intake().accept(plain);
    await expect(intake().resolveReceived(plain)).resolves.toBe('committed');
    const keyed = received(uniqueKey());
    await intake().accept(keyed);
    await expect(intake().resolveReceived(keyed)).resolves.toBe('committed');
    await expect(orders.get(keyed.order_id)).resolves.toEqual(keyed);
  });

  it('removes a tentative order whose key is free, never claims it: its intake failed and the client was told so', async () => {
    const tentative = received(uniqueKey());
    await intake().writeOrder(tentative);
    await expect(keyRecord(tentative.idempotency_key_hash)).resolves.toBeUndefined();

    await expect(intake().resolveReceived(tentative)).resolves.toBe('removed');
    await expect(orders.get(tentative.order_id)).resolves.toBeUndefined();
    await expect(keyRecord(tentative.idempotency_key_hash)).resolves.toBeUndefined();
  });

  it('keeps an order whose key record is gone once the order is older than its window: TTL may have deleted the record that stood for it', async () => {
    const start = Date.parse('2026-03-05T00:00:00.000Z');
    const old = { ...received(uniqueKey()), received_at: new Date(start).toISOString(), updated_at: new Date(start).toISOString() };
    await intake(() => new Date(start)).writeOrder(old);
    await expect(intake(() => new Date(start + (WINDOW_SECONDS + 1) * 1000)).resolveReceived(old)).resolves.toBe('committed');
    await expect(orders.get(old.order_id)).resolves.toEqual(old);
  });

  it('lets a retry of the crashed request take the key; the tentative order is then superseded and deleted', async () => {
    const key = uniqueKey();
    const tentative = received(key);
    await intake().writeOrder(tentative);
    const retry = received(key);
    await expect(intake().accept(retry)).resolves.toEqual({ next: 'start-now', order: retry });

    await expect(intake().resolveReceived(tentative)).resolves.toBe('superseded');
    expect(await ordersWithKey(retry.idempotency_key_hash)).toEqual([retry]);
    await expect(keyRecord(retry.idempotency_key_hash)).resolves.toMatchObject({ order_id: retry.order_id });
  });

  it('deletes the tentative order of a replay whose own delete failed, and leaves the replayed order alone', async () => {
    const key = uniqueKey();
    const first = received(key);
    await intake().accept(first);
    // A duplicate that wrote its order, found the key held, and failed to delete its order.
    const duplicate = received(key);
    await intake().writeOrder(duplicate);

    await expect(intake().resolveReceived(duplicate)).resolves.toBe('superseded');
    expect(await ordersWithKey(first.idempotency_key_hash)).toEqual([first]);
  });

  it('does not delete a tentative order that changed since it was read: it is left for the next look', async () => {
    const key = uniqueKey();
    const first = received(key);
    await intake().accept(first);
    const duplicate = received(key);
    await intake().writeOrder(duplicate);
    await client.send(
      new UpdateCommand({ TableName: ordersTable, Key: { order_id: duplicate.order_id }, UpdateExpression: 'SET updated_at = :t', ExpressionAttributeValues: { ':t': '2026-01-01T00:00:09.000Z' } }),
    );

    await expect(intake().resolveReceived(duplicate)).resolves.toBe('changed');
    await expect(orders.get(duplicate.order_id)).resolves.toMatchObject({ updated_at: '2026-01-01T00:00:09.000Z' });
  });

  it('removes both tentative orders of one key when nobody committed the key, whoever looks first', async () => {
    const key = uniqueKey();
    const [a, b] = [received(key), received(key)] as [StoredOrder, StoredOrder];
    await Promise.all([intake().writeOrder(a), intake().writeOrder(b)]);

    const outcomes = await Promise.all([intake().resolveReceived(a), intake().resolveReceived(b), intake().resolveReceived(a), intake().resolveReceived(b)]);

    await expect(ordersWithKey(a.idempotency_key_hash)).resolves.toEqual([]);
    await expect(keyRecord(a.idempotency_key_hash)).resolves.toBeUndefined();
    // Of two looks at one order, one removed it; the other found it gone.
    for (const pair of [[outcomes[0], outcomes[2]], [outcomes[1], outcomes[3]]]) expect([...pair].sort()).toEqual(['changed', 'removed']);
  });

  it('decides by the windows: a key held before the order came in is free, one taken after its window ends is not its to judge', async () => {
    // From the real clock: the table has DynamoDB TTL on expires_at, and DynamoDB Local's sweeper,
    // which goes by the real clock, would delete a record already expired by it at any moment.
    const start = Math.floor(Date.now() / 1000) * 1000;
    const at = (seconds: number) => new Date(start + seconds * 1000).toISOString();
    const tentative = (key: string) => received(key, sampleOrder());
    const holder = (keyHash: string | undefined, createdAt: number) => ({
      idempotency_id: keyHash,
      order_id: newOrderId(),
      request_hash: 'other',
      created_at: at(createdAt),
      expires_at: Math.floor(start / 1000) + createdAt + WINDOW_SECONDS,
    });
    const resolveAt = (seconds: number) => intake(() => new Date(start + seconds * 1000));

    // An older record that expired before this order came in: the key was free, so this order's
    // own key put failed: it is removed.
    const early = { ...tentative(uniqueKey()), received_at: at(WINDOW_SECONDS + 10), updated_at: at(WINDOW_SECONDS + 10) };
    await client.send(new PutCommand({ TableName: idempotencyTable, Item: holder(early.idempotency_key_hash, 0) }));
    await resolveAt(WINDOW_SECONDS + 300).writeOrder(early);
    await expect(resolveAt(WINDOW_SECONDS + 300).resolveReceived(early)).resolves.toBe('removed');
    await expect(orders.get(early.order_id)).resolves.toBeUndefined();

    // An expired record that was live when this order came in: it stood for the request that won.
    const during = { ...tentative(uniqueKey()), received_at: at(100), updated_at: at(100) };
    await client.send(new PutCommand({ TableName: idempotencyTable, Item: holder(during.idempotency_key_hash, 0) }));
    await resolveAt(100).writeOrder(during);
    await expect(resolveAt(2 * WINDOW_SECONDS).resolveReceived(during)).resolves.toBe('superseded');
    await expect(orders.get(during.order_id)).resolves.toBeUndefined();

    // A record written after this order's window ended: this order may have been committed under a
    // record that expired and was replaced, so it is never deleted.
    const old = { ...tentative(uniqueKey()), received_at: at(0), updated_at: at(0) };
    await resolveAt(0).writeOrder(old);
    await client.send(new PutCommand({ TableName: idempotencyTable, Item: holder(old.idempotency_key_hash, WINDOW_SECONDS + 5) }));
    await expect(resolveAt(WINDOW_SECONDS + 60).resolveReceived(old)).resolves.toBe('committed');
    await expect(orders.get(old.order_id)).resolves.toEqual(old);
  });
});
