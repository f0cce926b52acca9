import { SFNClient } from '@aws-sdk/client-sfn';
import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, OpenOrders, OrderIntake } from '@dofs/ddb-repo';
import { captureLogs, ConfigError, lambdaContext, storedOrder, type OrderOverrides } from '@dofs/handler-kit';
import { createTestQueues, createTestTables, putOrder, startFakeSfnServer, testSqsClient, type FakeSfnServer } from '@dofs/local-aws';
import { executionInputFor, executionNameFor, idempotencyKeyHash, newOrderId, openIndexKey, PUBLIC_REASONS, type OrderStatus, type StoredOrder } from '@dofs/order-domain';
import { createHandler } from '../src/handler';
import type { OpenOrdersStore, RunSummary } from '../src/reconcile';

// DynamoDB Local and the local SQS server come from the libs/local-aws jest harness; each test gets
// tables and queues of its own, so the open-orders index holds only the orders it seeded. No local
// Step Functions server runs in the harness, so Step Functions is faked at the client boundary: a
// local server speaking its JSON protocol (the real SFNClient serialises and parses), which can
// also be told to fail. Time is an injected clock: orders are seeded with updated_at in the past.
const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:dofs-order-workflow';
const RECEIVED_AFTER_SECONDS = 300;
const STALLED_AFTER_SECONDS = 300;
const MAX_REDRIVES = 3;
const IDEMPOTENCY_WINDOW_SECONDS = 24 * 3600;
const T0 = Date.parse('2026-06-01T12:00:00.000Z');

const ddb = createDocumentClient();
let sqs: SQSClient;
let sfnServer: FakeSfnServer;
let sfn: SFNClient;
let tables: { orders: string; failedOrders: string; idempotencyKeys: string };
let queueUrl: string;
const logs = captureLogs();
let clock = T0;

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
  queueUrl = (await createTestQueues({ prefix: 'reconcile', sqs, visibilityTimeoutSeconds: 1 })).orders;
  sfnServer.calls.length = 0;
  sfnServer.executions.clear();
  logs.clear();
  clock = T0;
});

function env(overrides: Record<string, string> = {}): Record<string, string | undefined> {
  return {
    ...process.env,
    ORDERS_TABLE: tables.orders,
    FAILED_ORDERS_TABLE: tables.failedOrders,
    IDEMPOTENCY_TABLE: tables.idempotencyKeys,
    IDEMPOTENCY_WINDOW_SECONDS: String(IDEMPOTENCY_WINDOW_SECONDS),
    ORDER_QUEUE_URL: queueUrl,
    STATE_MACHINE_ARN,
    RECEIVED_AFTER_SECONDS: String(RECEIVED_AFTER_SECONDS),
    STALLED_AFTER_SECONDS: String(STALLED_AFTER_SECONDS),
    MAX_REDRIVES: String(MAX_REDRIVES),
    MAX_ORDERS_PER_RUN: '500',
    LOG_LEVEL: 'info',
    ...overrides,
  };
}

function newHandler(overrides: Record<string, string> = {}) {
  return createHandler({ env: env(overrides), sfn, sqs, logSink: logs.sink, now: () => new Date(clock) });
}

async function run(handler = newHandler()): Promise<RunSummary> {
  return handler({}, lambdaContext({ functionName: 'dofs-reconcile-orders' }));
}

/** An order in `status`, received (so open since) and last updated `ageSeconds` before the clock. */
async function seed(status: OrderStatus, ageSeconds: number, overrides: OrderOverrides = {}): Promise<StoredOrder> {
  const at = new Date(clock - ageSeconds * 1000).toISOString();
  return putOrder(storedOrder({ status, received_at: at, created_at: at, updated_at: at, ...overrides }), tables.orders);
}

async function read(orderId: string): Promise<StoredOrder | undefined> {
  const { Item } = await ddb.send(new GetCommand({ TableName: tables.orders, Key: { order_id: orderId }, ConsistentRead: true }));
  return Item as StoredOrder | undefined;
}

async function archived(orderId: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await ddb.send(new GetCommand({ TableName: tables.failedOrders, Key: { order_id: orderId }, ConsistentRead: true }));
  return Item;
}

