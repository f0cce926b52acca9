import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, openShardOf, orderItem, readOrder, type OrderItem } from '@dofs/ddb-repo';
import { ConfigError } from '@dofs/handler-kit';
import { captureLogs, lambdaContext, storedOrder, type OrderOverrides } from '@dofs/handler-kit/testing';
import { createTestQueues, createTestTables, putOrder, startFakeSfnServer, testSqsClient, type FakeSfnServer } from '@dofs/local-aws';
import { executionInputFor, executionNameFor, idempotencyKeyHash, newOrderId, PUBLIC_REASONS, type Dispatch, type OrderStatus, type StoredOrder } from '@dofs/order-domain';
import { createHandler } from '../src/handler';
import type { RunSummary } from '../src/reconcile';

// DynamoDB Local and the local SQS server come from the libs/local-aws jest harness; each test gets
// tables and queues of its own, so the open-orders index holds only the orders it seeded, and the
// queues' counts are real. Two things no local server of the harness does are faked at the client
// boundary: Step Functions (a local server speaking its JSON protocol, which can be told to fail or
// to answer late) and CloudWatch's ApproximateAgeOfOldestMessage datapoints (a `send` that answers
// GetMetricData with the datapoints a test sets: the local stack emulates the metric itself, its
// own tests cover that). Time is an injected clock: orders are seeded with updated_at in the past.
const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:dofs-order-workflow';
const RECEIVED_AFTER_SECONDS = 300;
const STALLED_AFTER_SECONDS = 300;
const WORKFLOW_TIMEOUT_SECONDS = 300;
const PERIOD_SECONDS = 60;
const MAX_REDRIVES = 3;
const IDEMPOTENCY_WINDOW_SECONDS = 24 * 3600;
const T0 = Date.parse('2026-06-01T12:00:00.000Z');
/** A RECEIVED order this old has no execution that can still run (the intake's 60 s, plus the workflow's deadline). */
const RECEIVED_DEAD_SECONDS = 60 + WORKFLOW_TIMEOUT_SECONDS + 1;

const ddb = createDocumentClient();
let sqs: SQSClient;
let sfnServer: FakeSfnServer;
let sfn: SFNClient;
let tables: { orders: string; failedOrders: string; idempotencyKeys: string };
let queues: { orderQueueUrl: string; deadLetterQueueUrl: string };
const logs = captureLogs();
let clock = T0;

/** What the fake CloudWatch answers: per queue name, [period start (ms), max age (s)] pairs. */
let datapoints: Record<string, [number, number][]> = {};
const metricCalls: unknown[] = [];
const cloudwatch = {
  send: async (command: { input: { MetricDataQueries?: { Id?: string; MetricStat?: { Metric?: { Dimensions?: { Value?: string }[] } } }[] } }) => {
    metricCalls.push(command.input);
    return {
      MetricDataResults: (command.input.MetricDataQueries ?? []).map((q) => {
        const points = datapoints[q.MetricStat?.Metric?.Dimensions?.[0]?.Value ?? ''] ?? [];
        return { Id: q.Id, StatusCode: 'Complete', Timestamps: points.map(([t]) => new Date(t)), Values: points.map(([, v]) => v) };
      }),
    };
  },
} as unknown as Pick<CloudWatchClient, 'send'>;

beforeAll(async () => {
  sqs = testSqsClient();
  sfnServer = await startFakeSfnServer();
  sfn = new SFNClient({ endpoint: sfnServer.endpoint, maxAttempts: 1 });
});

afterAll(async () => {
  sfn?.destroy();
  sqs?.destroy();
  ddb.destroy();
  await sfnServer?.close();
});

beforeEach(async () => {
  tables = await createTestTables({ prefix: 'reconcile' });
  queues = await createTestQueues({ prefix: 'reconcile', sqs, visibilityTimeoutSeconds: 1 });
  sfnServer.calls.length = 0;
  sfnServer.executions.clear();
  logs.clear();
  clock = T0;
  datapoints = {};
  metricCalls.length = 0;
});

