import { newOrderId, PUBLIC_REASONS, type FailedOrderRecord } from '@dofs/order-domain';
import { FailedOrdersRepository, OrdersRepository, UNPARSEABLE_KEY_PREFIX, createDocumentClient, isRetryableDynamoError } from '../src';
import { harnessEnv, makeOrder, seed, steppingClock } from './helpers';

// Runs against DynamoDB Local (local-aws jest harness); TransactWriteItems and its cancellation
// reasons are DynamoDB Local's own, nothing is mocked.
const ordersTable = harnessEnv('ORDERS_TABLE');
const failedOrdersTable = harnessEnv('FAILED_ORDERS_TABLE');
const client = createDocumentClient();
const orders = new OrdersRepository({ tableName: ordersTable, client, writer: 'test' });
const newRepo = (): FailedOrdersRepository => new FailedOrdersRepository({ failedOrdersTable, ordersTable, client, writer: 'dlq-handler', now: steppingClock() });

afterAll(() => client.destroy());

function deadLetter(orderId: string, overrides: Partial<FailedOrderRecord> = {}): FailedOrderRecord {
  return {
    order_id: orderId,
    message_id: `msg-${orderId}`,
    original_message: JSON.stringify({ order_id: orderId, correlation_id: 'corr-1' }),
    attempts: 3,
    reason: 'fulfilment failed after 3 attempts: warehouse unavailable',
    correlation_id: 'corr-1',
    first_sent_at: '2026-01-01T00:00:01.000Z',
    failed_at: '2026-01-01T00:05:00.000Z',
    ...overrides,
  };
}