/** Every message on the test queue (short polls until one comes back empty). */
async function drainQueue(): Promise<{ body: unknown; attributes: Record<string, string | undefined> }[]> {
  const messages: { body: unknown; attributes: Record<string, string | undefined> }[] = [];
  for (;;) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }));
    if (!Messages || Messages.length === 0) return messages;
    for (const m of Messages) {
      messages.push({
        body: JSON.parse(m.Body ?? 'null'),
        attributes: Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue])),
      });
    }
  }
}

const starts = () => sfnServer.calls.filter((c) => c.operation === 'StartExecution').map((c) => c.body);
const actionLines = () => logs.lines().filter((l) => typeof l['action'] === 'string');
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

const summaryOf = (partial: Partial<RunSummary>): RunSummary => ({ scanned: 0, redriven: 0, requeued: 0, gaveUp: 0, skipped: 0, errors: 0, ...partial });

describe('RECEIVED orders', () => {
  it('starts the workflow again for an order RECEIVED longer than the threshold, under a name of this re-drive', async () => {
    const order = await seed('RECEIVED', RECEIVED_AFTER_SECONDS + 1);

    await expect(run()).resolves.toEqual(summaryOf({ scanned: 1, redriven: 1 }));

    expect(starts()).toEqual([{ stateMachineArn: STATE_MACHINE_ARN, name: executionNameFor(order.order_id, 1), input: JSON.stringify(executionInputFor(order)) }]);
    await expect(read(order.order_id)).resolves.toEqual({ ...order, redrives: 1, updated_at: new Date(T0).toISOString() });
    expect(actionLines()).toEqual([expect.objectContaining({ level: 'WARN', service: 'reconcile-orders', order_id: order.order_id, action: 'REDRIVEN', redrive: 1 })]);
  });

  it('counts ExecutionAlreadyExists as done', async () => {
    const order = await seed('RECEIVED', RECEIVED_AFTER_SECONDS + 1);
    const name = executionNameFor(order.order_id, 1);
    const arn = `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${name}`;
    sfnServer.executions.set(arn, { executionArn: arn, stateMachineArn: STATE_MACHINE_ARN, name, input: '{"other":true}', startDate: 0 });

    await expect(run()).resolves.toEqual(summaryOf({ scanned: 1, redriven: 1 }));
    expect(actionLines()).toEqual([expect.objectContaining({ order_id: order.order_id, action: 'REDRIVEN', already_exists: true })]);
  });

  it('leaves the order RECEIVED for the next run when StartExecution fails, without spending a re-drive', async () => {
    const order = await seed('RECEIVED', RECEIVED_AFTER_SECONDS + 1);
    sfnServer.failNext(1, 400, 'ThrottlingException');

    await expect(run()).resolves.toEqual(summaryOf({ scanned: 1, errors: 1 }));
    expect(await read(order.order_id)).toMatchObject({ status: 'RECEIVED', redrives: 0, updated_at: new Date(T0).toISOString(), open_shard: order.open_shard, open_since: order.open_since });
    expect(actionLines()).toEqual([expect.objectContaining({ level: 'WARN', order_id: order.order_id, action: 'ERROR' })]);

    // Not before its threshold has passed again (it is still open since long: re-read, not due) ...
    clock = T0 + (RECEIVED_AFTER_SECONDS - 1) * 1000;
    await expect(run()).resolves.toEqual(summaryOf({ scanned: 1, skipped: 1 }));
    expect(starts()).toHaveLength(1);
    // ... then it is started, as its first re-drive (the failed one did not count).
    clock = T0 + (RECEIVED_AFTER_SECONDS + 1) * 1000;
    await expect(run()).resolves.toEqual(summaryOf({ scanned: 1, redriven: 1 }));
    expect(starts().map((s) => s['name'])).toEqual([executionNameFor(order.order_id, 1), executionNameFor(order.order_id, 1)]);
    expect(await read(order.order_id)).toMatchObject({ redrives: 1 });
  });
});

