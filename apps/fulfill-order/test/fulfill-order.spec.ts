import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { createDocumentClient, OrdersRepository } from '@dofs/ddb-repo';
import { ConfigError } from '@dofs/handler-kit';
import { captureLogs, lambdaContext, sqsEvent, sqsRecord } from '@dofs/handler-kit/testing';
import { newOrderId } from '@dofs/order-domain';
import { createHandler } from '../src/handler';
import { pendingOrder, sequence, storedOrder } from '@dofs/handler-kit/testing';
import { putOrder, createQueuePair, receiveRecords, sendOrderMessage, settleBatch, sqsClient, type QueuePair } from '@dofs/local-aws';

// Real DynamoDB Local and the local SQS server from the libs/local-aws harness.
const MAX_RECEIVE_COUNT = 3;
let sqs: SQSClient;
let orders: OrdersRepository;
const logs = captureLogs();

beforeAll(() => {
  sqs = sqsClient();
  orders = new OrdersRepository({ tableName: String(process.env['ORDERS_TABLE']), writer: 'test' });
});
afterAll(() => sqs.destroy());
beforeEach(() => logs.clear());

function handlerWith(random: () => number, env: Record<string, string | undefined> = {}, now?: () => Date) {
  return createHandler({ random, env: { ...process.env, FULFILLMENT_SUCCESS_RATE: '0.7', ...env }, logSink: logs.sink, ...(now ? { now } : {}) });
}

function failedIds(response: SQSBatchResponse | undefined): string[] {
  return (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier).sort();
}

async function enqueue(queue: QueuePair, orderId: string, correlationId = `corr-${orderId.slice(4, 12)}`): Promise<string> {
  return sendOrderMessage(sqs, queue.queueUrl, JSON.stringify({ order_id: orderId, correlation_id: correlationId }), { order_id: orderId, correlation_id: correlationId });
}

