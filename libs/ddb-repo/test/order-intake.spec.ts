import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { idempotencyKeyHash, newOrderId, openIndexKey, type StoredOrder } from '@dofs/order-domain';
import { createDocumentClient, IdempotencyConflictError, OrderIntake, OrdersRepository } from '../src';
import { harnessEnv, makeOrder, makeRequest } from './helpers';

// Against DynamoDB Local (local-aws jest harness): the transaction, its conditions and the
// cancellation reasons of racing requests are DynamoDB Local's own.
const ordersTable = harnessEnv('ORDERS_TABLE');
const idempotencyTable = harnessEnv('IDEMPOTENCY_TABLE');
const client = createDocumentClient();
const orders = new OrdersRepository({ tableName: ordersTable, client, writer: 'test' });
const WINDOW_SECONDS = 3600;

afterAll(() => client.destroy());

function intake(now: () => Date = () => new Date()): OrderIntake {
  return new OrderIntake({ ordersTable, idempotencyTable, windowSeconds: WINDOW_SECONDS, client, now });
}

/** A RECEIVED order as api-handler builds it, with the idempotency key hash when a key is given. */
function received(key?: string, request = makeRequest()): StoredOrder {
  const orderId = newOrderId();
  return makeOrder(
    {
      order_id: orderId,
      status: 'RECEIVED',
      ...openIndexKey(orderId, '2026-01-01T00:00:00.000Z'),
      status_history: [{ to: 'RECEIVED', at: '2026-01-01T00:00:00.000Z', by: 'api-handler' }],
      ...(key ? { idempotency_key_hash: idempotencyKeyHash(request.customer_id, key) } : {}),
    },
    request,
  );
}

const uniqueKey = () => `key-${newOrderId()}`;

describe('OrderIntake.accept', () => {
  it('writes a RECEIVED order without a key', async () => {
    const order = received();
    await expect(intake().accept(order)).resolves.toEqual({ outcome: 'created', order });
    await expect(orders.get(order.order_id)).resolves.toEqual(order);
  });

  it('writes the order and its idempotency record together', async () => {
    const order = received(uniqueKey());
    await expect(intake().accept(order)).resolves.toMatchObject({ outcome: 'created' });
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
    await expect(intake().accept(again)).resolves.toMatchObject({ outcome: 'replayed', record: { order_id: first.order_id } });
    await expect(orders.get(again.order_id)).resolves.toBeUndefined();
  });

  it('refuses the same key with another body, and writes nothing', async () => {
    const key = uniqueKey();
    const first = received(key);
    await intake().accept(first);
    const other = received(key, makeRequest({ currency: 'EUR' }));
    const error = await intake().accept(other).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdempotencyConflictError);
    expect(error).toMatchObject({ orderId: first.order_id });
    await expect(orders.get(other.order_id)).resolves.toBeUndefined();
  });

  it('frees a key after its window, even before TTL deleted the record', async () => {
    const key = uniqueKey();
    const first = received(key);
    await intake().accept(first);
    const later = () => new Date(Date.now() + (WINDOW_SECONDS + 1) * 1000);
    const next = received(key, makeRequest({ currency: 'EUR' }));
    await expect(intake(later).accept(next)).resolves.toEqual({ outcome: 'created', order: next });
    await expect(intake(later).liveRecord(next.idempotency_key_hash ?? '')).resolves.toMatchObject({ order_id: next.order_id });
  });

  it('accepts the request anew when its key stands for an order that does not exist (a store that lost half a transaction)', async () => {
    const key = uniqueKey();
    const first = received(key);
    await intake().accept(first);
    await client.send(new DeleteCommand({ TableName: ordersTable, Key: { order_id: first.order_id } }));
    const again = received(key);
    await expect(intake().accept(again)).resolves.toEqual({ outcome: 'created', order: again });
    await expect(orders.get(again.order_id)).resolves.toEqual(again);
    await expect(intake().liveRecord(again.idempotency_key_hash ?? '')).resolves.toMatchObject({ order_id: again.order_id });
  });

  it('gives concurrent identical requests one order: one created, every other replayed', async () => {
    const key = uniqueKey();
    const attempts = Array.from({ length: 20 }, () => received(key));
    const results = await Promise.all(attempts.map((order) => intake().accept(order)));
    const created = results.filter((r) => r.outcome === 'created');
    expect(created).toHaveLength(1);
    const winner = created[0]?.outcome === 'created' ? created[0].order.order_id : '';
    for (const r of results) if (r.outcome === 'replayed') expect(r.record.order_id).toBe(winner);
    const stored = await Promise.all(attempts.map((o) => orders.get(o.order_id)));
    expect(stored.filter(Boolean)).toHaveLength(1);
  });
});
