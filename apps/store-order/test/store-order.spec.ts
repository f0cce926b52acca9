import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient, OrderConflictError, OrdersRepository } from '@dofs/ddb-repo';
import { captureLogs, ConfigError, InvalidExecutionInput, lambdaContext } from '@dofs/handler-kit';
import { createHandler } from '../src/handler';
import { TransientStoreError, UnknownStoreAction } from '../src/errors';
import { executionInput, orderRequest, rejectedState, taskInput, validatedState } from './helpers/execution';

// Real DynamoDB Local from the libs/local-aws harness (ORDERS_TABLE and the endpoint come from its global setup).
const logs = captureLogs();
const NOW = new Date('2026-11-24T00:00:05.000Z');
let handler: ReturnType<typeof createHandler>;
let orders: OrdersRepository;

beforeAll(() => {
  handler = createHandler({ env: process.env, logSink: logs.sink, now: () => NOW });
  orders = new OrdersRepository({ tableName: String(process.env['ORDERS_TABLE']) });
});
beforeEach(() => logs.clear());

describe("action 'store' (StoreOrder)", () => {
  it('creates the order as PENDING with its bookkeeping and returns the queue message', async () => {
    const state = validatedState(orderRequest(), { idempotency_key: 'key-1' });
    const result = await handler(taskInput('store', state), lambdaContext());
    expect(result).toEqual({ message: { order_id: state.order_id, correlation_id: 'corr-store-1' } });
    expect(await orders.get(state.order_id)).toEqual({
      order_id: state.order_id,
      customer_id: 'c-123',
      items: [{ sku: 'SKU-1', quantity: 2, unit_price_cents: 1999 }],
      currency: 'USD',
      total_cents: 3998,
      status: 'PENDING',
      attempts: 0,
      request_hash: state.request_hash,
      idempotency_key: 'key-1',
      correlation_id: 'corr-store-1',
      created_at: NOW.toISOString(),
      updated_at: NOW.toISOString(),
    });
    expect(logs.lines()).toEqual([expect.objectContaining({ message: 'order stored', order_id: state.order_id, correlation_id: 'corr-store-1', action: 'store', cold_start: true })]);
  });

  it('is idempotent: a retried task returns the same message and writes nothing new', async () => {
    const state = validatedState();
    const first = await handler(taskInput('store', state), lambdaContext());
    const before = await orders.get(state.order_id);
    const again = await createHandler({ env: process.env, logSink: logs.sink, now: () => new Date() })(taskInput('store', state), lambdaContext());
    expect(again).toEqual(first);
    expect(await orders.get(state.order_id)).toEqual(before);
    expect(logs.lines().at(-1)).toMatchObject({ message: 'order already stored: idempotent retry' });
  });

  it('does not store the idempotency key when there was none', async () => {
    const state = validatedState();
    await handler(taskInput('store', state), lambdaContext());
    expect(await orders.get(state.order_id)).not.toHaveProperty('idempotency_key');
  });

  it('fails (does not overwrite) when the order id already holds another request', async () => {
    const state = validatedState();
    await handler(taskInput('store', state), lambdaContext());
    const other = { ...validatedState(orderRequest({ currency: 'EUR' })), order_id: state.order_id };
    await expect(handler(taskInput('store', other), lambdaContext())).rejects.toBeInstanceOf(OrderConflictError);
  });

  it('needs the ValidateOrder result', async () => {
    await expect(handler(taskInput('store', executionInput()), lambdaContext())).rejects.toBeInstanceOf(InvalidExecutionInput);
  });
});

