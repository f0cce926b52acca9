import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { createDocumentClient, FailedOrdersRepository, OrdersRepository } from '@dofs/ddb-repo';
import { ConfigError } from '@dofs/handler-kit';
import { captureLogs, lambdaContext, sqsEvent, sqsRecord } from '@dofs/handler-kit/testing';
import { newOrderId, PUBLIC_REASONS } from '@dofs/order-domain';
import { MAX_ARCHIVED_BODY_BYTES } from '../src/dead-letter';
import { createHandler } from '../src/handler';
import { pendingOrder } from '@dofs/handler-kit/testing';
import { putOrder, createQueuePair, receiveRecords, sendOrderMessage, settleBatch, sqsClient } from '@dofs/local-aws';

// Real DynamoDB Local and the local SQS server from the libs/local-aws harness.
const NOW = new Date('2026-11-24T01:00:00.000Z');
const logs = captureLogs();
let sqs: SQSClient;
let orders: OrdersRepository;
let failedOrders: FailedOrdersRepository;
let handler: ReturnType<typeof createHandler>;

beforeAll(() => {
  sqs = sqsClient();
  orders = new OrdersRepository({ tableName: String(process.env['ORDERS_TABLE']), writer: 'test' });
  failedOrders = new FailedOrdersRepository({ failedOrdersTable: String(process.env['FAILED_ORDERS_TABLE']), ordersTable: String(process.env['ORDERS_TABLE']), writer: 'test' });
  handler = createHandler({ env: process.env, logSink: logs.sink, now: () => NOW });
});
afterAll(() => sqs.destroy());
beforeEach(() => logs.clear());

function failedIds(response: SQSBatchResponse | undefined): string[] {
  return (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier).sort();
}

const orderMessageInput = (orderId: string, extra: { receiveCount?: number; correlationId?: string; dispatch?: number } = {}) => ({
  body: JSON.stringify({ order_id: orderId, correlation_id: extra.correlationId ?? 'corr-dlq', ...(extra.dispatch === undefined ? {} : { dispatch: extra.dispatch }) }),
  receiveCount: extra.receiveCount ?? 4,
  sentTimestamp: Date.parse('2026-11-24T00:00:00.000Z'),
  attributes: { order_id: orderId, correlation_id: extra.correlationId ?? 'corr-dlq' },
  queueName: 'order_dlq',
});
const orderMessage = (orderId: string, extra: { receiveCount?: number; correlationId?: string; dispatch?: number } = {}) => sqsRecord(orderMessageInput(orderId, extra));
const dispatchOf = (seq: number, overrides: Record<string, string> = {}) => ({ seq, at: '2026-11-24T00:00:00.000Z', sent_by: '2026-11-24T00:05:00.000Z', visible_at: '2026-11-24T00:00:00.000Z', by: 'store-order', ...overrides });

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

