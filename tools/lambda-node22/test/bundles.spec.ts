/**
 * Every Lambda bundle, exactly as it deploys (dist/apps/<app>/main.js), loaded and invoked under
 * Node 22 (the nodejs22.x runtime's major; the rest of the suite runs on the machine's Node),
 * against DynamoDB Local and the SQS server of the libs/local-aws harness. One order goes through
 * the bundles the way the API, the workflow and the queues drive them: accept over the API (the
 * RECEIVED intake write), validate, store, read over the API, fulfil; a poison message goes
 * through dlq-handler; reconcile-orders gives up on a stalled order.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FailedOrdersRepository, orderItem, OrdersRepository } from '@dofs/ddb-repo';
import { apiGatewayV1Event, sampleOrder, sqsEvent, sqsRecord, storedOrder } from '@dofs/handler-kit/testing';
import { putOrder } from '@dofs/local-aws';
import { executionInputFor, orderTotalCents, type OrderExecutionInput, type StoredOrder } from '@dofs/order-domain';
import { NODE_MAJOR, node22 } from '../src/node22';

const ROOT = resolve(__dirname, '..', '..', '..');
// Each function's deployed timeout: the context's getRemainingTimeInMillis counts down from it.
const FUNCTIONS = (JSON.parse(readFileSync(join(ROOT, 'infra', 'settings.json'), 'utf8')) as { functions: Record<string, { timeoutSeconds: number }> }).functions;
const INVOKE = join(__dirname, '..', 'src', 'invoke.cjs');
const APPS = ['api-handler', 'validate-order', 'store-order', 'fulfill-order', 'dlq-handler', 'reconcile-orders'] as const;
type App = (typeof APPS)[number];

const ENVIRONMENT: Record<App, Record<string, string>> = {
  // Step Functions on a closed local port: the order is accepted (202) and stays RECEIVED.
  'api-handler': { STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:dofs-dev-order-workflow', AWS_ENDPOINT_URL_SFN: 'http://127.0.0.1:1' },
  'validate-order': {},
  'store-order': {},
  'fulfill-order': { FULFILLMENT_SUCCESS_RATE: '1', MAX_RECEIVE_COUNT: '3' },
  'dlq-handler': {},
  // Only the order this file seeds an hour in the past is old enough to be touched.
  'reconcile-orders': {
    STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:dofs-dev-order-workflow',
    RECEIVED_AFTER_SECONDS: '600',
    STALLED_AFTER_SECONDS: '600',
    // As infra/envs/dev sets them from infra/settings.json.
    WORKFLOW_TIMEOUT_SECONDS: '300',
    QUEUE_METRIC_PERIOD_SECONDS: '60',
  },
};

interface Outcome {
  node: string;
  result?: unknown;
  error?: { name?: string; message?: string };
}

let node: string;
let work: string;

beforeAll(() => {
  node = node22();
  work = mkdtempSync(join(tmpdir(), 'lambda-node22-'));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

function invoke(app: App, event: unknown): Outcome {
  const bundle = join(ROOT, 'dist', 'apps', app, 'main.js');
  if (!existsSync(bundle)) throw new Error(`no bundle at ${bundle}: the test target depends on the apps' build`);
  const resultFile = join(work, `${app}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  const run = spawnSync(node, [INVOKE, bundle, resultFile], {
    input: JSON.stringify(event),
    encoding: 'utf8',
    // Bounded: a hung invocation fails the test instead of stalling it.
    timeout: 30_000,
    env: { ...process.env, ...ENVIRONMENT[app], AWS_LAMBDA_FUNCTION_NAME: `dofs-node22-${app}`, INVOKE_TIMEOUT_MS: String((FUNCTIONS[app]?.timeoutSeconds ?? 10) * 1000), LOG_LEVEL: 'ERROR' },
  });
  if (run.status !== 0 || !existsSync(resultFile)) {
    throw new Error(`${app} under ${node}: exit ${run.status} ${run.signal ?? ''}\n${run.stderr}\n${run.stdout}`);
  }
  return JSON.parse(readFileSync(resultFile, 'utf8')) as Outcome;
}

const order = sampleOrder({ customer_id: 'c-node22' });

describe(`the Lambda bundles under Node ${NODE_MAJOR}`, () => {
  let orderId = '';
  let execution: OrderExecutionInput;
  const orders = new OrdersRepository({ tableName: process.env.ORDERS_TABLE as string, writer: 'test' });

  it('covers every function infra/settings.json deploys', () => {
    const settings = JSON.parse(readFileSync(join(ROOT, 'infra', 'settings.json'), 'utf8')) as { functions: Record<string, unknown> };
    expect([...APPS].sort()).toEqual(Object.keys(settings.functions).sort());
  });

  it(`uses a Node ${NODE_MAJOR} binary`, () => {
    expect(spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()).toMatch(new RegExp(`^v${NODE_MAJOR}\\.`));
  });

  it('api-handler accepts an order: stored RECEIVED before the 202', async () => {
    const post = invoke('api-handler', apiGatewayV1Event({ method: 'POST', path: '/order', body: JSON.stringify(order), headers: { 'content-type': 'application/json' } }));
    expect(post.error).toBeUndefined();
    expect(post.result).toMatchObject({ statusCode: 202 });
    orderId = (JSON.parse((post.result as { body: string }).body) as { order_id: string }).order_id;
    const stored = await orders.get(orderId);
    expect(stored?.status).toBe('RECEIVED');
    execution = executionInputFor(stored as StoredOrder);
  });

  it('validate-order returns the verdict with the order total', () => {
    const outcome = invoke('validate-order', execution);
    expect(outcome.node).toMatch(new RegExp(`^v${NODE_MAJOR}\\.`));
    expect(outcome.error).toBeUndefined();
    expect(JSON.stringify(outcome.result)).toContain(`"total_cents":${orderTotalCents(order.items)}`);
  });

  it('store-order moves it RECEIVED -> PENDING in DynamoDB', async () => {
    const validated = { ...execution, verdict: { valid: true, order, total_cents: orderTotalCents(order.items) } };
    const outcome = invoke('store-order', { action: 'store', execution: validated });
    expect(outcome.error).toBeUndefined();
    expect((await orders.get(orderId))?.status).toBe('PENDING');
  });

  it('api-handler answers GET /orders/{id} from DynamoDB, and 400 for a body that is not JSON', () => {
    const get = invoke('api-handler', apiGatewayV1Event({ method: 'GET', path: `/orders/${orderId}`, pathParameters: { order_id: orderId } }));
    expect(get.error).toBeUndefined();
    expect(get.result).toMatchObject({ statusCode: 200 });
    expect(JSON.parse((get.result as { body: string }).body)).toMatchObject({ order_id: orderId, status: 'PENDING' });

    const bad = invoke('api-handler', apiGatewayV1Event({ method: 'POST', path: '/order', body: '{not json', headers: { 'content-type': 'application/json' } }));
    expect(bad.result).toMatchObject({ statusCode: 400 });
  });

  it('fulfill-order fulfils it from an SQS batch (success rate 1)', async () => {
    const record = sqsRecord({ body: JSON.stringify({ order_id: orderId, correlation_id: 'corr-node22' }), attributes: { order_id: orderId } });
    const outcome = invoke('fulfill-order', sqsEvent([record]));
    expect(outcome.error).toBeUndefined();
    expect(outcome.result ?? { batchItemFailures: [] }).toMatchObject({ batchItemFailures: [] });
    expect((await orders.get(orderId))?.status).toBe('FULFILLED');
  });

  it('dlq-handler records a message that cannot be parsed in failed_orders', async () => {
    const record = sqsRecord({ body: 'not an order', receiveCount: 3 });
    const outcome = invoke('dlq-handler', sqsEvent([record]));
    expect(outcome.error).toBeUndefined();
    expect(outcome.result ?? { batchItemFailures: [] }).toMatchObject({ batchItemFailures: [] });
    const failed = new FailedOrdersRepository({
      failedOrdersTable: process.env.FAILED_ORDERS_TABLE as string,
      ordersTable: process.env.ORDERS_TABLE as string,
      writer: 'test',
    });
    expect(await failed.get(`unparseable#${record.messageId}`)).toBeDefined();
  });

  // The give-up path of a RECEIVED order (its workflow deadline long past): DynamoDB only. The
  // harness's SQS server runs in this (jest) process, which spawnSync blocks while the bundle runs,
  // so the bundle's queue reading fails, and a PENDING order would rightly be left alone for want of
  // evidence; a RECEIVED order's loss is shown by its deadline alone.
  it('reconcile-orders gives up on an order stalled past its re-drives: FAILED and archived in one transaction', async () => {
    const anHourAgo = new Date(Date.now() - 3600_000).toISOString();
    const stalled = await putOrder(orderItem(storedOrder({ status: 'RECEIVED', redrives: 3, received_at: anHourAgo, created_at: anHourAgo, updated_at: anHourAgo })));
    const outcome = invoke('reconcile-orders', {});
    expect(outcome.error).toBeUndefined();
    expect(outcome.result).toMatchObject({ scanned: 1, gaveUp: 1, requeued: 0, redriven: 0, errors: 0 });
    const orders = new OrdersRepository({ tableName: process.env.ORDERS_TABLE as string, writer: 'test' });
    expect((await orders.get(stalled.order_id))?.status).toBe('FAILED');
    const failed = new FailedOrdersRepository({ failedOrdersTable: process.env.FAILED_ORDERS_TABLE as string, ordersTable: process.env.ORDERS_TABLE as string, writer: 'test' });
    expect(await failed.get(stalled.order_id)).toMatchObject({ message_id: `reconciler#${stalled.order_id}` });
  });
});