describe('PENDING and RETRYING orders', () => {
  it.each(['PENDING', 'RETRYING'] as const)('enqueues a %s order without progress past the stalled threshold again', async (status) => {
    const order = await seed(status, STALLED_AFTER_SECONDS + 1, { correlation_id: 'corr-stalled' });

    await expect(run()).resolves.toEqual(summaryOf({ scanned: 1, requeued: 1 }));

    expect(await drainQueue()).toEqual([{ body: { order_id: order.order_id, correlation_id: 'corr-stalled' }, attributes: { order_id: order.order_id, correlation_id: 'corr-stalled' } }]);
    await expect(read(order.order_id)).resolves.toEqual({ ...order, redrives: 1, updated_at: new Date(T0).toISOString() });
    expect(starts()).toEqual([]);
    expect(actionLines()).toEqual([expect.objectContaining({ order_id: order.order_id, action: 'REQUEUED', order_status: status })]);
  });
});

describe('a failing dependency', () => {
  it('leaves a stalled order for the next run when SQS refuses the message, without spending a re-drive', async () => {
    const order = await seed('PENDING', STALLED_AFTER_SECONDS + 1);
    await expect(run(newHandler({ ORDER_QUEUE_URL: `${queueUrl}-missing` }))).resolves.toEqual(summaryOf({ scanned: 1, errors: 1 }));
    expect(await read(order.order_id)).toMatchObject({ status: 'PENDING', redrives: 0, updated_at: new Date(T0).toISOString() });
    expect(actionLines()).toEqual([expect.objectContaining({ level: 'WARN', order_id: order.order_id, action: 'ERROR' })]);
  });
});

describe('orders left alone', () => {
  it('does not touch orders younger than their threshold', async () => {
    const young = [
      await seed('RECEIVED', RECEIVED_AFTER_SECONDS - 5),
      await seed('PENDING', STALLED_AFTER_SECONDS - 5),
      await seed('RETRYING', 10),
    ];
    await expect(run()).resolves.toEqual(summaryOf({}));
    for (const order of young) await expect(read(order.order_id)).resolves.toEqual(order);
    expect(starts()).toEqual([]);
    expect(await drainQueue()).toEqual([]);
  });

  it('never touches a terminal order, even one the eventually consistent index still lists', async () => {
    const terminal = [await seed('FULFILLED', 3600), await seed('FAILED', 3600), await seed('REJECTED', 3600)];
    // As if the index had not yet seen the write that made it terminal.
    const id = newOrderId();
    const stale = await seed('FULFILLED', 3600, { order_id: id, ...openIndexKey(id, new Date(clock - 3600 * 1000).toISOString()) });

    const summary = await run();
    expect(summary.redriven + summary.requeued + summary.gaveUp + summary.errors).toBe(0);
    for (const order of [...terminal, stale]) await expect(read(order.order_id)).resolves.toEqual(order);
    expect(starts()).toEqual([]);
    expect(await drainQueue()).toEqual([]);
  });

  it('re-reads orders open for long but updated within their threshold, and leaves them alone (reads, no writes)', async () => {
    // Received (so open since) an hour ago; progress since then keeps them out of reach.
    const openedLongAgo = { received_at: new Date(clock - 3600 * 1000).toISOString() };
    const progressing = [
      await seed('RECEIVED', RECEIVED_AFTER_SECONDS - 5, openedLongAgo),
      await seed('PENDING', STALLED_AFTER_SECONDS - 5, openedLongAgo),
      await seed('RETRYING', 10, openedLongAgo),
    ];
    expect(progressing.map((o) => o.open_since)).toEqual(progressing.map(() => openedLongAgo.received_at));

    await expect(run()).resolves.toEqual(summaryOf({ scanned: 3, skipped: 3 }));
    for (const order of progressing) await expect(read(order.order_id)).resolves.toEqual(order);
    expect(starts()).toEqual([]);
    expect(await drainQueue()).toEqual([]);
  });

  it('looks at no more than MAX_ORDERS_PER_RUN orders', async () => {
    for (let i = 0; i < 5; i += 1) await seed('RECEIVED', RECEIVED_AFTER_SECONDS + 10 + i);
    await expect(run(newHandler({ MAX_ORDERS_PER_RUN: '3' }))).resolves.toEqual(summaryOf({ scanned: 3, redriven: 3 }));
  });
});