describe('recordDeadLetter', () => {
  it('archives the message and sets the order FAILED together', async () => {
    const order = await seed(client, ordersTable, makeOrder({ status: 'RETRYING', attempts: 3, last_error: 'warehouse unavailable' }));
    const record = deadLetter(order.order_id);

    await expect(newRepo().recordDeadLetter(record, 'RETRYING')).resolves.toEqual({ recorded: true, orderStatus: 'FAILED' });

    await expect(newRepo().get(order.order_id)).resolves.toEqual(record);
    const closed: Partial<typeof order> = { ...order };
    delete closed.open_shard;
    delete closed.open_since;
    await expect(orders.get(order.order_id)).resolves.toEqual({
      ...closed,
      status: 'FAILED',
      failure_reason: record.reason,
      status_reason: PUBLIC_REASONS.FULFILMENT_FAILED,
      status_history: [{ from: 'RETRYING', to: 'FAILED', at: '2026-01-02T00:00:00.000Z', by: 'dlq-handler' }],
      updated_at: '2026-01-02T00:00:00.000Z',
    });
  });

  it('follows the order when its status moved since it was read', async () => {
    const order = await seed(client, ordersTable, makeOrder({ status: 'RETRYING', attempts: 3 }));
    await expect(newRepo().recordDeadLetter(deadLetter(order.order_id), 'PENDING')).resolves.toEqual({ recorded: true, orderStatus: 'FAILED' });
    await expect(orders.get(order.order_id)).resolves.toMatchObject({ status: 'FAILED', status_history: [{ from: 'RETRYING', to: 'FAILED' }] });
  });

  it('is idempotent: a repeat, even an identical one at the same instant, reports recorded=false and changes nothing', async () => {
    const fixedNow = new Date('2026-01-03T00:00:00.000Z');
    const repo = new FailedOrdersRepository({ failedOrdersTable, ordersTable, client, writer: 'dlq-handler', now: () => fixedNow });
    const order = await seed(client, ordersTable, makeOrder({ status: 'PENDING' }));
    const record = deadLetter(order.order_id);
    await repo.recordDeadLetter(record, 'PENDING');
    const afterFirst = await orders.get(order.order_id);

    await expect(repo.recordDeadLetter({ ...record, failed_at: '2026-01-01T00:09:00.000Z' }, 'PENDING')).resolves.toEqual({ recorded: false, orderStatus: 'FAILED' });
    await expect(repo.recordDeadLetter(record, 'FAILED')).resolves.toEqual({ recorded: false, orderStatus: 'FAILED' });

    await expect(repo.get(order.order_id)).resolves.toEqual(record);
    await expect(orders.get(order.order_id)).resolves.toEqual(afterFirst);
  });

  it('archives the message but leaves an order that is already FULFILLED as it is', async () => {
    const repo = newRepo();
    const order = await seed(client, ordersTable, makeOrder({ status: 'FULFILLED', attempts: 2 }));
    const record = deadLetter(order.order_id);

    await expect(repo.recordDeadLetter(record, 'FULFILLED')).resolves.toEqual({ recorded: true, orderStatus: 'FULFILLED' });
    await expect(repo.recordDeadLetter(record, 'RETRYING')).resolves.toEqual({ recorded: false, orderStatus: 'FULFILLED' });

    await expect(repo.get(order.order_id)).resolves.toEqual(record);
    await expect(orders.get(order.order_id)).resolves.toEqual(order);
  });

  it('archives the message of an order that does not exist, without creating the order', async () => {
    const repo = newRepo();
    const orderId = newOrderId();
    await expect(repo.recordDeadLetter(deadLetter(orderId), undefined)).resolves.toEqual({ recorded: true, orderStatus: 'MISSING' });
    await expect(repo.get(orderId)).resolves.toMatchObject({ order_id: orderId });
    await expect(orders.get(orderId)).resolves.toBeUndefined();
  });

  it('archives an unparseable message under unparseable#<message_id>', async () => {
    const repo = newRepo();
    const messageId = `m-${newOrderId()}`;
    const record = deadLetter(`${UNPARSEABLE_KEY_PREFIX}${messageId}`, { message_id: messageId, original_message: '{not json', attempts: 3 });

    await expect(repo.recordDeadLetter(record, undefined)).resolves.toEqual({ recorded: true, orderStatus: 'MISSING' });
    await expect(repo.recordDeadLetter(record, undefined)).resolves.toEqual({ recorded: false, orderStatus: 'MISSING' });
    await expect(repo.get(record.order_id)).resolves.toEqual(record);
  });

  it('records a message once when copies race', async () => {
    const order = await seed(client, ordersTable, makeOrder({ status: 'RETRYING', attempts: 3 }));
    const record = deadLetter(order.order_id);
    const results = await Promise.all(Array.from({ length: 4 }, () => newRepo().recordDeadLetter(record, 'RETRYING').catch((e: unknown) => e)));
    // A loser either sees the winner's commit (recorded=false) or collides with it in flight
    // (TransactionConflict), which is retryable upstream; none may record a second time.
    const recorded = results.filter((r) => (r as { recorded?: boolean }).recorded === true);
    expect(recorded).toHaveLength(1);
    for (const other of results.filter((r) => (r as { recorded?: boolean }).recorded !== true)) {
      if ((other as { recorded?: boolean }).recorded === false) continue;
      expect(isRetryableDynamoError(other)).toBe(true);
    }
    await expect(orders.get(order.order_id)).resolves.toMatchObject({ status: 'FAILED' });
  });

  it('writes neither item when the order half cannot be written, and throws instead of swallowing it', async () => {
    const order = await seed(client, ordersTable, makeOrder({ status: 'RETRYING', attempts: 3 }));
    const broken = new FailedOrdersRepository({ failedOrdersTable, ordersTable: 'no_such_table', client, writer: 'dlq-handler' });
    await expect(broken.recordDeadLetter(deadLetter(order.order_id), 'RETRYING')).rejects.toThrow();
    await expect(newRepo().get(order.order_id)).resolves.toBeUndefined();
    await expect(orders.get(order.order_id)).resolves.toEqual(order);
  });
});

describe('get', () => {
  it('returns undefined when nothing was dead-lettered for the id', async () => {
    await expect(newRepo().get(newOrderId())).resolves.toBeUndefined();
  });
});