describe('fulfill-order with SQS batches', () => {
  let queue: QueuePair;
  beforeEach(async () => {
    queue = await createQueuePair(sqs, MAX_RECEIVE_COUNT);
  });

  it('handles a batch mixing good, failing, malformed, unknown and already-terminal records, each on its own', async () => {
    const succeeds = pendingOrder();
    const fails = pendingOrder();
    const done = pendingOrder();
    for (const order of [succeeds, fails, done]) await putOrder(order);
    await orders.transition(done.order_id, 'PENDING', 'FULFILLED', { attempts: 1 });
    const unknownId = newOrderId();

    const ids = {
      succeeds: await enqueue(queue, succeeds.order_id),
      fails: await enqueue(queue, fails.order_id),
      malformed: await sendOrderMessage(sqs, queue.queueUrl, 'this is not an order message'),
      unknown: await enqueue(queue, unknownId),
      done: await enqueue(queue, done.order_id),
    };
    const records = await receiveRecords(sqs, queue.queueUrl, queue.queueArn);
    expect(records).toHaveLength(5);
    const byId = new Map(records.map((r) => [r.messageId, r]));
    // One draw per parseable record, in batch order: succeeds, fails, unknown, done.
    const ordered = [ids.succeeds, ids.fails, ids.malformed, ids.unknown, ids.done].flatMap((id) => byId.get(id) ?? []);
    expect(ordered).toHaveLength(5);
    const fulfilledAt = new Date(Date.parse(succeeds.received_at) + 1234);
    const response = await handlerWith(sequence(0.1, 0.9, 0.1, 0.1), {}, () => fulfilledAt)(sqsEvent(ordered), lambdaContext());

    expect(failedIds(response)).toEqual([ids.fails, ids.malformed, ids.unknown].sort());
    expect(await orders.get(succeeds.order_id)).toMatchObject({ status: 'FULFILLED', attempts: 1 });
    expect(await orders.get(fails.order_id)).toMatchObject({ status: 'RETRYING', attempts: 1, last_error: 'simulated fulfilment failure on attempt 1' });
    expect(await orders.get(done.order_id)).toMatchObject({ status: 'FULFILLED', attempts: 1 });

    const lines = logs.lines();
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ message: 'order fulfilled', order_id: succeeds.order_id, correlation_id: `corr-${succeeds.order_id.slice(4, 12)}`, receive_count: 1, cold_start: true }),
        expect.objectContaining({ message: 'fulfilment attempt failed: recorded, reported for redelivery', order_id: fails.order_id }),
        expect.objectContaining({ level: 'WARN', message: 'malformed message: reported as failed so that it reaches the DLQ', message_id: ids.malformed }),
        expect.objectContaining({ level: 'WARN', order_id: unknownId, error: expect.objectContaining({ name: 'UnknownOrderError' }) }),
        expect.objectContaining({ message: 'order already terminal: acknowledged without change', order_id: done.order_id }),
        expect.objectContaining({ message: 'batch processed', records: 5, failed: 3 }),
      ]),
    );
    // One Embedded Metric Format line for the batch: two attempts made (one success, one failure), none for the others.
    expect(lines.filter((l) => l['_aws'] !== undefined)).toEqual([
      {
        _aws: {
          Timestamp: fulfilledAt.getTime(),
          CloudWatchMetrics: [
            {
              Namespace: 'DOFS',
              Dimensions: [['service']],
              Metrics: [
                { Name: 'FulfilmentAttempts', Unit: 'Count' },
                { Name: 'OrdersFulfilled', Unit: 'Count' },
                { Name: 'IntakeToTerminalMs', Unit: 'Milliseconds' },
              ],
            },
          ],
        },
        service: 'fulfill-order',
        FulfilmentAttempts: 2,
        OrdersFulfilled: 1,
        IntakeToTerminalMs: 1234,
      },
    ]);
    await settleBatch(sqs, queue.queueUrl, ordered, response);
  });

  it('counts one attempt per draw and dead-letters a message that keeps failing after maxReceiveCount receives', async () => {
    const order = pendingOrder();
    await putOrder(order);
    const messageId = await enqueue(queue, order.order_id);
    const handler = handlerWith(() => 0.99); // always fails
    for (let receive = 1; receive <= MAX_RECEIVE_COUNT; receive += 1) {
      const records = await receiveRecords(sqs, queue.queueUrl, queue.queueArn);
      expect(records.map((r) => [r.messageId, r.attributes.ApproximateReceiveCount])).toEqual([[messageId, String(receive)]]);
      const response = await handler(sqsEvent(records), lambdaContext());
      expect(failedIds(response)).toEqual([messageId]);
      expect(await orders.get(order.order_id)).toMatchObject({ status: 'RETRYING', attempts: receive });
      expect(logs.lines().filter((l) => l['_aws'] !== undefined).map((l) => [l['FulfilmentAttempts'], l['OrdersFulfilled']])).toEqual([[1, undefined]]);
      logs.clear();
      await settleBatch(sqs, queue.queueUrl, records, response);
    }
    expect(await receiveRecords(sqs, queue.queueUrl, queue.queueArn)).toEqual([]);
    const deadLettered = await receiveRecords(sqs, queue.dlqUrl, queue.dlqArn);
    expect(deadLettered.map((r) => r.body)).toEqual([JSON.stringify({ order_id: order.order_id, correlation_id: `corr-${order.order_id.slice(4, 12)}` })]);
  });

  it('fulfils an order on a later receive after failed attempts', async () => {
    const order = pendingOrder();
    await putOrder(order);
    await enqueue(queue, order.order_id);
    const handler = handlerWith(sequence(0.9, 0.2));
    for (let receive = 1; receive <= 2; receive += 1) {
      const records = await receiveRecords(sqs, queue.queueUrl, queue.queueArn);
      await settleBatch(sqs, queue.queueUrl, records, await handler(sqsEvent(records), lambdaContext()));
    }
    expect(await orders.get(order.order_id)).toMatchObject({ status: 'FULFILLED', attempts: 2, last_error: 'simulated fulfilment failure on attempt 1' });
    expect(await receiveRecords(sqs, queue.queueUrl, queue.queueArn, 10, 1500)).toEqual([]);
  });

  it('counts draws, not receives: two receives that died before their draw and one failed draw are one attempt', async () => {
    const order = pendingOrder();
    await putOrder(order);
    const messageId = await enqueue(queue, order.order_id);
    // Two receives whose invocation died before any of our code ran (an init error, a timeout): the
    // message comes back, its receive count grows, the order is not touched.
    for (let receive = 1; receive <= 2; receive += 1) expect((await receiveRecords(sqs, queue.queueUrl, queue.queueArn)).map((r) => r.messageId)).toEqual([messageId]);
    const records = await receiveRecords(sqs, queue.queueUrl, queue.queueArn);
    expect(records.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['3']);
    const response = await handlerWith(() => 0.99)(sqsEvent(records), lambdaContext());
    expect(failedIds(response)).toEqual([messageId]);
    expect(await orders.get(order.order_id)).toMatchObject({ status: 'RETRYING', attempts: 1, last_error: 'simulated fulfilment failure on attempt 1' });
  });

  it('makes no draw once the round\'s attempts are made: the copy is reported until SQS dead-letters it', async () => {
    const order = pendingOrder({ status: 'RETRYING', attempts: 4, attempts_base: 1 });
    await putOrder(order);
    const messageId = await enqueue(queue, order.order_id);
    const records = await receiveRecords(sqs, queue.queueUrl, queue.queueArn);
    const response = await handlerWith(() => 0.01)(sqsEvent(records), lambdaContext());
    expect(failedIds(response)).toEqual([messageId]);
    expect(await orders.get(order.order_id)).toEqual(order);
    expect(logs.lines()).toContainEqual(expect.objectContaining({ message: 'the attempts of this round are used up: reported, so that the message reaches the dead-letter queue', order_id: order.order_id }));
  });
});

