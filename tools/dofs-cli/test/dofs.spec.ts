import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { openIndexKey, openShardKey, OrdersRepository } from '@dofs/ddb-repo';
import { sampleOrder } from '@dofs/handler-kit/testing';
import { createTestQueues, createTestTables, putOrder, testSqsClient } from '@dofs/local-aws';
import { orderTotalCents, PUBLIC_REASONS, type FailedOrderRecord, type OrderStatus, type StatusChange, type StoredOrder } from '@dofs/order-domain';
import { PutCommand, GetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { testDynamoDbClient } from '@dofs/local-aws';
import { createContext } from '../src/context';
import { main } from '../src/main';
import { resolveTarget } from '../src/target';
import { watch, type WatchEvent } from '../src/watch';

// Every command runs against DynamoDB Local and the SQS server of the jest harness, reached through
// the SDK's standard variables (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SQS, AWS_REGION and
// the dummy credentials the harness exports): the CLI's "AWS configuration" path.

let seq = 0;
function orderId(): string {
  seq += 1;
  return `ord_${(Date.now().toString(16) + String(seq).padStart(4, '0')).padStart(32, '0')}`;
}

function order(status: OrderStatus, opts: { id?: string; updatedAt?: string; history?: StatusChange[]; attempts?: number } = {}): StoredOrder {
  const id = opts.id ?? orderId();
  const at = opts.updatedAt ?? new Date().toISOString();
  const open = status === 'RECEIVED' || status === 'PENDING' || status === 'RETRYING';
  const request = sampleOrder();
  return {
    order_id: id,
    ...request,
    total_cents: orderTotalCents(request.items),
    status,
    attempts: opts.attempts ?? 0,
    request_hash: 'h',
    correlation_id: `corr-${id.slice(-6)}`,
    received_at: '2026-01-01T00:00:00.000Z',
    status_history: opts.history ?? [{ to: 'RECEIVED', at: '2026-01-01T00:00:00.000Z', by: 'api-handler' }],
    ...(open ? openIndexKey(id, '2026-01-01T00:00:00.000Z') : {}),
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: at,
  };
}

/** A FAILED order as dlq-handler leaves it: fulfilled in vain `attempts` times, with its failed_orders item. */
function failedHistory(attempts: number): StatusChange[] {
  return [
    { to: 'RECEIVED', at: '2026-01-01T00:00:00.000Z', by: 'api-handler' },
    { from: 'RECEIVED', to: 'PENDING', at: '2026-01-01T00:00:01.000Z', by: 'store-order' },
    ...Array.from({ length: attempts }, (_, i): StatusChange => ({ from: i === 0 ? 'PENDING' : 'RETRYING', to: 'RETRYING', at: `2026-01-01T00:0${i + 1}:00.000Z`, by: 'fulfill-order', attempt: i + 1 })),
    { from: 'RETRYING', to: 'FAILED', at: '2026-01-01T00:09:00.000Z', by: 'dlq-handler' },
  ];
}

describe('dofs', () => {
  let tables: { orders: string; failedOrders: string };
  let queueUrl: string;
  let sqs: SQSClient;
  let doc: DynamoDBDocumentClient;
  let cwd: string;

  beforeAll(async () => {
    tables = await createTestTables({ prefix: 'cli' });
    queueUrl = (await createTestQueues({ prefix: 'cli' })).orderQueueUrl;
    sqs = testSqsClient();
    doc = DynamoDBDocumentClient.from(testDynamoDbClient(), { marshallOptions: { removeUndefinedValues: true } });
    cwd = mkdtempSync(join(tmpdir(), 'dofs-cli-'));
  });

  afterAll(() => {
    sqs.destroy();
    doc.destroy();
    rmSync(cwd, { recursive: true, force: true });
  });

  /** Runs the CLI in process with the names as flags (and the harness's endpoints from the environment). */
  async function dofs(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main([...args, '--orders-table', tables.orders, '--failed-orders-table', tables.failedOrders, '--order-queue-url', queueUrl], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      env: process.env,
      cwd,
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  const put = (o: StoredOrder) => putOrder(o, tables.orders);
  const putFailed = (record: FailedOrderRecord) => doc.send(new PutCommand({ TableName: tables.failedOrders, Item: record }));
  const read = async (table: string, id: string) => (await doc.send(new GetCommand({ TableName: table, Key: { order_id: id }, ConsistentRead: true }))).Item;

  async function failedOrder(attempts = 3): Promise<StoredOrder> {
    const o = { ...order('FAILED', { history: failedHistory(attempts), attempts }), last_error: 'simulated fulfilment failure on attempt 3', status_reason: PUBLIC_REASONS.FULFILMENT_FAILED, failure_reason: 'not fulfilled after 3 attempt(s)' };
    await put(o);
    await putFailed({ order_id: o.order_id, message_id: `m-${o.order_id}`, original_message: JSON.stringify({ order_id: o.order_id }), attempts, reason: 'simulated fulfilment failure on attempt 3', failed_at: '2026-01-01T00:09:00.000Z' });
    return o;
  }

  describe('orders get', () => {
    it('prints the order and its status history as a timeline, and the stored item with --json', async () => {
      const o = await put(order('RETRYING', { history: failedHistory(2).slice(0, -1), attempts: 2 }));
      const { code, out, err } = await dofs('orders', 'get', o.order_id);
      expect({ code, err }).toEqual({ code: 0, err: '' });
      expect(out).toContain(`order:          ${o.order_id}`);
      expect(out).toContain('status:         RETRYING');
      expect(out).toContain('status history (4):');
      expect(out).toMatch(/2026-01-01T00:00:01\.000Z\s+\+1s\s+RECEIVED -> PENDING\s+store-order/);
      expect(out).toMatch(/PENDING -> RETRYING\s+fulfill-order\s+attempt 1/);
      const json = await dofs('orders', 'get', o.order_id, '--json');
      expect(JSON.parse(json.out)).toEqual(o);
    });

    it('answers an unknown or malformed id with one line and a non-zero exit', async () => {
      const missing = await dofs('orders', 'get', orderId());
      expect(missing).toMatchObject({ code: 1, out: '' });
      expect(missing.err).toMatch(/^dofs: no order ord_[0-9a-f]{32} in cli-orders-/);
      expect(missing.err.split('\n')).toHaveLength(1);
      const malformed = await dofs('orders', 'get', 'nope');
      expect(malformed).toMatchObject({ code: 2, err: 'dofs: "nope" is not an order id (ord_ followed by 32 hex digits) (dofs --help lists the commands)' });
    });
  });

  describe('orders list', () => {
    it('lists open orders of a status from the open-orders index and a re-read, oldest first, and --older-than cuts by updated_at', async () => {
      const old1 = await put(order('PENDING', { updatedAt: '2026-01-01T00:00:00.000Z' }));
      const old2 = await put(order('PENDING', { updatedAt: '2026-01-01T00:05:00.000Z' }));
      const fresh = await put(order('PENDING'));
      await put(order('RETRYING', { updatedAt: '2026-01-01T00:00:00.000Z' }));
      const all = JSON.parse((await dofs('orders', 'list', '--status', 'pending', '--json')).out) as { order_id: string }[];
      expect(all.map((r) => r.order_id)).toEqual([old1.order_id, old2.order_id, fresh.order_id]);
      const older = await dofs('orders', 'list', '--status', 'PENDING', '--older-than', '10m');
      expect(older.code).toBe(0);
      expect(older.out.split('\n')[0]).toMatch(/^ORDER\s+STATUS\s+UPDATED\s+AGE$/);
      expect(older.out).toContain(old1.order_id);
      expect(older.out).toContain(old2.order_id);
      expect(older.out).not.toContain(fresh.order_id);
      const limited = JSON.parse((await dofs('orders', 'list', '--status', 'PENDING', '--limit', '1', '--json')).out) as { order_id: string }[];
      expect(limited.map((r) => r.order_id)).toEqual([old1.order_id]);
    });

    it('says that terminal statuses are not listable by query, and lists FAILED from failed_orders', async () => {
      const fulfilled = await dofs('orders', 'list', '--status', 'FULFILLED');
      expect(fulfilled.code).toBe(1);
      expect(fulfilled.err).toContain('only open statuses (RECEIVED, PENDING, RETRYING) are in the open-orders index, and dofs never scans orders');
      const o = await failedOrder();
      const failed = await dofs('orders', 'list', '--status', 'FAILED');
      expect(failed.code).toBe(0);
      expect(failed.err).toContain('listed from failed_orders');
      expect(failed.out).toContain(o.order_id);
      expect((await dofs('orders', 'list', '--status', 'DONE')).code).toBe(2);
    });
  });

  describe('failed list and show', () => {
    it('lists failed_orders items and shows one with the order\'s history', async () => {
      const o = await failedOrder();
      const list = await dofs('failed', 'list');
      expect(list.out.split('\n')[0]).toMatch(/^ORDER\s+STATUS\s+FAILED AT\s+ATTEMPTS\s+REDRIVES\s+REASON$/);
      expect(list.out).toMatch(new RegExp(`${o.order_id}\\s+FAILED\\s+2026-01-01T00:09:00.000Z\\s+3\\s+0\\s+simulated fulfilment failure on attempt 3`));
      const show = await dofs('failed', 'show', o.order_id);
      expect(show.code).toBe(0);
      expect(show.out).toContain('status now:     FAILED');
      expect(show.out).toContain('reason:         simulated fulfilment failure on attempt 3');
      expect(show.out).toMatch(/RETRYING -> FAILED\s+dlq-handler/);
      expect((await dofs('failed', 'show', orderId())).code).toBe(1);
    });
  });

  describe('failed redrive', () => {
    async function receive(): Promise<{ body: unknown; attributes: Record<string, { DataType?: string; StringValue?: string }> }[]> {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], WaitTimeSeconds: 1 }));
      return (Messages ?? []).map((m) => ({ body: JSON.parse(m.Body ?? 'null'), attributes: m.MessageAttributes ?? {} }));
    }

    it('moves a FAILED order to RETRYING (history + failed_orders note), starts a new round from its attempts and queues it under a new dispatch', async () => {
      const o = await failedOrder(3);
      const { code, out, err } = await dofs('failed', 'redrive', o.order_id);
      expect({ code, err }).toEqual({ code: 0, err: '' });
      expect(out).toMatch(new RegExp(`${o.order_id}\\s+redriven\\s+FAILED -> RETRYING, queued`));

      const after = (await read(tables.orders, o.order_id)) as StoredOrder;
      expect(after.status).toBe('RETRYING');
      // Back in the open-orders index, open since the redrive.
      expect(after).toMatchObject({ open_shard: openShardKey(o.order_id), open_since: after.updated_at });
      expect(after.attempts).toBe(3);
      expect(after.attempts_base).toBe(3);
      expect(after.dispatch).toMatchObject({ seq: 1, at: after.updated_at, by: 'dofs-cli' });
      expect(after.status_reason).toBeUndefined();
      expect(after.failure_reason).toBeUndefined();
      expect(after.status_history).toHaveLength(o.status_history.length + 1);
      expect(after.status_history.at(-1)).toEqual({ from: 'FAILED', to: 'RETRYING', at: after.updated_at, by: 'dofs-cli' });
      const record = (await read(tables.failedOrders, o.order_id)) as FailedOrderRecord;
      expect(record.operator_redrives).toEqual([{ at: after.updated_at, by: 'dofs-cli', attempts: 3 }]);
      expect(record.reason).toBe('simulated fulfilment failure on attempt 3');

      const messages = await receive();
      expect(messages).toHaveLength(1);
      expect(messages[0]?.body).toEqual({ order_id: o.order_id, correlation_id: o.correlation_id, dispatch: 1 });
      expect(messages[0]?.attributes).toMatchObject({
        order_id: { DataType: 'String', StringValue: o.order_id },
        correlation_id: { DataType: 'String', StringValue: o.correlation_id },
        dispatch: { DataType: 'Number', StringValue: '1' },
      });

      // A second redrive finds it RETRYING: nothing is written or sent.
      const again = await dofs('failed', 'redrive', o.order_id);
      expect(again).toMatchObject({ code: 1, err: `dofs: cannot redrive ${o.order_id}: it is RETRYING, not FAILED` });
      expect(((await read(tables.orders, o.order_id)) as StoredOrder).status_history).toHaveLength(after.status_history.length);
      expect(await receive()).toHaveLength(0);
    });

    it('refuses an order the reconciler failed before it was validated (it never reached PENDING)', async () => {
      const o = await put(order('FAILED', { history: [{ to: 'RECEIVED', at: '2026-01-01T00:00:00.000Z', by: 'api-handler' }, { from: 'RECEIVED', to: 'FAILED', at: '2026-01-01T00:10:00.000Z', by: 'reconcile-orders' }] }));
      await putFailed({ order_id: o.order_id, message_id: `reconciler#${o.order_id}`, original_message: '{}', attempts: 0, reason: 'never started', failed_at: '2026-01-01T00:10:00.000Z' });
      const { code, err } = await dofs('failed', 'redrive', o.order_id);
      expect(code).toBe(1);
      expect(err).toContain('never reached PENDING');
      expect(((await read(tables.orders, o.order_id)) as StoredOrder).status).toBe('FAILED');
    });

    it('--all redrives every FAILED order of failed_orders and skips the rest', async () => {
      const a = await failedOrder(3);
      const b = await failedOrder(1);
      await putFailed({ order_id: 'unparseable#m-1', message_id: 'm-1', original_message: 'garbage', attempts: 1, reason: 'unparseable message: not JSON', failed_at: '2026-01-01T00:00:00.000Z' });
      const { code, out } = await dofs('failed', 'redrive', '--all', '--json');
      expect(code).toBe(0);
      const outcomes = JSON.parse(out) as { order_id: string; result: string }[];
      expect(outcomes.filter((x) => x.result === 'redriven').map((x) => x.order_id)).toEqual(expect.arrayContaining([a.order_id, b.order_id]));
      expect(outcomes.find((x) => x.order_id === 'unparseable#m-1')).toMatchObject({ result: 'skipped' });
      for (const id of [a.order_id, b.order_id]) expect(((await read(tables.orders, id)) as StoredOrder).status).toBe('RETRYING');
      const sent = (await receive()).map((m) => m.body as { order_id: string });
      expect(sent.map((m) => m.order_id)).toEqual(expect.arrayContaining([a.order_id, b.order_id]));
    });
  });

  describe('watch', () => {
    it('reports the status changes of orders that change, appear or leave the index after it started', async () => {
      const target = resolveTarget({ ordersTable: tables.orders, failedOrdersTable: tables.failedOrders }, process.env, cwd);
      const ctx = createContext(target, { out: () => undefined, err: () => undefined }, { json: true });
      const moving = await put(order('PENDING', { history: failedHistory(0).slice(0, 2) }));
      const events: WatchEvent[] = [];
      const controller = new AbortController();
      let polls = 0;
      let newcomer: StoredOrder | undefined;
      let failed: StoredOrder | undefined;
      const repo = new OrdersRepository({ tableName: tables.orders, writer: 'fulfill-order' });
      const done = watch(ctx, {
        intervalMs: 20,
        signal: controller.signal,
        onEvent: (e) => events.push(e),
        onPoll: async () => {
          polls += 1;
          if (polls === 1) {
            // After the first poll (which only takes stock): one order ends, one appears, one fails.
            await repo.transition(moving.order_id, 'PENDING', 'FULFILLED', { attempts: 1, attempt: 1 });
            newcomer = await put(order('PENDING', { history: failedHistory(0).slice(0, 2) }));
            failed = await failedOrder(1);
          }
          if (polls === 3) controller.abort();
        },
      });
      await done;
      ctx.close();
      expect(events).toEqual(
        expect.arrayContaining([
          { order_id: moving.order_id, change: expect.objectContaining({ from: 'PENDING', to: 'FULFILLED', by: 'fulfill-order', attempt: 1 }) },
          { order_id: newcomer?.order_id, change: expect.objectContaining({ to: 'RECEIVED' }) },
          { order_id: newcomer?.order_id, change: expect.objectContaining({ from: 'RECEIVED', to: 'PENDING' }) },
          { order_id: failed?.order_id, failed: { failed_at: '2026-01-01T00:09:00.000Z', reason: 'simulated fulfilment failure on attempt 3' } },
        ]),
      );
      // Nothing from before it started, and nothing twice.
      expect(events.filter((e) => e.order_id === moving.order_id)).toHaveLength(1);
    });

    it('stops on the signal and exits 0', async () => {
      const controller = new AbortController();
      controller.abort();
      const code = await main(['watch', '--orders-table', tables.orders, '--failed-orders-table', tables.failedOrders], { out: () => undefined, err: () => undefined, env: process.env, cwd, signal: controller.signal });
      expect(code).toBe(0);
    });
  });

  describe('finding the system', () => {
    it('reads a local stack\'s local-stack.json (endpoints, credentials, table and queue names)', async () => {
      const o = await put(order('PENDING'));
      const file = join(cwd, 'local-stack.json');
      writeFileSync(
        file,
        JSON.stringify({
          pid: process.pid,
          endpoints: { dynamodb: process.env['AWS_ENDPOINT_URL_DYNAMODB'], sqs: process.env['AWS_ENDPOINT_URL_SQS'] },
          clientEnv: { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' },
          queueUrls: { orderQueueUrl: queueUrl },
          settings: { tables: { orders: tables.orders, failedOrders: tables.failedOrders } },
        }),
      );
      // No endpoint variables at all: everything comes from the file.
      const env = { PATH: process.env['PATH'] };
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(['orders', 'get', o.order_id, '--stack-file', file], { out: (t) => out.push(t), err: (t) => err.push(t), env, cwd });
      expect({ code, err }).toEqual({ code: 0, err: [] });
      expect(out.join('\n')).toContain(`order:          ${o.order_id}`);
    });

    it('refuses a local-stack.json whose stack is gone, and names an endpoint it cannot reach, in one line', async () => {
      const gone = join(cwd, 'gone.json');
      writeFileSync(gone, JSON.stringify({ pid: 2 ** 22 + 12345, endpoints: { dynamodb: 'http://127.0.0.1:9' }, settings: { tables: { orders: 'o', failedOrders: 'f' } } }));
      const err: string[] = [];
      expect(await main(['failed', 'list', '--stack-file', gone], { out: () => undefined, err: (t) => err.push(t), env: {}, cwd })).toBe(1);
      expect(err).toEqual([`dofs: the local stack that wrote ${gone} is not running (pid ${2 ** 22 + 12345}): start it with npm start, or pass --aws with table names`]);

      const dead = join(cwd, 'dead.json');
      writeFileSync(dead, JSON.stringify({ endpoints: { dynamodb: 'http://127.0.0.1:9' }, clientEnv: { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' }, settings: { tables: { orders: 'o', failedOrders: 'f' } } }));
      err.length = 0;
      expect(await main(['failed', 'list', '--stack-file', dead], { out: () => undefined, err: (t) => err.push(t), env: {}, cwd })).toBe(1);
      expect(err).toHaveLength(1);
      expect(err[0]).toMatch(/^dofs: cannot reach AWS at http:\/\/127\.0\.0\.1:9/);
    });

    it('takes the functions\' variables (ORDERS_TABLE, FAILED_ORDERS_TABLE) when no flag names the tables', () => {
      const target = resolveTarget({}, { ORDERS_TABLE: 'o', FAILED_ORDERS_TABLE: 'f', ORDER_QUEUE_URL: 'q' }, cwd);
      expect(target).toMatchObject({ ordersTable: 'o', failedOrdersTable: 'f', orderQueueUrl: 'q', dynamodb: {}, sqs: {} });
    });
  });
});
