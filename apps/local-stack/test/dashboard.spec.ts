// The dashboard's data against DynamoDB Local and the local SQS server (libs/local-aws): open
// statuses counted through the open-orders index and a re-read, terminal ones by the local Scan, queue depths,
// the latest failures first, executions newest first; and its timeline of the last 15 minutes,
// counted from metric lines written by the functions' own writer, with depths sampled from SQS.
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ensureQueues, localDynamoDbClient, localSqsClient, settings, startLocalAws, type LocalAws } from '@dofs/local-aws';
import { Metrics } from '@dofs/handler-kit';
import { openIndexKey } from '@dofs/ddb-repo';
import { queueDepths, readDashboardData, startQueueSampling } from '../src/dashboard';
import { Timeline } from '../src/timeline';
import type { Execution } from '../src/sfn/service';
import { must } from './helpers';

jest.setTimeout(120_000);

const orderId = (n: number) => `ord_${n.toString(16).padStart(32, '0')}`;

describe('dashboard data', () => {
  let aws: LocalAws;
  let ddb: DynamoDBDocumentClient;
  let sqs: ReturnType<typeof localSqsClient>;

  beforeAll(async () => {
    aws = await startLocalAws();
    ddb = DynamoDBDocumentClient.from(localDynamoDbClient(must(aws.dynamodb).endpoint));
    sqs = localSqsClient(must(aws.sqs).endpoint);
  });

  afterAll(async () => {
    ddb?.destroy();
    sqs?.destroy();
    await aws?.stop();
  });

  it('counts orders by status, reads the queue depths and lists the latest failures and executions', async () => {
    const statuses = ['RECEIVED', 'PENDING', 'PENDING', 'RETRYING', 'RETRYING', 'RETRYING', 'FULFILLED', 'FULFILLED', 'FAILED', 'REJECTED'];
    let n = 0;
    for (const status of statuses) {
      const id = orderId((n += 1));
      const open = !['FULFILLED', 'FAILED', 'REJECTED'].includes(status);
      await ddb.send(
        new PutCommand({
          TableName: settings.tables.orders,
          Item: { order_id: id, status, updated_at: `2026-01-01T00:00:${String(n).padStart(2, '0')}.000Z`, ...(open ? openIndexKey(id, '2026-01-01T00:00:00.000Z') : {}) },
        }),
      );
    }
    for (let i = 0; i < 12; i += 1) {
      await ddb.send(
        new PutCommand({
          TableName: settings.tables.failedOrders,
          Item: { order_id: orderId(100 + i), reason: `reason ${i}`, failed_at: `2026-01-01T00:01:${String(i).padStart(2, '0')}.000Z`, attempts: 3 },
        }),
      );
    }
    const urls = await ensureQueues(sqs);
    await sqs.send(new SendMessageCommand({ QueueUrl: urls.orderQueueUrl, MessageBody: '{}' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: urls.orderQueueUrl, MessageBody: '{}' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: urls.deadLetterQueueUrl, MessageBody: '{}' }));
    const executions = [
      { name: 'old', status: 'SUCCEEDED', startDate: Date.UTC(2026, 0, 1), stopDate: Date.UTC(2026, 0, 1, 0, 0, 1) },
      { name: 'new', status: 'RUNNING', startDate: Date.UTC(2026, 0, 2) },
    ] as Execution[];

    const data = await readDashboardData({
      ddb,
      tables: settings.tables,
      sqs,
      queues: { order_queue: urls.orderQueueUrl, order_dlq: urls.deadLetterQueueUrl, order_dlq_parking: urls.parkingQueueUrl },
      executions: () => executions,
    });

    expect(data.errors).toEqual([]);
    expect(data.orders).toEqual({ RECEIVED: 1, PENDING: 2, RETRYING: 3, FULFILLED: 2, FAILED: 1, REJECTED: 1 });
    expect(data.queues).toEqual([
      { name: 'order_queue', visible: 2, inFlight: 0, delayed: 0 },
      { name: 'order_dlq', visible: 1, inFlight: 0, delayed: 0 },
      { name: 'order_dlq_parking', visible: 0, inFlight: 0, delayed: 0 },
    ]);
    expect(data.failures).toHaveLength(10);
    expect(data.failures[0]).toEqual({ order_id: orderId(111), reason: 'reason 11', failed_at: '2026-01-01T00:01:11.000Z' });
    expect(data.failures.map((f) => f.reason)).not.toContain('reason 0');
    expect(data.executions).toEqual([
      { name: 'new', status: 'RUNNING', startDate: '2026-01-02T00:00:00.000Z' },
      { name: 'old', status: 'SUCCEEDED', startDate: '2026-01-01T00:00:00.000Z', stopDate: '2026-01-01T00:00:01.000Z' },
    ]);
  });

  it('tells waiting, in-flight and delayed messages apart', async () => {
    const { parkingQueueUrl } = await ensureQueues(sqs);
    await sqs.send(new SendMessageCommand({ QueueUrl: parkingQueueUrl, MessageBody: '{}' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: parkingQueueUrl, MessageBody: '{}' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: parkingQueueUrl, MessageBody: '{}', DelaySeconds: 60 }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: parkingQueueUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 60 }));
    expect(received.Messages).toHaveLength(1);
    expect(await queueDepths(sqs, { order_dlq_parking: parkingQueueUrl })).toEqual([{ name: 'order_dlq_parking', visible: 1, inFlight: 1, delayed: 1 }]);
  });

  it('samples what each queue holds at the end of every period into the timeline, and says why a read failed', async () => {
    const urls = await ensureQueues(sqs);
    const timeline = new Timeline({ periodSeconds: 1, windowSeconds: 60 });
    const queues = { order_queue: urls.orderQueueUrl, order_dlq: urls.deadLetterQueueUrl, order_dlq_parking: urls.parkingQueueUrl };
    const held = Object.fromEntries((await queueDepths(sqs, queues)).map((q) => [q.name, q.visible + q.inFlight + q.delayed]));
    const sampling = startQueueSampling(timeline, { sqs, queues });
    try {
      const sampled = await waitFor(() => timeline.snapshot().depths['order_queue']?.some((v) => v !== null));
      expect(sampled).toBe(true);
    } finally {
      sampling.stop();
    }
    const { depths } = timeline.snapshot();
    expect(Object.keys(depths)).toEqual(['order_queue', 'order_dlq', 'order_dlq_parking']);
    for (const [name, values] of Object.entries(depths)) expect(values.filter((v) => v !== null)).toContain(held[name]);

    const broken = new Timeline({ periodSeconds: 1, windowSeconds: 60 });
    const failing = startQueueSampling(broken, { sqs, queues: { order_queue: `${urls.orderQueueUrl}-missing` } });
    try {
      expect(await waitFor(() => broken.snapshot().depthError !== null)).toBe(true);
    } finally {
      failing.stop();
    }
    const data = await readDashboardData({ ddb, tables: settings.tables, sqs, queues: {}, timeline: broken });
    expect(data.errors).toEqual([expect.stringMatching(/^queue depth sampling: /)]);
    expect(data.timeline?.depths).toEqual({});
  });

  it('names a part it cannot read and still answers the others', async () => {
    const data = await readDashboardData({
      ddb,
      tables: { orders: 'no_such_table', failedOrders: settings.tables.failedOrders },
      sqs,
      queues: {},
    });
    expect(data.errors).toEqual([expect.stringMatching(/^open orders: /), expect.stringMatching(/^terminal orders: /)]);
    expect(data.orders).toEqual({});
    expect(data.failures.length).toBeGreaterThan(0);
    expect(data.executions).toEqual([]);
  });
});