describe('fulfill-order idempotency and races (records built like the event source mapping builds them)', () => {
  const message = (orderId: string, receiveCount: number) =>
    sqsRecord({ body: JSON.stringify({ order_id: orderId, correlation_id: 'corr-race' }), receiveCount, attributes: { order_id: orderId, correlation_id: 'corr-race' } });

  it('does not count a redelivered copy of the same receive twice, and still reports it', async () => {
    const order = pendingOrder();
    await putOrder(order);
    const handler = handlerWith(() => 0.99);
    const first = message(order.order_id, 1);
    // The same receive delivered twice: same message id, same receive count.
    const copy = { ...first, receiptHandle: `${first.receiptHandle}-copy` };
    expect(failedIds(await handler(sqsEvent([first]), lambdaContext()))).toEqual([first.messageId]);
    expect(failedIds(await handler(sqsEvent([copy]), lambdaContext()))).toEqual([copy.messageId]);
    expect(await orders.get(order.order_id)).toMatchObject({ status: 'RETRYING', attempts: 1 });
    expect(logs.lines()).toEqual(expect.arrayContaining([expect.objectContaining({ message: 'fulfilment attempt failed: already recorded by an earlier copy, reported for redelivery' })]));
  });

  it('re-reads and decides again after losing a status race (two copies in one batch)', async () => {
    const order = pendingOrder();
    await putOrder(order);
    const a = message(order.order_id, 1);
    const b = message(order.order_id, 1);
    const response = await handlerWith(() => 0.1)(sqsEvent([a, b]), lambdaContext());
    expect(failedIds(response)).toEqual([]);
    expect(await orders.get(order.order_id)).toMatchObject({ status: 'FULFILLED', attempts: 1 });
    expect(logs.lines()).toEqual(expect.arrayContaining([expect.objectContaining({ message: 'order already terminal: acknowledged without change' })]));
  });

  it('fulfils a RETRYING order whose status moved under it (failure then success in one batch)', async () => {
    const order = pendingOrder();
    await putOrder(order);
    const failing = message(order.order_id, 1);
    const succeeding = message(order.order_id, 2);
    const response = await handlerWith(sequence(0.9, 0.1))(sqsEvent([failing, succeeding]), lambdaContext());
    const stored = await orders.get(order.order_id);
    // Whichever write lands first, the order ends FULFILLED. If the failure was recorded first, its
    // record is reported and the success is attempt 2; if the success landed first (attempt 1), the
    // failing copy finds a terminal order and is acknowledged.
    expect(stored?.status).toBe('FULFILLED');
    expect(stored?.attempts === 2 ? [failing.messageId] : []).toEqual(failedIds(response));
    expect([1, 2]).toContain(stored?.attempts);
  });

  it('uses FULFILLMENT_SUCCESS_RATE (default 0.7)', async () => {
    const order = pendingOrder();
    await putOrder(order);
    const defaultRate = createHandler({ random: () => 0.69, env: { ORDERS_TABLE: process.env['ORDERS_TABLE'] }, logSink: logs.sink });
    expect(failedIds(await defaultRate(sqsEvent([message(order.order_id, 1)]), lambdaContext()))).toEqual([]);
    const other = pendingOrder();
    await putOrder(other);
    const never = handlerWith(() => 0, { FULFILLMENT_SUCCESS_RATE: '0' });
    const record = message(other.order_id, 1);
    expect(failedIds(await never(sqsEvent([record]), lambdaContext()))).toEqual([record.messageId]);
  });
});