describe('dlq-handler with messages dead-lettered by SQS', () => {
  it('archives a message that exhausted its receives and marks its order FAILED, in one go', async () => {
    const order = pendingOrder();
    await putOrder(order);
    const queue = await createQueuePair(sqs, 2);
    const body = JSON.stringify({ order_id: order.order_id, correlation_id: 'corr-e2e' });
    const messageId = await sendOrderMessage(sqs, queue.queueUrl, body, { order_id: order.order_id, correlation_id: 'corr-e2e' });
    // Two failed receives, as fulfill-order would record them; the third receive dead-letters it.
    await orders.recordFailedAttempt(order.order_id, { from: 'PENDING', recordedAttempts: 0, receive: `${messageId}#1`, error: 'simulated fulfilment failure on attempt 1' });
    expect(await receiveRecords(sqs, queue.queueUrl, queue.queueArn)).toHaveLength(1);
    await orders.recordFailedAttempt(order.order_id, { from: 'RETRYING', recordedAttempts: 1, receive: `${messageId}#2`, error: 'simulated fulfilment failure on attempt 2' });
    expect(await receiveRecords(sqs, queue.queueUrl, queue.queueArn)).toHaveLength(1);
    expect(await receiveRecords(sqs, queue.queueUrl, queue.queueArn)).toEqual([]);

    const records = await receiveRecords(sqs, queue.dlqUrl, queue.dlqArn);
    expect(records.map((r) => r.messageId)).toEqual([messageId]);
    const twoAttemptsPerRound = createHandler({ env: { ...process.env, MAX_RECEIVE_COUNT: '2' }, logSink: logs.sink, now: () => NOW });
    const response = await twoAttemptsPerRound(sqsEvent(records), lambdaContext());
    expect(failedIds(response)).toEqual([]);
    await settleBatch(sqs, queue.dlqUrl, records, response);

    const archived = await failedOrders.get(order.order_id);
    expect(archived).toEqual({
      order_id: order.order_id,
      message_id: messageId,
      original_message: body,
      attempts: 2,
      reason: 'simulated fulfilment failure on attempt 2',
      correlation_id: 'corr-e2e',
      first_sent_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      failed_at: NOW.toISOString(),
    });
    expect(await orders.get(order.order_id)).toMatchObject({
      status: 'FAILED',
      failure_reason: 'simulated fulfilment failure on attempt 2',
      status_reason: PUBLIC_REASONS.FULFILMENT_FAILED,
      attempts: 2,
    });
    expect(logs.lines()).toEqual(
      expect.arrayContaining([expect.objectContaining({ message: 'dead letter archived', order_id: order.order_id, correlation_id: 'corr-e2e', order_status: 'FAILED', cold_start: true })]),
    );
    expect(logs.lines().filter((l) => l['_aws'] !== undefined)).toEqual([
      {
        _aws: { Timestamp: NOW.getTime(), CloudWatchMetrics: [{ Namespace: 'DOFS', Dimensions: [['service']], Metrics: [{ Name: 'OrdersFailed', Unit: 'Count' }] }] },
        service: 'dlq-handler',
        OrdersFailed: 1,
      },
    ]);
  });
});

