import { ORDER_STATUSES, TRANSITIONS, canTransition, isTerminal, type OrderStatus, type StoredOrder } from '@dofs/order-domain';
import { AttemptRaceError, DispatchRaceError, DuplicateAttemptError, IllegalTransitionError, OrderNotFoundError, OrdersRepository, StaleStatusError, createDocumentClient } from '../src';
import type { OrderItem } from '../src';
import { harnessEnv, makeOrder, seed, steppingClock } from './helpers';

// Runs against DynamoDB Local (started by the local-aws jest harness). Every test uses fresh order
// ids, so tests share the harness's orders table without seeing each other's items.
const tableName = harnessEnv('ORDERS_TABLE');
const client = createDocumentClient();
const newRepo = (): OrdersRepository => new OrdersRepository({ tableName, client, writer: 'test-writer', now: steppingClock() });

/**
 * What a status write leaves: the status, `updated_at` and one more history entry; the index key
 * as it was while the order stays open, removed when it ends.
 */
function moved(order: OrderItem, to: OrderStatus, at: string, extra: Partial<StoredOrder> = {}, attempt?: number): StoredOrder {
  const rest: Partial<OrderItem> = { ...order };
  if (isTerminal(to)) {
    delete rest.open_shard;
    delete rest.open_since;
  }
  return {
    ...rest,
    ...extra,
    status: to,
    updated_at: at,
    status_history: [...order.status_history, { from: order.status, to, at, by: 'test-writer', ...(attempt === undefined ? {} : { attempt }) }],
  } as StoredOrder;
}

afterAll(() => client.destroy());

describe('get', () => {
  it('returns undefined for an unknown order', async () => {
    await expect(newRepo().get(makeOrder().order_id)).resolves.toBeUndefined();
  });
});

const legal = ORDER_STATUSES.flatMap((from) => TRANSITIONS[from].map((to) => [from, to] as const));
const illegal = ORDER_STATUSES.flatMap((from) => ORDER_STATUSES.filter((to) => !canTransition(from, to)).map((to) => [from, to] as const));