describe('fulfill-order failures', () => {
  it('fails the whole invocation when DynamoDB is unreachable for every record (Errors metric, mapping backoff)', async () => {
    const deadClient = new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    const handler = createHandler({
      random: () => 0.1,
      env: { ...process.env },
      logSink: logs.sink,
      orders: new OrdersRepository({ tableName: 'orders', writer: 'fulfill-order', client: createDocumentClient(deadClient) }),
    });
    const records = [newOrderId(), newOrderId()].map((id) => sqsRecord({ body: JSON.stringify({ order_id: id }) }));
    await expect(handler(sqsEvent(records), lambdaContext())).rejects.toMatchObject({ name: 'FullBatchFailureError' });
    expect(logs.lines()).toContainEqual(expect.objectContaining({ level: 'ERROR', message: expect.stringContaining('every record of the batch failed for an infrastructure reason') }));
    deadClient.destroy();
  });

  it('still reports records one by one when every record failed for its own reason (failed attempts)', async () => {
    const orders2 = [storedOrder({ status: 'PENDING' }), storedOrder({ status: 'PENDING' })];
    for (const order of orders2) await putOrder(order);
    const records = orders2.map((o) => sqsRecord({ body: JSON.stringify({ order_id: o.order_id }) }));
    const response = await handlerWith(() => 0.99)(sqsEvent(records), lambdaContext());
    expect(failedIds(response)).toEqual(records.map((r) => r.messageId).sort());
    expect(logs.lines()).toContainEqual(expect.objectContaining({ level: 'WARN', message: 'every record of the batch failed' }));
  });

  it('answers an empty batch with no failures', async () => {
    await expect(handlerWith(() => 0.1)(sqsEvent([]), lambdaContext())).resolves.toEqual({ batchItemFailures: [] });
  });

  it('names a bad FULFILLMENT_SUCCESS_RATE at cold start', () => {
    expect(() => createHandler({ env: { ORDERS_TABLE: 'orders', FULFILLMENT_SUCCESS_RATE: '70%' } })).toThrow(ConfigError);
    expect(() => createHandler({ env: { ORDERS_TABLE: 'orders', FULFILLMENT_SUCCESS_RATE: '1.5' } })).toThrow(/FULFILLMENT_SUCCESS_RATE must be a number from 0 to 1/);
  });
});