describe('the re-drive bound', () => {
  it('re-drives MAX_REDRIVES times, then sets the order FAILED and archives it with its history in one transaction', async () => {
    const order = await seed('RECEIVED', RECEIVED_AFTER_SECONDS + 1);
    for (let redrive = 1; redrive <= MAX_REDRIVES; redrive += 1) {
      await expect(run()).resolves.toEqual(summaryOf({ scanned: 1, redriven: 1 }));
      clock += (RECEIVED_AFTER_SECONDS + 1) * 1000;
    }
    expect(starts().map((s) => s['name'])).toEqual([1, 2, 3].map((n) => executionNameFor(order.order_id, n)));
    logs.clear();

    await expect(run()).resolves.toEqual(summaryOf({ scanned: 1, gaveUp: 1 }));

    const failedAt = new Date(clock).toISOString();
    const entry = { from: 'RECEIVED', to: 'FAILED', at: failedAt, by: 'reconcile-orders' };
    const failed = await read(order.order_id);
    expect(failed).toMatchObject({ status: 'FAILED', status_reason: PUBLIC_REASONS.NOT_PROCESSED, redrives: MAX_REDRIVES, updated_at: failedAt, status_history: [...order.status_history, entry] });
    expect(failed?.failure_reason).toMatch(/gave up after 3 re-drive/);
    expect(failed?.open_shard).toBeUndefined();
    expect(failed?.open_since).toBeUndefined();
    expect(await archived(order.order_id)).toEqual({
      order_id: order.order_id,
      message_id: `reconciler#${order.order_id}`,
      original_message: JSON.stringify({ order_id: order.order_id, correlation_id: order.correlation_id }),
      attempts: 0,
      reason: failed?.failure_reason,
      correlation_id: order.correlation_id,
      failed_at: failedAt,
      status_history: [...order.status_history, entry],
    });
    expect(actionLines()).toEqual([expect.objectContaining({ order_id: order.order_id, action: 'GAVE_UP', redrives: MAX_REDRIVES })]);
    expect(starts()).toHaveLength(MAX_REDRIVES);

    // FAILED is terminal: later runs leave it alone.
    clock += 3600 * 1000;
    await expect(run()).resolves.toEqual(summaryOf({}));
  });

  it('gives up on a stalled RETRYING order the same way', async () => {
    const order = await seed('RETRYING', STALLED_AFTER_SECONDS + 1, { redrives: MAX_REDRIVES, attempts: 2 });
    await expect(run()).resolves.toEqual(summaryOf({ scanned: 1, gaveUp: 1 }));
    expect(await read(order.order_id)).toMatchObject({ status: 'FAILED', status_reason: PUBLIC_REASONS.NOT_PROCESSED });
    expect(await archived(order.order_id)).toMatchObject({ attempts: 2, status_history: [...order.status_history, expect.objectContaining({ from: 'RETRYING', to: 'FAILED' })] });
    expect(await drainQueue()).toEqual([]);
  });
});