function env(overrides: Record<string, string> = {}): Record<string, string | undefined> {
  return {
    ...process.env,
    ORDERS_TABLE: tables.orders,
    FAILED_ORDERS_TABLE: tables.failedOrders,
    IDEMPOTENCY_TABLE: tables.idempotencyKeys,
    IDEMPOTENCY_WINDOW_SECONDS: String(IDEMPOTENCY_WINDOW_SECONDS),
    ORDER_QUEUE_URL: queues.orderQueueUrl,
    ORDER_DLQ_URL: queues.deadLetterQueueUrl,
    STATE_MACHINE_ARN,
    RECEIVED_AFTER_SECONDS: String(RECEIVED_AFTER_SECONDS),
    STALLED_AFTER_SECONDS: String(STALLED_AFTER_SECONDS),
    WORKFLOW_TIMEOUT_SECONDS: String(WORKFLOW_TIMEOUT_SECONDS),
    QUEUE_METRIC_PERIOD_SECONDS: String(PERIOD_SECONDS),
    MAX_REDRIVES: String(MAX_REDRIVES),
    MAX_ORDERS_PER_RUN: '500',
    LOG_LEVEL: 'info',
    ...overrides,
  };
}

function newHandler(overrides: Record<string, string> = {}, deps: { sqs?: Pick<SQSClient, 'send'>; sfn?: Pick<SFNClient, 'send'> } = {}) {
  return createHandler({ env: env(overrides), sfn: deps.sfn ?? sfn, sqs: deps.sqs ?? sqs, cloudwatch, logSink: logs.sink, now: () => new Date(clock) });
}

async function run(handler = newHandler()): Promise<RunSummary> {
  return handler({}, lambdaContext({ functionName: 'dofs-reconcile-orders', remainingMs: 60_000 }));
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A dispatch whose message was sent (and visible) by `sentAgoSeconds` before the clock. */
function dispatchSent(sentAgoSeconds: number, seq = 1): Dispatch {
  const at = iso(clock - sentAgoSeconds * 1000);
  return { seq, at, sent_by: at, visible_at: at, by: 'store-order' };
}

/** An order in `status`, received (so open since) and last updated `ageSeconds` before the clock. */
async function seed(status: OrderStatus, ageSeconds: number, overrides: OrderOverrides = {}): Promise<StoredOrder> {
  const at = iso(clock - ageSeconds * 1000);
  const dispatch = status === 'PENDING' || status === 'RETRYING' ? { dispatch: dispatchSent(ageSeconds) } : {};
  return putOrder(orderItem(storedOrder({ status, received_at: at, created_at: at, updated_at: at, ...dispatch, ...overrides })), tables.orders);
}

async function read(orderId: string): Promise<OrderItem | undefined> {
  return readOrder(ddb, tables.orders, orderId);
}

async function archived(orderId: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await ddb.send(new GetCommand({ TableName: tables.failedOrders, Key: { order_id: orderId }, ConsistentRead: true }));
  return Item;
}

/** Every message on order_queue (short polls until one comes back empty), deleted as read. */
async function drainQueue(): Promise<{ body: Record<string, unknown>; attributes: Record<string, string | undefined> }[]> {
  const messages: { body: Record<string, unknown>; attributes: Record<string, string | undefined> }[] = [];
  for (;;) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.orderQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }));
    if (!Messages || Messages.length === 0) return messages;
    for (const m of Messages) {
      messages.push({ body: JSON.parse(m.Body ?? 'null'), attributes: Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue])) });
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queues.orderQueueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
  }
}

/** Puts a message of `order` on order_queue, as the workflow or a sender would. */
async function queueMessageOf(order: StoredOrder): Promise<void> {
  await sqs.send(new SendMessageCommand({ QueueUrl: queues.orderQueueUrl, MessageBody: JSON.stringify({ order_id: order.order_id, correlation_id: order.correlation_id, dispatch: order.dispatch?.seq }) }));
}

const queueName = (url: string) => url.slice(url.lastIndexOf('/') + 1);
/** CloudWatch datapoints of order_queue: its oldest message was sent `oldestAgoSeconds` before each period start. */
function oldestQueued(oldestAgoSeconds: number, dlqEmpty = true) {
  const starts = [4, 3, 2].map((n) => clock - n * PERIOD_SECONDS * 1000);
  datapoints = {
    [queueName(queues.orderQueueUrl)]: starts.map((t) => [t, oldestAgoSeconds - (clock - t) / 1000]),
    ...(dlqEmpty ? { [queueName(queues.deadLetterQueueUrl)]: starts.map((t) => [t, 0]) } : {}),
  };
}

