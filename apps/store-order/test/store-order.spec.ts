import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient, OrdersRepository } from '@dofs/ddb-repo';
import { ConfigError, sdkClientConfig, SDK_BUDGETS } from '@dofs/handler-kit';
import { captureLogs, lambdaContext } from '@dofs/handler-kit/testing';
import { InvalidExecutionInput, PUBLIC_REASONS } from '@dofs/order-domain';
import { createHandler } from '../src/handler';
import { OrderStateConflict, TransientStoreError, UnknownStoreAction } from '../src/errors';
import { receivedOrder, rejectedState, taskInput, validatedState } from './helpers/execution';

// Real DynamoDB Local from the libs/local-aws harness (ORDERS_TABLE and the endpoint come from its global setup).
const logs = captureLogs();
const NOW = new Date('2026-11-24T00:00:05.000Z');
const client = createDocumentClient();
const orders = new OrdersRepository({ tableName: String(process.env['ORDERS_TABLE']), writer: 'test', client });
let handler: ReturnType<typeof createHandler>;

beforeAll(() => {
  handler = createHandler({ env: process.env, logSink: logs.sink, now: () => NOW });
});
afterAll(() => client.destroy());
beforeEach(() => logs.clear());

describe("action 'store' (StoreOrder)", () => {
  it('moves the order RECEIVED -> PENDING with its total, history and first dispatch, and returns the queue message', async () => {
    const order = await receivedOrder(client, { total_cents: 0 });
    const result = await handler(taskInput('store', validatedState(order)), lambdaContext());
    expect(result).toEqual({ message: { order_id: order.order_id, correlation_id: 'corr-store-1', dispatch: 1 } });
    const stored = await orders.get(order.order_id);
    expect(stored).toMatchObject({ status: 'PENDING', total_cents: 3998, updated_at: NOW.toISOString() });
    // The message EnqueueOrder sends next is recorded first; it is sent within ENQUEUE_WITHIN_SECONDS (30 by default).
    expect(stored?.dispatch).toEqual({ seq: 1, at: NOW.toISOString(), sent_by: new Date(NOW.getTime() + 30_000).toISOString(), visible_at: NOW.toISOString(), by: 'store-order' });
    // Still in the open-orders index under the key it got at intake: the move did not write the index.
    expect(stored).toMatchObject({ open_shard: order.open_shard, open_since: order.open_since });
    expect(order.open_shard).toMatch(/^OPEN#\d{1,2}$/);
    expect(stored?.status_history).toEqual([...order.status_history, { from: 'RECEIVED', to: 'PENDING', at: NOW.toISOString(), by: 'store-order' }]);
    expect(logs.lines()).toEqual([expect.objectContaining({ message: 'order moved RECEIVED -> PENDING', order_id: order.order_id, correlation_id: 'corr-store-1', action: 'store' })]);
  });

  it('is idempotent under duplicate executions: one PENDING, one transition, the same message for every copy', async () => {
    const order = await receivedOrder(client);
    const results = await Promise.all(Array.from({ length: 5 }, () => handler(taskInput('store', validatedState(order)), lambdaContext())));
    for (const result of results) expect(result).toEqual({ message: { order_id: order.order_id, correlation_id: 'corr-store-1', dispatch: 1 } });
    const stored = await orders.get(order.order_id);
    expect(stored?.status).toBe('PENDING');
    expect(stored?.status_history.filter((c) => c.to === 'PENDING')).toHaveLength(1);
  });

  it('renews the first dispatch when run again on an order still PENDING under it: EnqueueOrder sends later than the first run said', async () => {
    const order = await receivedOrder(client);
    await handler(taskInput('store', validatedState(order)), lambdaContext());
    const later = new Date(NOW.getTime() + 120_000);
    const retried = createHandler({ env: process.env, logSink: logs.sink, now: () => later });
    await expect(retried(taskInput('store', validatedState(order)), lambdaContext())).resolves.toEqual({ message: { order_id: order.order_id, correlation_id: 'corr-store-1', dispatch: 1 } });
    const stored = await orders.get(order.order_id);
    expect(stored?.dispatch).toMatchObject({ seq: 1, sent_by: new Date(later.getTime() + 30_000).toISOString() });
    expect(stored?.status_history.filter((c) => c.to === 'PENDING')).toHaveLength(1);
  });

  it('leaves a newer dispatch alone when run again late: its message is superseded', async () => {
    const order = await receivedOrder(client);
    await handler(taskInput('store', validatedState(order)), lambdaContext());
    const newer = { seq: 2, at: NOW.toISOString(), sent_by: NOW.toISOString(), visible_at: NOW.toISOString(), by: 'reconcile-orders' };
    await orders.recordDispatch(order.order_id, { from: 'PENDING', expectedSeq: 1, dispatch: newer });
    await handler(taskInput('store', validatedState(order)), lambdaContext());
    await expect(orders.get(order.order_id)).resolves.toMatchObject({ dispatch: newer });
  });

  it('returns the message again, writing nothing, when fulfilment has already moved the order on', async () => {
    const order = await receivedOrder(client, { status: 'FULFILLED', open_shard: undefined, open_since: undefined } as never);
    const before = await orders.get(order.order_id);
    await expect(handler(taskInput('store', validatedState(order)), lambdaContext())).resolves.toEqual({ message: { order_id: order.order_id, correlation_id: 'corr-store-1', dispatch: 1 } });
    expect(await orders.get(order.order_id)).toEqual(before);
  });

  it('fails, without writing, for an order that was REJECTED (two verdicts for one order are a fault)', async () => {
    const order = await receivedOrder(client, { status: 'REJECTED' } as never);
    await expect(handler(taskInput('store', validatedState(order)), lambdaContext())).rejects.toBeInstanceOf(OrderStateConflict);
  });

  it('needs a valid verdict', async () => {
    const order = await receivedOrder(client);
    await expect(handler(taskInput('store', rejectedState(order, [])), lambdaContext())).rejects.toBeInstanceOf(InvalidExecutionInput);
    await expect(orders.get(order.order_id)).resolves.toMatchObject({ status: 'RECEIVED' });
  });
});

describe("action 'reject' (StoreRejectedOrder)", () => {
  const reasons = [{ path: '/currency', message: 'currency JPY is not supported' }];

  it('moves the order RECEIVED -> REJECTED with the reasons and the public reason, idempotently', async () => {
    const order = await receivedOrder(client);
    const result = await handler(taskInput('reject', rejectedState(order, reasons)), lambdaContext());
    expect(result).toEqual({ order_id: order.order_id, status: 'REJECTED' });
    const stored = await orders.get(order.order_id);
    expect(stored).toMatchObject({ status: 'REJECTED', rejection_reasons: reasons, status_reason: PUBLIC_REASONS.REJECTED });
    expect(stored).not.toHaveProperty('open_shard');
    expect(stored).not.toHaveProperty('open_since');
    await expect(handler(taskInput('reject', rejectedState(order, reasons)), lambdaContext())).resolves.toEqual(result);
    expect((await orders.get(order.order_id))?.status_history.filter((c) => c.to === 'REJECTED')).toHaveLength(1);
  });

  it('counts OrdersRejected in one Embedded Metric Format line when it rejects, not for a duplicate task', async () => {
    const order = await receivedOrder(client);
    await handler(taskInput('reject', rejectedState(order, reasons)), lambdaContext());
    await handler(taskInput('reject', rejectedState(order, reasons)), lambdaContext());
    expect(logs.lines().filter((l) => l['_aws'] !== undefined)).toEqual([
      {
        _aws: { Timestamp: NOW.getTime(), CloudWatchMetrics: [{ Namespace: 'DOFS', Dimensions: [['service']], Metrics: [{ Name: 'OrdersRejected', Unit: 'Count' }] }] },
        service: 'store-order',
        OrdersRejected: 1,
      },
    ]);
  });

  it('fails for an order that was stored PENDING', async () => {
    const order = await receivedOrder(client, { status: 'PENDING' } as never);
    await expect(handler(taskInput('reject', rejectedState(order, reasons)), lambdaContext())).rejects.toBeInstanceOf(OrderStateConflict);
  });
});

describe('failures', () => {
  it('wraps a DynamoDB that does not answer (here: nothing listening) as TransientStoreError', async () => {
    const deadClient = new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', ...sdkClientConfig(SDK_BUDGETS.dynamodb) });
    const unreachable = createHandler({
      env: process.env,
      logSink: () => undefined,
      orders: new OrdersRepository({ tableName: 'orders', writer: 'store-order', client: createDocumentClient(deadClient) }),
    });
    const order = await receivedOrder(client);
    const error = await unreachable(taskInput('store', validatedState(order)), lambdaContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientStoreError);
    expect((error as Error).name).toBe('TransientStoreError');
    deadClient.destroy();
  });

  it('wraps throttling as TransientStoreError', async () => {
    const throttled = createHandler({
      env: process.env,
      logSink: () => undefined,
      orders: {
        transition: async () => Promise.reject(Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } })),
        recordDispatch: async () => Promise.reject(new Error('not reached: the transition fails first')),
      },
    });
    const order = await receivedOrder(client);
    await expect(throttled(taskInput('store', validatedState(order)), lambdaContext())).rejects.toBeInstanceOf(TransientStoreError);
  });

  it('refuses unknown actions and malformed execution input', async () => {
    const order = await receivedOrder(client);
    await expect(handler({ action: 'fail', execution: validatedState(order) }, lambdaContext())).rejects.toBeInstanceOf(UnknownStoreAction);
    await expect(handler({ action: 'store', execution: { order_id: 'x' } }, lambdaContext())).rejects.toBeInstanceOf(InvalidExecutionInput);
    expect(logs.lines().map((l) => l['level'])).toEqual(['ERROR', 'ERROR']);
  });

  it('names a missing ORDERS_TABLE at cold start', () => {
    expect(() => createHandler({ env: {} })).toThrow(ConfigError);
    expect(() => createHandler({ env: {} })).toThrow(/ORDERS_TABLE is required/);
  });
});