/** Polls `check` until it holds (true) or a bound far above what it needs passes (false). */
async function waitFor(check: () => boolean | undefined, boundMs = 30_000): Promise<boolean> {
  const until = Date.now() + boundMs;
  while (!check()) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

describe('dashboard timeline', () => {
  const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
  /** A clock the test moves, and a timeline on it that started at T0 + 3 s. */
  const setup = () => {
    const clock = { now: T0 + 3_000 };
    const timeline = new Timeline({ now: () => clock.now });
    return { clock, timeline };
  };
  /** The line a function writes for these counts at `at`, by the functions' own writer. */
  const emf = (service: string, at: number, counts: Record<string, number>): string => {
    const lines: string[] = [];
    const metrics = new Metrics({ service, writeLine: (line) => lines.push(line) }, () => new Date(at));
    for (const [name, n] of Object.entries(counts)) metrics.count(name, n);
    metrics.flush({ function_request_id: 'r-1' });
    return must(lines[0]);
  };

  it('counts accepted, fulfilled, failed and re-sent orders per 10 s from the metric lines, in the period of their timestamp', () => {
    const { clock, timeline } = setup();
    timeline.ingestLogLine(emf('api-handler', T0 + 4_000, { OrdersAccepted: 1 }));
    timeline.ingestLogLine(emf('api-handler', T0 + 9_999, { OrdersAccepted: 1 }));
    timeline.ingestLogLine(emf('api-handler', T0 + 10_000, { OrdersAccepted: 1 }));
    timeline.ingestLogLine(emf('fulfill-order', T0 + 12_000, { OrdersFulfilled: 7, FulfilmentAttempts: 9 }));
    timeline.ingestLogLine(emf('dlq-handler', T0 + 13_000, { OrdersFailed: 2 }));
    timeline.ingestLogLine(emf('reconcile-orders', T0 + 14_000, { Scanned: 40, Redriven: 1, Requeued: 3, GaveUp: 1, AwaitingQueue: 30 }));
    // Not counted: another service's metric of the same name, another namespace, plain log lines.
    timeline.ingestLogLine(emf('store-order', T0 + 5_000, { OrdersAccepted: 100 }));
    timeline.ingestLogLine(emf('api-handler', T0 + 5_000, { OrdersAccepted: 1 }).replace('"Namespace":"DOFS"', '"Namespace":"Other"'));
    timeline.ingestLogLine('{"level":"INFO","message":"order accepted","_aws":"not a directive"}');
    timeline.ingestLogLine('START RequestId: r-1 "_aws"');

    // Only complete periods are shown: at T0 + 15 s that is the first one, [T0, T0 + 10 s).
    clock.now = T0 + 15_000;
    let data = timeline.snapshot();
    expect(data).toMatchObject({ periodSeconds: 10, windowSeconds: 900, start: new Date(T0).toISOString(), end: new Date(T0 + 10_000).toISOString() });
    expect(data.counts).toEqual({ accepted: [2], fulfilled: [0], failed: [0], resent: [0], awaitingQueue: [0] });

    clock.now = T0 + 31_000;
    data = timeline.snapshot();
    expect(data.end).toBe(new Date(T0 + 30_000).toISOString());
    expect(data.counts).toEqual({ accepted: [2, 1, 0], fulfilled: [0, 7, 0], failed: [0, 3, 0], resent: [0, 4, 0], awaitingQueue: [0, 30, 0] });
    expect(data.depths).toEqual({});
  });

  it('keeps the last 15 minutes only, and the depths read at the end of each period (none where no read came)', () => {
    const { clock, timeline } = setup();
    timeline.ingestLogLine(emf('api-handler', T0 + 1_000, { OrdersAccepted: 5 }));
    clock.now = T0 + 10_010;
    timeline.recordDepths(timeline.lastCompleteIndex(), { order_queue: 12, order_dlq: 0 });
    clock.now = T0 + 30_010;
    timeline.recordDepths(timeline.lastCompleteIndex(), { order_queue: 3, order_dlq: 1 });
    let data = timeline.snapshot();
    expect(data.depths).toEqual({ order_queue: [12, null, 3], order_dlq: [0, null, 1] });
    expect(data.counts.accepted).toEqual([5, 0, 0]);

    // 20 minutes on: 90 periods of 10 s, the oldest of them (T0 + 5 min) first, the early ones gone.
    clock.now = T0 + 20 * 60_000 + 10;
    timeline.ingestLogLine(emf('api-handler', T0 + 20 * 60_000 - 1_000, { OrdersAccepted: 4 }));
    timeline.ingestLogLine(emf('api-handler', T0 + 1_000, { OrdersAccepted: 1 }));
    data = timeline.snapshot();
    expect(data.start).toBe(new Date(T0 + 5 * 60_000).toISOString());
    expect(data.end).toBe(new Date(T0 + 20 * 60_000).toISOString());
    expect(data.counts.accepted).toHaveLength(90);
    expect(data.counts.accepted.reduce((a, b) => a + b, 0)).toBe(4);
    expect(data.counts.accepted.at(-1)).toBe(4);
    expect(data.depths['order_queue']).toEqual(new Array(90).fill(null));
  });

  it('says why the latest depth read failed, until one works', () => {
    const { clock, timeline } = setup();
    clock.now = T0 + 10_010;
    timeline.recordDepths(timeline.lastCompleteIndex(), new Error('connect ECONNREFUSED'));
    expect(timeline.snapshot()).toMatchObject({ depthError: 'connect ECONNREFUSED', depths: {} });
    clock.now = T0 + 20_010;
    timeline.recordDepths(timeline.lastCompleteIndex(), { order_queue: 0 });
    expect(timeline.snapshot()).toMatchObject({ depthError: null, depths: { order_queue: [null, 0] } });
  });
});