describe('dlq-handler triage: processing failed, not the order', () => {
  // An order dead-lettered with fewer recorded attempts than a round allows: its receives ended
  // without an attempt (DynamoDB unreachable, a crash). It goes back to order_queue, with a
  // doubling delay, until the redrive budget is spent.
  const triageHandler = (orderQueueUrl: string) =>
    createHandler({ env: { ...process.env, ORDER_QUEUE_URL: orderQueueUrl, DLQ_REDRIVE_DELAY_SECONDS: '1', DLQ_REDRIVE_BUDGET: '2' }, logSink: logs.sink, now: () => NOW });

  it('sends the order back to order_queue under a new dispatch, written first, with a delay', async () => {
    const queue = await createQueuePair(sqs, 3);
    const order = pendingOrder({ status: 'RETRYING', attempts: 1, last_error: 'simulated fulfilment failure on attempt 1', dispatch: dispatchOf(1) });
    await putOrder(order);
    const record = orderMessage(order.order_id, { dispatch: 1 });
    const response = await triageHandler(queue.queueUrl)(sqsEvent([record]), lambdaContext());
    expect(failedIds(response)).toEqual([]);
    const after = await orders.get(order.order_id);
    expect(after).toMatchObject({
      status: 'RETRYING',
      attempts: 1,
      dlq_redrives: 1,
      dispatch: { seq: 2, at: NOW.toISOString(), visible_at: new Date(NOW.getTime() + 1000).toISOString(), by: 'dlq-handler', source: record.messageId },
    });
    expect(await failedOrders.get(order.order_id)).toBeUndefined();
    expect(logs.lines()).toContainEqual(expect.objectContaining({ outcome: 'SENT_BACK', order_id: order.order_id, dispatch: 2, dlq_redrives: 1, delay_seconds: 1 }));
    const [back] = await receiveRecords(sqs, queue.queueUrl, queue.queueArn, 1, 5000);
    expect(JSON.parse(must(back).body)).toEqual({ order_id: order.order_id, correlation_id: order.correlation_id, dispatch: 2 });
  });

  it('doubles the delay each time it sends an order back in a round', async () => {
    const queue = await createQueuePair(sqs, 3);
    const order = pendingOrder({ dlq_redrives: 1, dispatch: dispatchOf(2, { by: 'dlq-handler' }) });
    await putOrder(order);
    await triageHandler(queue.queueUrl)(sqsEvent([orderMessage(order.order_id, { dispatch: 2 })]), lambdaContext());
    expect(logs.lines()).toContainEqual(expect.objectContaining({ outcome: 'SENT_BACK', dlq_redrives: 2, delay_seconds: 2 }));
  });

  it('resends the same send-back when its earlier try wrote the dispatch but the send failed, without counting it again', async () => {
    const queue = await createQueuePair(sqs, 3);
    const record = orderMessage(newOrderId(), { dispatch: 1 });
    const order = pendingOrder({ order_id: JSON.parse(record.body).order_id, status: 'RETRYING', attempts: 1, dlq_redrives: 1, dispatch: dispatchOf(2, { by: 'dlq-handler', source: record.messageId }) });
    await putOrder(order);
    expect(failedIds(await triageHandler(queue.queueUrl)(sqsEvent([record]), lambdaContext()))).toEqual([]);
    expect(await orders.get(order.order_id)).toMatchObject({ dlq_redrives: 1, dispatch: { seq: 3, source: record.messageId } });
    const [back] = await receiveRecords(sqs, queue.queueUrl, queue.queueArn, 1, 5000);
    expect(JSON.parse(must(back).body)).toMatchObject({ dispatch: 3 });
  });

  it('marks the order FAILED with the public "not processed" reason, archived, once the budget is spent', async () => {
    const queue = await createQueuePair(sqs, 3);
    const order = pendingOrder({ status: 'RETRYING', attempts: 1, dlq_redrives: 2, dispatch: dispatchOf(3, { by: 'dlq-handler' }) });
    await putOrder(order);
    expect(failedIds(await triageHandler(queue.queueUrl)(sqsEvent([orderMessage(order.order_id, { dispatch: 3 })]), lambdaContext()))).toEqual([]);
    expect(await orders.get(order.order_id)).toMatchObject({ status: 'FAILED', status_reason: PUBLIC_REASONS.NOT_PROCESSED });
    expect(logs.lines().filter((l) => l['_aws'] !== undefined).map((l) => l['OrdersFailed'])).toEqual([1]);
    expect(await failedOrders.get(order.order_id)).toMatchObject({ reason: expect.stringMatching(/redrive budget spent/) });
    expect(await receiveRecords(sqs, queue.queueUrl, queue.queueArn, 1, 1500)).toEqual([]);
  });
});

describe('dlq-handler triage: a message from an earlier round', () => {
  it('acknowledges a superseded copy of an operator-redriven order and changes nothing: no FAILED without a new attempt', async () => {
    const queue = await createQueuePair(sqs, 3);
    // Three failed attempts, FAILED, then redriven by an operator: a new round from attempt 3, a new dispatch.
    const order = pendingOrder({ status: 'RETRYING', attempts: 3, attempts_base: 3, dispatch: dispatchOf(2, { by: 'dofs-cli' }) });
    await putOrder(order);
    // A copy of the first round's message (no dispatch seq, or seq 1), dead-lettered now.
    for (const stale of [orderMessage(order.order_id), orderMessage(order.order_id, { dispatch: 1 })]) {
      const response = await handler(sqsEvent([stale]), lambdaContext());
      expect(failedIds(response)).toEqual([]);
      expect(await orders.get(order.order_id)).toEqual(order);
      expect(await failedOrders.get(order.order_id)).toBeUndefined();
    }
    expect(logs.lines().filter((l) => l['outcome'] === 'SUPERSEDED')).toHaveLength(2);
    expect(await receiveRecords(sqs, queue.queueUrl, queue.queueArn, 1, 1000)).toEqual([]);
  });

  it('judges the current message of a new round by the round: its receives died without attempts, so it goes back', async () => {
    const queue = await createQueuePair(sqs, 3);
    const order = pendingOrder({ status: 'RETRYING', attempts: 3, attempts_base: 3, dispatch: dispatchOf(2, { by: 'dofs-cli' }) });
    await putOrder(order);
    const triage = createHandler({ env: { ...process.env, ORDER_QUEUE_URL: queue.queueUrl, DLQ_REDRIVE_DELAY_SECONDS: '0' }, logSink: logs.sink, now: () => NOW });
    expect(failedIds(await triage(sqsEvent([orderMessage(order.order_id, { dispatch: 2 })]), lambdaContext()))).toEqual([]);
    expect(await orders.get(order.order_id)).toMatchObject({ status: 'RETRYING', dlq_redrives: 1, dispatch: { seq: 3 } });
    expect(logs.lines()).toContainEqual(expect.objectContaining({ outcome: 'SENT_BACK' }));
  });
});