describe('RECEIVED orders with an Idempotency-Key (a crash between the intake\'s two puts)', () => {
  const intakeAt = (at: number) =>
    new OrderIntake({ ordersTable: tables.orders, idempotencyTable: tables.idempotencyKeys, windowSeconds: IDEMPOTENCY_WINDOW_SECONDS, client: ddb, now: () => new Date(at) });
  const keyOf = (customer: string, key: string) => ({ customer_id: customer, idempotency_key_hash: idempotencyKeyHash(customer, key) });

  async function keyRecord(keyHash: string | undefined): Promise<Record<string, unknown> | undefined> {
    const { Item } = await ddb.send(new GetCommand({ TableName: tables.idempotencyKeys, Key: { idempotency_id: keyHash }, ConsistentRead: true }));
    return Item;
  }

  async function allOrders(): Promise<StoredOrder[]> {
    const { Items } = await ddb.send(new ScanCommand({ TableName: tables.orders, ConsistentRead: true }));
    return (Items ?? []) as StoredOrder[];
  }

  it('claims the free key of a tentative order, then starts it; later runs see it committed', async () => {
    const order = await seed('RECEIVED', RECEIVED_AFTER_SECONDS + 1, keyOf('c-1', 'k-1'));

    await expect(run()).resolves.toEqual(summaryOf({ scanned: 1, redriven: 1 }));

    expect(starts().map((s) => s['name'])).toEqual([executionNameFor(order.order_id, 1)]);
    await expect(keyRecord(order.idempotency_key_hash)).resolves.toMatchObject({ order_id: order.order_id, request_hash: order.request_hash });
    // Its threshold passes again: the key now stands for it, so it is re-driven as any order is.
    clock += (RECEIVED_AFTER_SECONDS + 1) * 1000;
    await expect(run()).resolves.toEqual(summaryOf({ scanned: 1, redriven: 1 }));
    expect(starts().map((s) => s['name'])).toEqual([executionNameFor(order.order_id, 1), executionNameFor(order.order_id, 2)]);
  });

  it('deletes, and never starts, a tentative order whose key stands for another order', async () => {
    // A retry of the crashed request took the key (its intake completed: order, then key).
    const winner = await seed('PENDING', 10, keyOf('c-1', 'k-1'));
    const keyedAt = clock - 10_000;
    await ddb.send(
      new PutCommand({
        TableName: tables.idempotencyKeys,
        Item: {
          idempotency_id: winner.idempotency_key_hash,
          order_id: winner.order_id,
          request_hash: winner.request_hash,
          created_at: new Date(keyedAt).toISOString(),
          expires_at: Math.floor(keyedAt / 1000) + IDEMPOTENCY_WINDOW_SECONDS,
        },
      }),
    );
    const tentative = await seed('RECEIVED', RECEIVED_AFTER_SECONDS + 1, keyOf('c-1', 'k-1'));

    await expect(run()).resolves.toEqual(summaryOf({ scanned: 1, skipped: 1 }));

    expect(starts()).toEqual([]);
    await expect(read(tentative.order_id)).resolves.toBeUndefined();
    await expect(read(winner.order_id)).resolves.toEqual(winner);
    expect(actionLines()).toEqual([expect.objectContaining({ level: 'WARN', order_id: tentative.order_id, action: 'DISCARDED' })]);
  });

  it('starts exactly one of two tentative orders of one key, even when two runs overlap', async () => {
    const a = await seed('RECEIVED', RECEIVED_AFTER_SECONDS + 1, keyOf('c-1', 'k-1'));
    const b = await seed('RECEIVED', RECEIVED_AFTER_SECONDS + 2, keyOf('c-1', 'k-1'));
    // Both runs read both orders and only then decide them, all four decisions at once: the
    // overlap is certain, whatever the timing.
    const allDeciding = barrier(4);
    const overlapping = () => {
      const intake = intakeAt(clock);
      return createHandler({
        env: env(),
        sfn,
        sqs,
        logSink: logs.sink,
        now: () => new Date(clock),
        intake: { resolveReceived: async (order) => allDeciding().then(() => intake.resolveReceived(order)) },
      });
    };

    const [first, second] = await Promise.all([run(overlapping()), run(overlapping())]);

    expect(first.redriven + second.redriven).toBe(1);
    expect(first.errors + second.errors).toBe(0);
    const left = await allOrders();
    expect(left).toHaveLength(1);
    const started = left[0] as StoredOrder;
    expect([a.order_id, b.order_id]).toContain(started.order_id);
    expect(starts().map((s) => s['name'])).toEqual([executionNameFor(started.order_id, 1)]);
    await expect(keyRecord(a.idempotency_key_hash)).resolves.toMatchObject({ order_id: started.order_id });
  });

  it('re-drives a committed order (its key stands for it) as before', async () => {
    const order = await seed('RECEIVED', RECEIVED_AFTER_SECONDS + 1, keyOf('c-1', 'k-1'));
    await expect(intakeAt(clock).resolveReceived(order)).resolves.toBe('claimed');

    await expect(run()).resolves.toEqual(summaryOf({ scanned: 1, redriven: 1 }));
    expect(starts().map((s) => s['name'])).toEqual([executionNameFor(order.order_id, 1)]);
  });
});