const starts = () => sfnServer.calls.filter((c) => c.operation === 'StartExecution').map((c) => c.body);
const actionLines = () => logs.lines().filter((l) => typeof l['action'] === 'string' && l['level'] !== 'DEBUG');
const metricsLine = () => logs.lines().find((l) => l['_aws'] !== undefined);
/** Resolves each caller once `parties` callers are waiting. */
function barrier(parties: number): () => Promise<void> {
  let waiting = 0;
  let release: () => void = () => undefined;
  const all = new Promise<void>((resolve) => {
    release = resolve;
  });
  return () => {
    waiting += 1;
    if (waiting === parties) release();
    return all;
  };
}

const summaryOf = (partial: Partial<RunSummary>): RunSummary => ({ scanned: 0, redriven: 0, requeued: 0, gaveUp: 0, skipped: 0, awaitingQueue: 0, redriveErrors: 0, errors: 0, ...partial });

describe('RECEIVED orders: re-driven once no execution can still run', () => {
  it('starts the workflow again once the workflow deadline has passed since the intake, under a name of this re-drive', async () => {
    const order = await seed('RECEIVED', RECEIVED_DEAD_SECONDS);

    await expect(run()).resolves.toEqual(summaryOf({ scanned: 1, redriven: 1 }));

    expect(starts()).toEqual([{ stateMachineArn: STATE_MACHINE_ARN, name: executionNameFor(order.order_id, 1), input: JSON.stringify(executionInputFor(order)) }]);
    // The claim records when that execution is over at the latest; the re-drive is counted once the start succeeded.
    const after = await read(order.order_id);
    expect(after).toMatchObject({ redrives: 1, updated_at: iso(T0) });
    expect(Date.parse(after?.workflow_until ?? '')).toBeGreaterThanOrEqual(T0 + WORKFLOW_TIMEOUT_SECONDS * 1000);
    expect(actionLines()).toEqual([expect.objectContaining({ level: 'WARN', service: 'reconcile-orders', order_id: order.order_id, action: 'REDRIVEN', redrive: 1 })]);
  });

  it('leaves an old RECEIVED order alone while its execution may still run, however long past the age threshold', async () => {
    await seed('RECEIVED', RECEIVED_AFTER_SECONDS + 30);
    await expect(run()).resolves.toEqual(summaryOf({ scanned: 1, skipped: 1 }));
    expect(starts()).toEqual([]);
  });

  it('starts at once, past the age threshold, an order whose first start was refused (api-handler marked it)', async () => {
    const order = await seed('RECEIVED', RECEIVED_AFTER_SECONDS + 1, { workflow_until: iso(T0 - (RECEIVED_AFTER_SECONDS + 1) * 1000) });
    await expect(run()).resolves.toEqual(summaryOf({ scanned: 1, redriven: 1 }));
    expect(starts().map((s) => s['name'])).toEqual([executionNameFor(order.order_id, 1)]);
  });

  it('counts an execution that already exists (an earlier start that landed) as started', async () => {
    const order = await seed('RECEIVED', RECEIVED_DEAD_SECONDS);
    await sfn.send(
      new (await import('@aws-sdk/client-sfn')).StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name: executionNameFor(order.order_id, 1), input: '{"other":true}' }),
    );
    sfnServer.calls.length = 0;
    await expect(run()).resolves.toEqual(summaryOf({ scanned: 1, redriven: 1 }));
    await expect(read(order.order_id)).resolves.toMatchObject({ redrives: 1 });
  });

  it('removes a tentative order whose key is free instead of starting it: its intake never committed', async () => {
    const tentative = await seed('RECEIVED', RECEIVED_DEAD_SECONDS, { idempotency_key_hash: idempotencyKeyHash('c-1', 'k-free') });
    await expect(run()).resolves.toEqual(summaryOf({ scanned: 1, skipped: 1 }));
    expect(starts()).toEqual([]);
    await expect(read(tentative.order_id)).resolves.toBeUndefined();
    expect(actionLines()).toEqual([expect.objectContaining({ action: 'DISCARDED', order_id: tentative.order_id })]);
  });

  it('starts a committed order whose key stands for it', async () => {
    const keyHash = idempotencyKeyHash('c-1', 'k-committed');
    const order = await seed('RECEIVED', RECEIVED_DEAD_SECONDS, { idempotency_key_hash: keyHash });
    await ddb.send(
      new PutCommand({
        TableName: tables.idempotencyKeys,
        // Live by the test's clock and by the real one: the table has DynamoDB TTL on expires_at, and
        // DynamoDB Local's TTL sweeper, which goes by the real clock, would delete a record expired by it.
        Item: { idempotency_id: keyHash, order_id: order.order_id, request_hash: order.request_hash, created_at: order.received_at, expires_at: Math.floor(Math.max(T0, Date.now()) / 1000) + 3600 },
      }),
    );
    await expect(run()).resolves.toEqual(summaryOf({ scanned: 1, redriven: 1 }));
  });
});