describe('dlq-handler batches', () => {
  it('handles every kind of dead letter in one batch: failed order, unparseable body, unknown order, already fulfilled', async () => {
    const retrying = pendingOrder();
    await putOrder(retrying);
    await putOrder({ ...retrying, status: 'RETRYING', attempts: 2 });
    await orders.recordFailedAttempt(retrying.order_id, { from: 'RETRYING', recordedAttempts: 2, receive: 'earlier#3', error: 'simulated fulfilment failure on attempt 3' });
    const fulfilled = pendingOrder();
    await putOrder(fulfilled);
    await orders.transition(fulfilled.order_id, 'PENDING', 'FULFILLED', { attempts: 1 });
    const unknownId = newOrderId();

    const good = orderMessage(retrying.order_id, { receiveCount: 4 });
    const garbage = sqsRecord({ body: '{"order_id": 42, "oops"', receiveCount: 3, attributes: { correlation_id: 'corr-garbage' }, queueName: 'order_dlq' });
    const unknown = orderMessage(unknownId);
    const late = orderMessage(fulfilled.order_id);
    const response = await handler(sqsEvent([good, garbage, unknown, late]), lambdaContext());
    expect(failedIds(response)).toEqual([]);

    expect(await failedOrders.get(retrying.order_id)).toMatchObject({ attempts: 3, reason: 'simulated fulfilment failure on attempt 3', correlation_id: 'corr-dlq', first_sent_at: '2026-11-24T00:00:00.000Z' });
    expect(await orders.get(retrying.order_id)).toMatchObject({ status: 'FAILED', failure_reason: 'simulated fulfilment failure on attempt 3' });

    expect(await failedOrders.get(`unparseable#${garbage.messageId}`)).toEqual({
      order_id: `unparseable#${garbage.messageId}`,
      message_id: garbage.messageId,
      original_message: '{"order_id": 42, "oops"',
      attempts: 3,
      reason: expect.stringMatching(/^unparseable message: body is not valid JSON/),
      correlation_id: 'corr-garbage',
      first_sent_at: expect.any(String),
      failed_at: NOW.toISOString(),
    });

    expect(await failedOrders.get(unknownId)).toMatchObject({ reason: 'the order does not exist', original_message: unknown.body });
    expect(await orders.get(unknownId)).toBeUndefined();

    // A late copy for an order fulfilled meanwhile: nothing failed, nothing to archive.
    expect(await failedOrders.get(fulfilled.order_id)).toBeUndefined();
    expect(await orders.get(fulfilled.order_id)).toMatchObject({ status: 'FULFILLED' });

    const statuses = Object.fromEntries(logs.lines().filter((l) => l['message'] === 'dead letter archived').map((l) => [l['archive_key'], l['order_status']]));
    expect(statuses).toEqual({
      [retrying.order_id]: 'FAILED',
      [`unparseable#${garbage.messageId}`]: 'MISSING',
      [unknownId]: 'MISSING',
    });
    expect(logs.lines()).toContainEqual(expect.objectContaining({ order_id: fulfilled.order_id, outcome: 'ALREADY_DONE' }));
  });

  it('is idempotent: the same dead letter delivered again changes nothing and is acknowledged', async () => {
    const order = pendingOrder({ status: 'RETRYING', attempts: 3 });
    await putOrder(order);
    const record = orderMessage(order.order_id);
    expect(failedIds(await handler(sqsEvent([record]), lambdaContext()))).toEqual([]);
    const archived = await failedOrders.get(order.order_id);
    expect(logs.lines().filter((l) => l['_aws'] !== undefined).map((l) => l['OrdersFailed'])).toEqual([1]);
    logs.clear();
    const later = createHandler({ env: process.env, logSink: logs.sink, now: () => new Date() });
    expect(failedIds(await later(sqsEvent([record, { ...record }]), lambdaContext()))).toEqual([]);
    // The copies find the order FAILED already: not counted again.
    expect(logs.lines().filter((l) => l['_aws'] !== undefined)).toEqual([]);
    expect(await failedOrders.get(order.order_id)).toEqual(archived);
    expect(logs.lines().filter((l) => l['message'] === 'dead letter already archived')).toHaveLength(2);
  });

  it('archives a body too large for a DynamoDB item, cut to 256 KiB with its full size recorded', async () => {
    const huge = `garbage:${'x'.repeat(900 * 1024)}`;
    const record = sqsRecord({ body: huge, queueName: 'order_dlq' });
    expect(failedIds(await handler(sqsEvent([record]), lambdaContext()))).toEqual([]);
    const archived = await failedOrders.get(`unparseable#${record.messageId}`);
    expect(archived).toMatchObject({ original_message_truncated: true, original_message_bytes: Buffer.byteLength(huge) });
    expect(archived?.original_message).toBe(huge.slice(0, MAX_ARCHIVED_BODY_BYTES));
  });

  it('reports only the records it could not archive, never dropping one', async () => {
    const ok = orderMessage(newOrderId());
    const broken = orderMessage(newOrderId());
    const flaky = createHandler({
      env: process.env,
      logSink: logs.sink,
      orders,
      failedOrders: {
        recordDeadLetter: async (item, expected) => {
          if (item.message_id === broken.messageId) throw Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ProvisionedThroughputExceededException' });
          return failedOrders.recordDeadLetter(item, expected);
        },
      },
    });
    expect(failedIds(await flaky(sqsEvent([ok, broken]), lambdaContext()))).toEqual([broken.messageId]);
    expect(logs.lines()).toEqual(expect.arrayContaining([expect.objectContaining({ level: 'ERROR', message: 'dead letter not handled: reported for redelivery', message_id: broken.messageId })]));
  });

  it('fails the whole invocation when DynamoDB is unreachable for every record', async () => {
    const deadClient = new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    const client = createDocumentClient(deadClient);
    const unreachable = createHandler({
      env: process.env,
      logSink: logs.sink,
      orders: new OrdersRepository({ tableName: 'orders', writer: 'dlq-handler', client }),
      failedOrders: new FailedOrdersRepository({ failedOrdersTable: 'failed_orders', ordersTable: 'orders', writer: 'dlq-handler', client }),
    });
    const records = [orderMessage(newOrderId()), sqsRecord({ body: 'garbage' })];
    await expect(unreachable(sqsEvent(records), lambdaContext())).rejects.toMatchObject({ name: 'FullBatchFailureError' });
    deadClient.destroy();
  });

  it('names a missing FAILED_ORDERS_TABLE at cold start', () => {
    expect(() => createHandler({ env: { ORDERS_TABLE: 'orders' } })).toThrow(ConfigError);
    expect(() => createHandler({ env: { ORDERS_TABLE: 'orders' } })).toThrow(/FAILED_ORDERS_TABLE is required/);
  });
});