describe('transition', () => {
  it.each(legal)('%s -> %s is written, with updated_at and the given changes', async (from, to) => {
    const repo = newRepo();
    const order = await seed(client, tableName, makeOrder({ status: from, attempts: 1 }));
    const updated = await repo.transition(order.order_id, from, to, { attempts: 2, last_error: 'boom', failure_reason: 'why' });
    const expected = moved(order, to, '2026-01-02T00:00:00.000Z', { attempts: 2, last_error: 'boom', failure_reason: 'why' });
    expect(updated).toEqual(expected);
    await expect(repo.get(order.order_id)).resolves.toEqual(expected);
  });

  it.each(illegal)('%s -> %s throws IllegalTransitionError without touching DynamoDB', async (from, to) => {
    const repo = newRepo();
    const order = await seed(client, tableName, makeOrder({ status: from }));
    const send = jest.spyOn(client, 'send');
    const error = await repo.transition(order.order_id, from, to).catch((e: unknown) => e);
    expect(send).not.toHaveBeenCalled();
    send.mockRestore();
    expect(error).toBeInstanceOf(IllegalTransitionError);
    expect(error).toMatchObject({ orderId: order.order_id, from, to });
    await expect(repo.get(order.order_id)).resolves.toEqual(order);
  });

  it('throws StaleStatusError when the order is not in the expected status, and writes nothing', async () => {
    const repo = newRepo();
    const order = await seed(client, tableName, makeOrder({ status: 'PENDING' }));
    const send = jest.spyOn(client, 'send');
    const error = await repo.transition(order.order_id, 'RETRYING', 'FULFILLED').catch((e: unknown) => e);
    // One request: the failed condition returns the current item (ReturnValuesOnConditionCheckFailure), no read-back.
    expect(send).toHaveBeenCalledTimes(1);
    send.mockRestore();
    expect(error).toBeInstanceOf(StaleStatusError);
    expect(error).toMatchObject({ name: 'StaleStatusError', orderId: order.order_id, expected: 'RETRYING', actual: 'PENDING' });
    await expect(repo.get(order.order_id)).resolves.toEqual(order);
  });

  it('never moves a terminal order: a stale PENDING -> FULFILLED on a FAILED order is refused', async () => {
    const repo = newRepo();
    const order = await seed(client, tableName, makeOrder({ status: 'FAILED' }));
    await expect(repo.transition(order.order_id, 'PENDING', 'FULFILLED')).rejects.toMatchObject({ name: 'StaleStatusError', actual: 'FAILED' });
    await expect(repo.get(order.order_id)).resolves.toEqual(order);
  });

  it('throws OrderNotFoundError for an unknown order and does not create it', async () => {
    const repo = newRepo();
    const orderId = makeOrder().order_id;
    await expect(repo.transition(orderId, 'PENDING', 'FULFILLED')).rejects.toBeInstanceOf(OrderNotFoundError);
    await expect(repo.get(orderId)).resolves.toBeUndefined();
  });

  it('lets exactly one of several racing transitions win', async () => {
    const repo = newRepo();
    const order = await seed(client, tableName, makeOrder());
    const targets: OrderStatus[] = ['FULFILLED', 'RETRYING', 'FAILED', 'FULFILLED', 'RETRYING', 'FAILED', 'FULFILLED', 'FULFILLED'];
    const results = await Promise.allSettled(targets.map((to) => repo.transition(order.order_id, 'PENDING', to)));

    const winners = results.filter((r) => r.status === 'fulfilled');
    const losers = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(targets.length - 1);
    for (const loser of losers) expect(loser).toBeInstanceOf(StaleStatusError);
    const stored = await repo.get(order.order_id);
    expect(stored?.status).toBe((winners[0] as PromiseFulfilledResult<{ status: OrderStatus }>).value.status);
  });
});