describe('PENDING and RETRYING orders: re-sent only when no message of them can still be queued', () => {
  it('sends the message again, under a new dispatch, when both queues are empty', async () => {
    const order = await seed('RETRYING', STALLED_AFTER_SECONDS + 1, { attempts: 1 });

    await expect(run()).resolves.toEqual(summaryOf({ scanned: 1, requeued: 1 }));

    expect(await drainQueue()).toEqual([
      { body: { order_id: order.order_id, correlation_id: order.correlation_id, dispatch: 2 }, attributes: { order_id: order.order_id, correlation_id: order.correlation_id, dispatch: '2' } },
    ]);
    const after = await read(order.order_id);
    expect(after).toMatchObject({ status: 'RETRYING', redrives: 1, updated_at: iso(T0), dispatch: { seq: 2, at: iso(T0), by: 'reconcile-orders' } });
    // Empty queues need no CloudWatch call.
    expect(metricCalls).toEqual([]);
  });

  it('leaves a queued order alone, however old: a backlog is not a loss', async () => {
    const orders = [];
    for (let i = 0; i < 5; i += 1) orders.push(await seed('PENDING', STALLED_AFTER_SECONDS * 4 + i));
    for (const order of orders) await queueMessageOf(order);
    // The oldest queued message is the oldest order's.
    oldestQueued(STALLED_AFTER_SECONDS * 4 + 4);

    await expect(run()).resolves.toEqual(summaryOf({ scanned: 5, skipped: 5, awaitingQueue: 5 }));
    // Run after run, while they wait, nothing is sent and nothing counted.
    for (let minute = 1; minute <= 5; minute += 1) {
      clock = T0 + minute * 60_000;
      oldestQueued(STALLED_AFTER_SECONDS * 4 + 4 + minute * 60);
      await expect(run()).resolves.toMatchObject({ requeued: 0, gaveUp: 0, awaitingQueue: 5 });
    }
    for (const order of orders) await expect(read(order.order_id)).resolves.toEqual(order);
    expect((await drainQueue()).length).toBe(5);
    expect(metricsLine()).toMatchObject({ AwaitingQueue: 5, Requeued: 0 });
  });

  it('finds a message lost during a backlog once the queue holds nothing that old, and sends only that one again', async () => {
    const lost = await seed('PENDING', 900);
    const waiting = await seed('PENDING', 700);
    await queueMessageOf(waiting);
    // The queue's oldest message (waiting's) was sent 700 s ago: nothing sent 900 s ago is left.
    oldestQueued(700);

    await expect(run()).resolves.toMatchObject({ scanned: 2, requeued: 1, awaitingQueue: 1 });
    const sent = await drainQueue();
    expect(sent.map((m) => m.body['order_id']).sort()).toEqual([lost.order_id, waiting.order_id].sort());
    await expect(read(lost.order_id)).resolves.toMatchObject({ redrives: 1, dispatch: { seq: 2 } });
    await expect(read(waiting.order_id)).resolves.toEqual(waiting);
  });

  it('takes nothing for lost while the dead-letter queue holds a message moved there before the queue drained', async () => {
    await seed('RETRYING', 900, { attempts: 2 });
    await sqs.send(new SendMessageCommand({ QueueUrl: queues.deadLetterQueueUrl, MessageBody: '{}' }));
    await queueMessageOf(await seed('PENDING', 30));
    oldestQueued(30, false);
    // order_dlq's oldest message was moved there 20 min ago: it may be this order's.
    datapoints[queueName(queues.deadLetterQueueUrl)] = [4, 3, 2].map((n) => [clock - n * PERIOD_SECONDS * 1000, 1200 - n * PERIOD_SECONDS]);
    await expect(run()).resolves.toMatchObject({ requeued: 0, awaitingQueue: 1 });
  });

  it('waits for a send-back still delayed by dlq-handler', async () => {
    const at = iso(T0 - 900_000);
    await seed('RETRYING', 900, { attempts: 1, dispatch: { seq: 2, at, sent_by: at, visible_at: iso(T0 + 60_000), by: 'dlq-handler' } });
    await expect(run()).resolves.toMatchObject({ requeued: 0, awaitingQueue: 1 });
  });

  it('takes nothing for lost when the queues cannot be read', async () => {
    const order = await seed('PENDING', 900);
    const broken = { send: async (command: unknown) => (command instanceof SendMessageCommand ? sqs.send(command) : Promise.reject(Object.assign(new Error('down'), { name: 'ServiceUnavailable' }))) };
    await expect(run(newHandler({}, { sqs: broken as unknown as SQSClient }))).resolves.toMatchObject({ requeued: 0, awaitingQueue: 1 });
    await expect(read(order.order_id)).resolves.toEqual(order);
  });
});