describe('overlapping runs', () => {
  it('act exactly once on each order when two run at the same time', async () => {
    const received = await Promise.all(Array.from({ length: 12 }, () => seed('RECEIVED', RECEIVED_AFTER_SECONDS + 30)));
    const stalled = await Promise.all(Array.from({ length: 12 }, (_, i) => seed(i % 2 ? 'PENDING' : 'RETRYING', STALLED_AFTER_SECONDS + 30)));
    const spent = await Promise.all(Array.from({ length: 6 }, () => seed('PENDING', STALLED_AFTER_SECONDS + 30, { redrives: MAX_REDRIVES })));

    // Both runs finish their index queries before either re-reads an order, so both see every
    // candidate: the overlap is certain, whatever the timing.
    const bothQueried = barrier(2);
    const overlapping = () => {
      const store = new OpenOrders({ ordersTable: tables.orders, failedOrdersTable: tables.failedOrders, writer: 'reconcile-orders', client: ddb, now: () => new Date(clock) });
      let first = true;
      const orders: OpenOrdersStore = {
        openBefore: (...args) => store.openBefore(...args),
        get: async (orderId) => {
          if (first) {
            first = false;
            await bothQueried();
          }
          return store.get(orderId);
        },
        bumpRedrives: (order) => store.bumpRedrives(order),
        refundRedrive: (order) => store.refundRedrive(order),
        giveUp: (order, why) => store.giveUp(order, why),
      };
      return createHandler({ env: env(), sfn, sqs, logSink: logs.sink, orders, now: () => new Date(clock) });
    };

    const [a, b] = await Promise.all([run(overlapping()), run(overlapping())]);

    const total = received.length + stalled.length + spent.length;
    expect([a.scanned, b.scanned]).toEqual([total, total]);
    expect(a.skipped + b.skipped).toBe(total);
    expect(a.errors + b.errors).toBe(0);
    expect(a.redriven + b.redriven).toBe(received.length);
    expect(a.requeued + b.requeued).toBe(stalled.length);
    expect(a.gaveUp + b.gaveUp).toBe(spent.length);
    const startedNames = starts().map((s) => s['name']);
    expect(startedNames.sort()).toEqual(received.map((o) => executionNameFor(o.order_id, 1)).sort());
    const queued = (await drainQueue()).map((m) => (m.body as { order_id: string }).order_id);
    expect(queued.sort()).toEqual(stalled.map((o) => o.order_id).sort());
    for (const order of [...received, ...stalled]) expect((await read(order.order_id))?.redrives).toBe(1);
    for (const order of spent) {
      const failed = await read(order.order_id);
      expect(failed?.status).toBe('FAILED');
      expect(failed?.status_history.filter((h) => h.to === 'FAILED')).toHaveLength(1);
      expect(await archived(order.order_id)).toBeDefined();
    }
    const acted = actionLines().filter((l) => l['action'] !== 'SKIPPED');
    expect(acted).toHaveLength(received.length + stalled.length + spent.length);
    expect(new Set(acted.map((l) => l['order_id'])).size).toBe(acted.length);
  });
});

describe('handler', () => {
  it('ends each run with one Embedded Metric Format line', async () => {
    await seed('RECEIVED', RECEIVED_AFTER_SECONDS + 1);
    await seed('PENDING', STALLED_AFTER_SECONDS + 1);
    await run();
    expect(metricsLine()).toEqual(
      expect.objectContaining({
        _aws: {
          Timestamp: T0,
          CloudWatchMetrics: [
            {
              Namespace: 'DOFS',
              Dimensions: [['service']],
              Metrics: ['Scanned', 'Redriven', 'Requeued', 'GaveUp'].map((Name) => ({ Name, Unit: 'Count' })),
            },
          ],
        },
        service: 'reconcile-orders',
        Scanned: 2,
        Redriven: 1,
        Requeued: 1,
        GaveUp: 0,
      }),
    );
    expect(logs.lines().filter((l) => l['_aws'] !== undefined)).toHaveLength(1);
  });

  it('fails at cold start naming every missing or invalid variable', () => {
    const bad = { ...env(), ORDERS_TABLE: '', ORDER_QUEUE_URL: undefined, STATE_MACHINE_ARN: 'nope', MAX_REDRIVES: '-1' };
    let error: unknown;
    try {
      createHandler({ env: bad, sfn, sqs, logSink: logs.sink });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variables.sort()).toEqual(['MAX_REDRIVES', 'ORDERS_TABLE', 'ORDER_QUEUE_URL', 'STATE_MACHINE_ARN']);
  });
});