describe('recordFailedAttempt', () => {
  it('counts attempts, one per call: PENDING -> RETRYING (1) -> RETRYING (2), with the last error and the receive that made it', async () => {
    const repo = newRepo();
    const order = await seed(client, tableName, makeOrder());
    await expect(repo.recordFailedAttempt(order.order_id, { from: 'PENDING', recordedAttempts: 0, receive: 'm1#1', error: 'first' })).resolves.toMatchObject({
      status: 'RETRYING',
      attempts: 1,
      last_error: 'first',
      last_attempt_receive: 'm1#1',
    });
    const second = await repo.recordFailedAttempt(order.order_id, { from: 'RETRYING', recordedAttempts: 1, receive: 'm1#3', error: 'second' });
    const first = moved(order, 'RETRYING', '2026-01-02T00:00:00.000Z', { attempts: 1, last_error: 'first', last_attempt_receive: 'm1#1' }, 1);
    expect(second).toEqual(moved(first, 'RETRYING', '2026-01-02T00:00:01.000Z', { attempts: 2, last_error: 'second', last_attempt_receive: 'm1#3' }, 2));
  });

  it('throws DuplicateAttemptError when this receive recorded its attempt already (a retried write), and writes nothing', async () => {
    const repo = newRepo();
    const order = await seed(client, tableName, makeOrder({ status: 'RETRYING', attempts: 2, last_error: 'second', last_attempt_receive: 'm1#2' }));
    const error = await repo.recordFailedAttempt(order.order_id, { from: 'RETRYING', recordedAttempts: 1, receive: 'm1#2', error: 'again' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuplicateAttemptError);
    expect(error).toMatchObject({ orderId: order.order_id, recordedAttempts: 2 });
    await expect(repo.get(order.order_id)).resolves.toEqual(order);
  });

  it('throws AttemptRaceError when another receive recorded an attempt after the order was read, and writes nothing', async () => {
    const repo = newRepo();
    const order = await seed(client, tableName, makeOrder({ status: 'RETRYING', attempts: 2, last_attempt_receive: 'other#1' }));
    await expect(repo.recordFailedAttempt(order.order_id, { from: 'RETRYING', recordedAttempts: 1, receive: 'm1#2', error: 'late' })).rejects.toBeInstanceOf(AttemptRaceError);
    await expect(repo.get(order.order_id)).resolves.toEqual(order);
  });

  it('throws StaleStatusError when the order moved on (e.g. FULFILLED by another receive)', async () => {
    const repo = newRepo();
    const order = await seed(client, tableName, makeOrder({ status: 'FULFILLED', attempts: 1 }));
    await expect(repo.recordFailedAttempt(order.order_id, { from: 'PENDING', recordedAttempts: 0, receive: 'm#1', error: 'late' })).rejects.toMatchObject({
      name: 'StaleStatusError',
      expected: 'PENDING',
      actual: 'FULFILLED',
    });
    await expect(repo.get(order.order_id)).resolves.toEqual(order);
  });

  it('throws IllegalTransitionError from a terminal status, before any write', async () => {
    await expect(newRepo().recordFailedAttempt(makeOrder().order_id, { from: 'FULFILLED', recordedAttempts: 0, receive: 'm#1', error: 'x' })).rejects.toBeInstanceOf(IllegalTransitionError);
  });

  it('throws OrderNotFoundError for an unknown order', async () => {
    await expect(newRepo().recordFailedAttempt(makeOrder().order_id, { from: 'PENDING', recordedAttempts: 0, receive: 'm#1', error: 'x' })).rejects.toBeInstanceOf(OrderNotFoundError);
  });

  it('counts an attempt once when copies of the same receive race', async () => {
    const repo = newRepo();
    const order = await seed(client, tableName, makeOrder({ status: 'RETRYING', attempts: 1 }));
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => repo.recordFailedAttempt(order.order_id, { from: 'RETRYING', recordedAttempts: 1, receive: 'm1#2', error: `copy ${i}` })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(DuplicateAttemptError);
    await expect(repo.get(order.order_id)).resolves.toMatchObject({ status: 'RETRYING', attempts: 2 });
  });
});

describe('recordDispatch', () => {
  const dispatch = (seq: number) => ({ seq, at: '2026-01-02T00:00:00.000Z', sent_by: '2026-01-02T00:00:07.000Z', visible_at: '2026-01-02T00:01:00.000Z', by: 'dlq-handler', source: 'm1' });

  it('writes the next dispatch of an open order once: of two senders that read the same one, the second gets DispatchRaceError', async () => {
    const repo = newRepo();
    const order = await seed(client, tableName, makeOrder({ status: 'RETRYING', attempts: 1, dispatch: { ...dispatch(1), by: 'store-order' } }));
    await expect(repo.recordDispatch(order.order_id, { from: 'RETRYING', expectedSeq: 1, dispatch: dispatch(2), dlqRedrives: 1 })).resolves.toMatchObject({ dispatch: dispatch(2), dlq_redrives: 1 });
    await expect(repo.recordDispatch(order.order_id, { from: 'RETRYING', expectedSeq: 1, dispatch: dispatch(2), dlqRedrives: 1 })).rejects.toBeInstanceOf(DispatchRaceError);
    await expect(repo.recordDispatch(order.order_id, { from: 'PENDING', expectedSeq: 2, dispatch: dispatch(3) })).rejects.toBeInstanceOf(StaleStatusError);
  });

  it('writes a first dispatch for an order that has none', async () => {
    const order = await seed(client, tableName, makeOrder({ status: 'PENDING' }));
    await expect(newRepo().recordDispatch(order.order_id, { from: 'PENDING', expectedSeq: 0, dispatch: dispatch(1) })).resolves.toMatchObject({ dispatch: dispatch(1) });
  });
});