describe("action 'reject' (StoreRejectedOrder)", () => {
  it('stores the order as REJECTED with the reasons parsed from the Step Functions Cause', async () => {
    const reasons = [{ path: '/currency', message: 'currency JPY is not supported; use one of USD, EUR, GBP' }];
    const state = rejectedState(reasons, orderRequest({ currency: 'JPY' }));
    const result = await handler(taskInput('reject', state), lambdaContext());
    expect(result).toEqual({ order_id: state.order_id, status: 'REJECTED' });
    expect(await orders.get(state.order_id)).toMatchObject({ status: 'REJECTED', currency: 'JPY', total_cents: 3998, attempts: 0, rejection_reasons: reasons });
    // a retry changes nothing
    await expect(handler(taskInput('reject', state), lambdaContext())).resolves.toEqual(result);
  });

  it('keeps what it can of an order that broke the schema, and a generic reason for an unreadable Cause', async () => {
    const state = { ...executionInput(), order: { customer_id: 'c-9', items: [{ sku: 'A', quantity: 2, unit_price_cents: 5 }, { sku: 7 }], currency: 7 } as never, rejection: { Error: 'OrderRejected', Cause: 'not json' } };
    await handler(taskInput('reject', state), lambdaContext());
    expect(await orders.get(state.order_id)).toMatchObject({
      status: 'REJECTED',
      customer_id: 'c-9',
      items: [{ sku: 'A', quantity: 2, unit_price_cents: 5 }],
      currency: '',
      total_cents: 10,
      rejection_reasons: [{ path: '', message: 'the order was rejected by validation' }],
    });
  });
});

describe("action 'fail' (MarkOrderFailed)", () => {
  const enqueueError = { Error: 'SQS.AmazonSQSException', Cause: 'The specified queue does not exist.' };

  it('moves a PENDING order to FAILED with the reason, idempotently', async () => {
    const state = validatedState();
    await handler(taskInput('store', state), lambdaContext());
    const failState = { ...state, error: enqueueError };
    await expect(handler(taskInput('fail', failState), lambdaContext())).resolves.toEqual({ order_id: state.order_id, status: 'FAILED' });
    expect(await orders.get(state.order_id)).toMatchObject({
      status: 'FAILED',
      failure_reason: 'could not queue the order for fulfilment: SQS.AmazonSQSException: The specified queue does not exist.',
    });
    await expect(handler(taskInput('fail', failState), lambdaContext())).resolves.toEqual({ order_id: state.order_id, status: 'FAILED' });
  });

  it('leaves an order that reached fulfilment after all (RETRYING) or is terminal', async () => {
    const state = validatedState();
    await handler(taskInput('store', state), lambdaContext());
    await orders.recordFailedAttempt(state.order_id, { from: 'PENDING', attempt: 1, error: 'simulated' });
    await expect(handler(taskInput('fail', { ...state, error: enqueueError }), lambdaContext())).resolves.toEqual({ order_id: state.order_id, status: 'RETRYING' });
    await orders.transition(state.order_id, 'RETRYING', 'FULFILLED', { attempts: 2 });
    await expect(handler(taskInput('fail', { ...state, error: enqueueError }), lambdaContext())).resolves.toEqual({ order_id: state.order_id, status: 'FULFILLED' });
  });
});

describe('failures', () => {
  it('wraps retryable DynamoDB errors (here: nothing listening) as TransientStoreError', async () => {
    const deadClient = new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    const unreachable = createHandler({
      env: process.env,
      logSink: () => undefined,
      orders: new OrdersRepository({ tableName: 'orders', client: createDocumentClient(deadClient) }),
    });
    const error = await unreachable(taskInput('store', validatedState()), lambdaContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientStoreError);
    expect((error as Error).name).toBe('TransientStoreError');
    deadClient.destroy();
  });

  it('wraps throttling as TransientStoreError', async () => {
    const throttled = createHandler({
      env: process.env,
      logSink: () => undefined,
      orders: {
        create: async () => Promise.reject(Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } })),
        transition: async () => Promise.reject(new Error('not used')),
      },
    });
    await expect(throttled(taskInput('store', validatedState()), lambdaContext())).rejects.toBeInstanceOf(TransientStoreError);
  });

  it('refuses unknown actions and malformed execution input', async () => {
    await expect(handler({ action: 'delete', execution: validatedState() }, lambdaContext())).rejects.toBeInstanceOf(UnknownStoreAction);
    await expect(handler({ action: 'store', execution: { order_id: 'x' } }, lambdaContext())).rejects.toBeInstanceOf(InvalidExecutionInput);
    expect(logs.lines().map((l) => l['level'])).toEqual(['ERROR', 'ERROR']);
  });

  it('names a missing ORDERS_TABLE at cold start', () => {
    expect(() => createHandler({ env: {} })).toThrow(ConfigError);
    expect(() => createHandler({ env: {} })).toThrow(/ORDERS_TABLE is required/);
  });
});