describe('giving up', () => {
  it('gives up on an order lost again after maxRedrives delivered re-drives: FAILED and archived in one transaction', async () => {
    const order = await seed('RETRYING', STALLED_AFTER_SECONDS + 1, { redrives: MAX_REDRIVES, attempts: 2 });
    await expect(run()).resolves.toEqual(summaryOf({ scanned: 1, gaveUp: 1 }));
    const failed = await read(order.order_id);
    expect(failed).toMatchObject({ status: 'FAILED', status_reason: PUBLIC_REASONS.NOT_PROCESSED });
    expect(failed?.open_shard).toBeUndefined();
    expect(await archived(order.order_id)).toMatchObject({ order_id: order.order_id, attempts: 2, reason: expect.stringMatching(/gave up after 3 re-drive/) });
    expect(await drainQueue()).toEqual([]);
  });

  it('never gives up on a queued order, whatever its re-drives', async () => {
    const order = await seed('RETRYING', 3600, { redrives: MAX_REDRIVES });
    await queueMessageOf(order);
    oldestQueued(3600);
    await expect(run()).resolves.toMatchObject({ gaveUp: 0, awaitingQueue: 1 });
    await expect(read(order.order_id)).resolves.toEqual(order);
  });
});

describe('fair shards', () => {
  it('reaches a lost order in a quiet shard behind a crowded one', async () => {
    const idIn = (shard: number) => {
      for (;;) {
        const id = newOrderId();
        if (openShardOf(id) === shard) return id;
      }
    };
    // 40 orders in shard 0, opened long ago but written to recently (not due), and one lost order in shard 5.
    for (let i = 0; i < 40; i += 1) await seed('RETRYING', 3600 + i, { order_id: idIn(0), updated_at: iso(T0 - 10_000) });
    const lost = await seed('PENDING', STALLED_AFTER_SECONDS + 1, { order_id: idIn(5) });

    await expect(run(newHandler({ MAX_ORDERS_PER_RUN: '16' }))).resolves.toMatchObject({ scanned: 16, requeued: 1 });
    await expect(read(lost.order_id)).resolves.toMatchObject({ redrives: 1 });
  });
});

describe('a run cut off, or refused', () => {
  it('spends no re-drive when a run dies between its claim and its send: the order is sent once a run gets through', async () => {
    const order = await seed('PENDING', STALLED_AFTER_SECONDS + 1);
    // Each of three runs claims the order and then hangs in SendMessage until it is killed, which
    // the test does at its end (a hung run left pending would trip Middy's timeout 60 s later).
    const kills: (() => void)[] = [];
    const cutRuns: Promise<RunSummary>[] = [];
    for (let cut = 1; cut <= 3; cut += 1) {
      const claimed = barrier(2);
      const hang = () => new Promise((_resolve, reject) => kills.push(() => reject(new Error('killed'))));
      const hanging = { send: (command: unknown) => (command instanceof SendMessageCommand ? (void claimed(), hang()) : sqs.send(command as never)) };
      cutRuns.push(run(newHandler({}, { sqs: hanging as unknown as SQSClient })));
      await claimed();
      clock += (STALLED_AFTER_SECONDS + 61) * 1000;
    }
    const cutOff = await read(order.order_id);
    expect(cutOff?.redrives).toBeUndefined();
    expect(cutOff?.dispatch?.seq).toBe(4);

    await expect(run()).resolves.toMatchObject({ requeued: 1, gaveUp: 0 });
    await expect(read(order.order_id)).resolves.toMatchObject({ status: 'PENDING', redrives: 1, dispatch: { seq: 5 } });
    expect((await drainQueue()).map((m) => m.body['dispatch'])).toEqual([5]);
    for (const kill of kills) kill();
    await Promise.all(cutRuns);
  });

  it('counts a re-drive refused for a reason that will not pass, so the order gives up and alarms instead of waiting for ever', async () => {
    const order = await seed('RECEIVED', RECEIVED_DEAD_SECONDS);
    for (let attempt = 1; attempt <= MAX_REDRIVES; attempt += 1) {
      sfnServer.failNext(1, 400, 'AccessDeniedException');
      await expect(run()).resolves.toMatchObject({ redriveErrors: 1, redriven: 0 });
      await expect(read(order.order_id)).resolves.toMatchObject({ redrives: attempt, last_redrive_error: expect.stringMatching(/AccessDeniedException/) });
      clock += (RECEIVED_AFTER_SECONDS + 1) * 1000;
    }
    await expect(run()).resolves.toMatchObject({ gaveUp: 1 });
    await expect(read(order.order_id)).resolves.toMatchObject({ status: 'FAILED' });
    expect(logs.lines()).toContainEqual(expect.objectContaining({ level: 'ERROR', action: 'REDRIVE_ERROR', order_id: order.order_id }));
    expect(logs.lines().filter((l) => l['_aws'] !== undefined).map((l) => l['RedriveErrors'])).toEqual([1, 1, 1, 0]);
  });

  it('spends nothing when Step Functions throttles, and tries again at the next run', async () => {
    const order = await seed('RECEIVED', RECEIVED_DEAD_SECONDS);
    sfnServer.failNext(1, 400, 'ThrottlingException');
    await expect(run()).resolves.toMatchObject({ errors: 1, redriven: 0 });
    const refused = await read(order.order_id);
    expect(refused?.redrives).toBeUndefined();
    clock += (RECEIVED_AFTER_SECONDS + 1) * 1000;
    await expect(run()).resolves.toMatchObject({ redriven: 1 });
    expect(starts().map((s) => s['name'])).toEqual([executionNameFor(order.order_id, 1), executionNameFor(order.order_id, 1)]);
  });

  it('does not start again an execution whose start timed out: it may be running, until the workflow deadline says it cannot', async () => {
    const order = await seed('RECEIVED', RECEIVED_DEAD_SECONDS);
    // The server answers after 5 s; this client gives up after 1 s. The start has landed all the same.
    const impatient = new SFNClient({ endpoint: sfnServer.endpoint, maxAttempts: 1, requestHandler: { requestTimeout: 1000, throwOnRequestTimeout: true } });
    sfnServer.delayNext(1, 5000);
    await expect(run(newHandler({}, { sfn: impatient }))).resolves.toMatchObject({ errors: 1, redriven: 0 });
    impatient.destroy();
    expect(sfnServer.executions.size).toBe(1);
    // The next runs within the deadline leave it alone.
    clock += (RECEIVED_AFTER_SECONDS + 1) * 1000;
    await expect(run()).resolves.toMatchObject({ redriven: 0, skipped: 1 });
    expect(starts()).toHaveLength(1);
    await expect(read(order.order_id)).resolves.toMatchObject({ status: 'RECEIVED' });
  });
});

describe('overlapping runs', () => {
  it('act once on an order both of them read: the claim lets one through', async () => {
    const order = await seed('PENDING', STALLED_AFTER_SECONDS + 1);
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.requeued + b.requeued).toBe(1);
    await expect(read(order.order_id)).resolves.toMatchObject({ redrives: 1, dispatch: { seq: 2 } });
    expect(await drainQueue()).toHaveLength(1);
  });
});

describe('every run', () => {
  it('writes one metrics line with every count, zeros included', async () => {
    await run();
    expect(metricsLine()).toMatchObject({ Scanned: 0, Redriven: 0, Requeued: 0, GaveUp: 0, AwaitingQueue: 0, RedriveErrors: 0 });
  });

  it('fails when the index cannot be queried', async () => {
    const handler = createHandler({ env: env({ ORDERS_TABLE: 'no-such-table' }), sfn, sqs, cloudwatch, logSink: logs.sink, now: () => new Date(clock) });
    await expect(run(handler)).rejects.toThrow();
  });

  it('names every bad variable at cold start', () => {
    expect(() => createHandler({ env: { ...env(), ORDER_DLQ_URL: undefined, WORKFLOW_TIMEOUT_SECONDS: 'soon' } })).toThrow(ConfigError);
    expect(() => createHandler({ env: { ...env(), ORDER_DLQ_URL: undefined } })).toThrow(/ORDER_DLQ_URL is required/);
  });

});
