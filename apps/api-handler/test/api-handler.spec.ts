import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, OrderIntake, OrdersRepository, RESTART_RECEIVED_AFTER_MS, orderItem } from '@dofs/ddb-repo';
import { ConfigError, sdkClientConfig, SDK_BUDGETS } from '@dofs/handler-kit';
import { apiGatewayV2Event, captureLogs, lambdaContext, sampleOrder, storedOrder as makeStoredOrder } from '@dofs/handler-kit/testing';
import { newOrderId, PUBLIC_REASONS, requestHash, type StoredOrder } from '@dofs/order-domain';
import { createHandler } from '../src/handler';
import { ordersOf as ordersOfCustomer, uniqueCustomer } from './helpers/orders';
import { getOrderEvent, httpEvent, PAYLOAD_VERSIONS, parse, postOrder } from './helpers/events';
import { useFakeSfn } from './helpers/sfn';

// Real DynamoDB Local (ORDERS_TABLE, IDEMPOTENCY_TABLE etc. come from the harness's global setup).
// Step Functions is faked at the client boundary only: a local server speaking the Step Functions
// JSON protocol, which can also be made to throttle or fail (no local server does that on demand).
const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:dofs-order-workflow';
const ORDERS_TABLE = String(process.env['ORDERS_TABLE']);
const IDEMPOTENCY_WINDOW_SECONDS = 3600;

const sfn = useFakeSfn();
const logs = captureLogs();
let handler: ReturnType<typeof createHandler>;
const ddb = createDocumentClient();
const orders = new OrdersRepository({ tableName: ORDERS_TABLE, writer: 'test', client: ddb });

const env = () => ({ ...process.env, STATE_MACHINE_ARN, IDEMPOTENCY_WINDOW_SECONDS: String(IDEMPOTENCY_WINDOW_SECONDS), LOG_LEVEL: 'info' });

beforeAll(() => {
  handler = createHandler({ sfn: sfn.client, env: env(), logSink: logs.sink });
});

afterAll(() => {
  ddb.destroy();
});

beforeEach(() => {
  logs.clear();
});

/** A stored order that carries the internal fields GET must not show. */
function storedOrder(overrides: Partial<StoredOrder> = {}): StoredOrder {
  return makeStoredOrder({
    idempotency_key_hash: 'secret-hash',
    correlation_id: 'corr-stored',
    failure_reason: 'raw cause: arn:aws:sqs:eu-west-1:123456789012:queue',
    created_at: '2026-11-24T00:00:00.000Z',
    updated_at: '2026-11-24T00:00:01.000Z',
    ...overrides,
  } as Partial<StoredOrder>);
}

async function seed(order: StoredOrder): Promise<StoredOrder> {
  await ddb.send(new PutCommand({ TableName: ORDERS_TABLE, Item: order }));
  return order;
}

const ordersOf = (customerId: string) => ordersOfCustomer(ddb, customerId);

describe.each(PAYLOAD_VERSIONS)('POST /order (%s event)', (version) => {
  it('answers 202 RECEIVED with Location, links and the correlation id, after storing the order, and starts the workflow', async () => {
    const response = parse(await handler(postOrder(version, sampleOrder(), { 'X-Correlation-Id': 'client-corr-1' }), lambdaContext()));
    expect(response.statusCode).toBe(202);
    const orderId = response.body['order_id'] as string;
    expect(orderId).toMatch(/^ord_[0-9a-f]{32}$/);
    expect(response.body).toEqual({ order_id: orderId, status: 'RECEIVED', links: { self: `/orders/${orderId}` } });
    await expect(orders.get(orderId)).resolves.toMatchObject({
      status: 'RECEIVED',
      request_hash: requestHash(sampleOrder()),
      correlation_id: 'client-corr-1',
      status_history: [{ to: 'RECEIVED', by: 'api-handler' }],
    });
    expect(response.headers['location']).toBe(`/orders/${orderId}`);
    expect(response.headers['x-correlation-id']).toBe('client-corr-1');
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');

    expect(sfn.server.calls.map((c) => c.operation)).toEqual(['StartExecution']);
    const start = sfn.server.calls[0]?.body ?? {};
    expect(start['stateMachineArn']).toBe(STATE_MACHINE_ARN);
    expect(start['name']).toBe(orderId);
    expect(JSON.parse(String(start['input']))).toEqual({
      order_id: orderId,
      correlation_id: 'client-corr-1',
      request_hash: requestHash(sampleOrder()),
      received_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      order: sampleOrder(),
    });
  });

  it('answers GET right after the 202 with the RECEIVED order, never 404', async () => {
    const accepted = parse(await handler(postOrder(version), lambdaContext()));
    const read = parse(await handler(getOrderEvent(version, String(accepted.body['order_id'])), lambdaContext()));
    expect(read.statusCode).toBe(200);
    expect(read.body).toMatchObject({ order_id: accepted.body['order_id'], status: 'RECEIVED', status_history: [{ to: 'RECEIVED', by: 'api-handler' }] });
  });

  it('gives every request without a key a new random order id, even for identical bodies', async () => {
    const ids = new Set<unknown>();
    for (let i = 0; i < 3; i += 1) ids.add(parse(await handler(postOrder(version), lambdaContext())).body['order_id']);
    expect(ids.size).toBe(3);
  });

  it('uses the API request id as correlation id when the header is absent or invalid', async () => {
    const event = postOrder(version, sampleOrder(), { 'X-Correlation-Id': 'not valid!' });
    const response = parse(await handler(event, lambdaContext()));
    expect(response.statusCode).toBe(202);
    expect(response.headers['x-correlation-id']).toBe(event.requestContext.requestId);
    expect(JSON.parse(String(sfn.server.calls[0]?.body['input'])).correlation_id).toBe(event.requestContext.requestId);
  });

  it('counts OrdersAccepted once per new order in one Embedded Metric Format line, never for a replay or a refusal', async () => {
    const key = `metrics-${version}-${newOrderId()}`;
    const body = sampleOrder({ customer_id: uniqueCustomer() });
    const metricLines = () => logs.lines().filter((l) => l['_aws'] !== undefined);
    expect(parse(await handler(postOrder(version, body, { 'Idempotency-Key': key }), lambdaContext())).statusCode).toBe(202);
    expect(metricLines()).toEqual([
      {
        _aws: { Timestamp: expect.any(Number), CloudWatchMetrics: [{ Namespace: 'DOFS', Dimensions: [['service']], Metrics: [{ Name: 'OrdersAccepted', Unit: 'Count' }] }] },
        service: 'api-handler',
        OrdersAccepted: 1,
      },
    ]);
    logs.clear();
    expect(parse(await handler(postOrder(version, body, { 'Idempotency-Key': key }), lambdaContext())).headers['idempotent-replayed']).toBe('true');
    expect(parse(await handler(postOrder(version, { ...body, currency: 'EUR' }, { 'Idempotency-Key': key }), lambdaContext())).statusCode).toBe(409);
    expect(parse(await handler(postOrder(version, { nope: true }), lambdaContext())).statusCode).toBe(400);
    expect(metricLines()).toEqual([]);
  });

  it('is idempotent with an Idempotency-Key: same body -> same order, one workflow; other body -> 409', async () => {
    const key = `key-${version}-${newOrderId()}`;
    const customer = uniqueCustomer();
    const body = sampleOrder({ customer_id: customer });
    const first = parse(await handler(postOrder(version, body, { 'Idempotency-Key': key }), lambdaContext()));
    const again = parse(await handler(postOrder(version, body, { 'Idempotency-Key': key, 'X-Correlation-Id': 'other-corr' }), lambdaContext()));
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(sfn.server.calls.map((c) => c.operation)).toEqual(['StartExecution']);

    const conflict = parse(await handler(postOrder(version, sampleOrder({ customer_id: customer, currency: 'EUR' }), { 'Idempotency-Key': key }), lambdaContext()));
    expect(conflict.statusCode).toBe(409);
    expect(conflict.body.error?.code).toBe('IDEMPOTENCY_CONFLICT');
    expect(await ordersOf(customer)).toHaveLength(1);

    // Keys are scoped per customer: another customer's identical key is another order.
    const otherCustomer = parse(await handler(postOrder(version, sampleOrder({ customer_id: uniqueCustomer() }), { 'Idempotency-Key': key }), lambdaContext()));
    expect(otherCustomer.statusCode).toBe(202);
    expect(otherCustomer.body['order_id']).not.toBe(first.body['order_id']);
  });

  it('answers 50 concurrent identical requests with one key with 2xx only and one order', async () => {
    const key = `key-${version}-${newOrderId()}`;
    const body = sampleOrder({ customer_id: uniqueCustomer() });
    // 50 racing intakes (each an order put, a key put, and for the 49 losers a read of the winner
    // and a delete of their own tentative order) can take DynamoDB Local longer than the production
    // request timeout (2 s) on a loaded machine, which would rightly be a 503; this test is about how
    // the racing requests resolve, so its client waits as long as the function could.
    const patient = createDocumentClient(new DynamoDBClient({ maxAttempts: 2, requestHandler: { requestTimeout: 4000, throwOnRequestTimeout: true } }));
    const racing = createHandler({
      sfn: sfn.client,
      env: env(),
      logSink: logs.sink,
      intake: new OrderIntake({ ordersTable: ORDERS_TABLE, idempotencyTable: String(process.env['IDEMPOTENCY_TABLE']), windowSeconds: 3600, client: patient }),
      orders: new OrdersRepository({ tableName: ORDERS_TABLE, writer: 'api-handler', client: patient }),
    });
    const responses = await Promise.all(Array.from({ length: 50 }, () => racing(postOrder(version, body, { 'Idempotency-Key': key }), lambdaContext()).then(parse)));
    patient.destroy();
    expect(responses.map((r) => r.statusCode).filter((status) => status !== 202)).toEqual([]);
    expect(new Set(responses.map((r) => r.body['order_id'])).size).toBe(1);
    // One order item in the table: no loser's tentative order is left behind.
    expect((await ordersOf(body.customer_id)).map((o) => o.order_id)).toEqual([responses[0]?.body['order_id']]);
    expect(sfn.server.calls.filter((c) => c.operation === 'StartExecution')).toHaveLength(1);
  });

  it('frees a key after the idempotency window: the same key then makes a new order', async () => {
    const key = `key-${version}-${newOrderId()}`;
    const body = sampleOrder({ customer_id: uniqueCustomer() });
    const first = parse(await handler(postOrder(version, body, { 'Idempotency-Key': key }), lambdaContext()));
    const later = createHandler({ sfn: sfn.client, env: env(), logSink: logs.sink, now: () => new Date(Date.now() + (IDEMPOTENCY_WINDOW_SECONDS + 1) * 1000) });
    const after = parse(await later(postOrder(version, body, { 'Idempotency-Key': key }), lambdaContext()));
    expect(after.statusCode).toBe(202);
    expect(after.headers['idempotent-replayed']).toBeUndefined();
    expect(after.body['order_id']).not.toBe(first.body['order_id']);
    expect(await ordersOf(body.customer_id)).toHaveLength(2);
  });

  it('still answers 202, leaving the order RECEIVED, when Step Functions throttles, fails or is unreachable', async () => {
    sfn.server.failNext(1, 400, 'ThrottlingException');
    const throttled = parse(await handler(postOrder(version), lambdaContext()));
    expect(throttled.statusCode).toBe(202);
    // Refused: nothing runs, so the order is marked, and the reconciler may start it without waiting for the workflow deadline.
    const refused = await orders.get(String(throttled.body['order_id']));
    expect(refused).toMatchObject({ status: 'RECEIVED' });
    expect(refused?.workflow_until).toEqual(expect.any(String));
    expect(logs.lines().filter((l) => l['_aws'] === undefined).at(-1)).toMatchObject({ level: 'WARN', workflow: 'refused', marked_not_started: true, order_id: throttled.body['order_id'] });

    // A 5xx may have started an execution: the order is left for the workflow deadline to speak.
    sfn.server.failNext(1, 500, 'InternalServerError');
    const failed = parse(await handler(postOrder(version), lambdaContext()));
    expect(failed.statusCode).toBe(202);
    const unknown = await orders.get(String(failed.body['order_id']));
    expect(unknown?.workflow_until).toBeUndefined();
    expect(logs.lines().filter((l) => l['_aws'] === undefined).at(-1)).toMatchObject({ workflow: 'unknown', marked_not_started: false });

    const closedPort = new SFNClient({ endpoint: 'http://127.0.0.1:1', ...sdkClientConfig(SDK_BUDGETS.sfn) });
    const unreachable = createHandler({ sfn: closedPort, env: env(), logSink: logs.sink });
    const response = parse(await unreachable(postOrder(version), lambdaContext()));
    closedPort.destroy();
    expect(response.statusCode).toBe(202);
    await expect(orders.get(String(response.body['order_id']))).resolves.toMatchObject({ status: 'RECEIVED' });
  });

  it('starts the workflow again when a retried request finds its order still RECEIVED well after intake', async () => {
    const key = `key-${version}-${newOrderId()}`;
    sfn.server.failNext(1, 400, 'ThrottlingException');
    const first = parse(await handler(postOrder(version, sampleOrder(), { 'Idempotency-Key': key }), lambdaContext()));
    const soon = parse(await handler(postOrder(version, sampleOrder(), { 'Idempotency-Key': key }), lambdaContext()));
    expect(soon.body['order_id']).toBe(first.body['order_id']);
    expect(sfn.server.calls.map((c) => c.operation)).toEqual(['StartExecution']);

    const later = createHandler({ sfn: sfn.client, env: env(), logSink: logs.sink, now: () => new Date(Date.now() + RESTART_RECEIVED_AFTER_MS + 1000) });
    const retried = parse(await later(postOrder(version, sampleOrder(), { 'Idempotency-Key': key }), lambdaContext()));
    expect(retried.statusCode).toBe(202);
    expect(retried.headers['idempotent-replayed']).toBe('true');
    expect(sfn.server.calls.map((c) => c.operation)).toEqual(['StartExecution', 'StartExecution']);
    expect(sfn.server.calls[1]?.body['name']).toBe(first.body['order_id']);
  });

  it('answers 503 with Retry-After, and starts nothing, when DynamoDB is unreachable', async () => {
    const client = createDocumentClient(new DynamoDBClient({ endpoint: 'http://127.0.0.1:1', ...sdkClientConfig(SDK_BUDGETS.dynamodb) }));
    const intake = new OrderIntake({ ordersTable: ORDERS_TABLE, idempotencyTable: 'unused', windowSeconds: 60, client });
    const down = createHandler({ sfn: sfn.client, env: env(), logSink: logs.sink, intake, orders: new OrdersRepository({ tableName: ORDERS_TABLE, writer: 'test', client }) });
    const response = parse(await down(postOrder(version), lambdaContext()));
    client.destroy();
    expect(response.statusCode).toBe(503);
    expect(response.body.error?.code).toBe('SERVICE_UNAVAILABLE');
    expect(response.headers['retry-after']).toBe('1');
    expect(sfn.server.calls).toHaveLength(0);
  });

  it('answers 400 VALIDATION_FAILED with field-level details, and stores and starts nothing', async () => {
    const response = parse(
      await handler(postOrder(version, { customer_id: '', items: [{ sku: 'SKU-1', quantity: 0, unit_price_cents: 1.5 }], currency: 'usd', coupon: 'x' }), lambdaContext()),
    );
    expect(response.statusCode).toBe(400);
    expect(response.body.error?.code).toBe('VALIDATION_FAILED');
    expect(response.body.error?.details.map((d) => d.path).sort()).toEqual(['/coupon', '/currency', '/customer_id', '/items/0/quantity', '/items/0/unit_price_cents']);
    expect(sfn.server.calls).toHaveLength(0);
    const customer = uniqueCustomer();
    expect(parse(await handler(postOrder(version, sampleOrder({ customer_id: customer, currency: 'usd' })), lambdaContext())).statusCode).toBe(400);
    expect(await ordersOf(customer)).toEqual([]);
  });

  it('answers 400 INVALID_JSON for a body that is not JSON or is empty', async () => {
    for (const body of ['{"customer_id":', 'not json', '']) {
      const response = parse(await handler(postOrder(version, body), lambdaContext()));
      expect(response.statusCode).toBe(400);
      expect(response.body.error?.code).toBe('INVALID_JSON');
    }
  });

  it('answers 400 INVALID_HEADER for a malformed Idempotency-Key', async () => {
    for (const key of [' padded', 'x'.repeat(129), 'tab\there']) {
      const response = parse(await handler(postOrder(version, sampleOrder(), { 'Idempotency-Key': key }), lambdaContext()));
      expect(response.statusCode).toBe(400);
      expect(response.body.error?.code).toBe('INVALID_HEADER');
    }
  });

  it('answers 415 for a non-JSON or missing content type, and accepts charset parameters and any case', async () => {
    const plain = parse(await handler(postOrder(version, sampleOrder(), { 'Content-Type': 'text/plain' }), lambdaContext()));
    expect(plain.statusCode).toBe(415);
    expect(plain.body.error?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const missing = httpEvent(version, { method: 'POST', path: '/order', body: JSON.stringify(sampleOrder()) });
    expect(parse(await handler(missing, lambdaContext())).statusCode).toBe(415);
    for (const contentType of ['application/json; charset=UTF-8', 'Application/JSON;charset=utf-8', 'application/vnd.dofs.order+json']) {
      expect((await handler(postOrder(version, sampleOrder(), { 'Content-Type': contentType }), lambdaContext())).statusCode).toBe(202);
    }
  });

  it('answers 413 for a body over 64 KiB, base64-encoded or not', async () => {
    const big = JSON.stringify({ ...sampleOrder(), customer_id: 'x'.repeat(70 * 1024) });
    expect(parse(await handler(postOrder(version, big), lambdaContext())).body.error?.code).toBe('PAYLOAD_TOO_LARGE');
    const encoded = httpEvent(version, { method: 'POST', path: '/order', headers: { 'content-type': 'application/json' }, body: Buffer.from(big).toString('base64'), isBase64Encoded: true });
    expect((await handler(encoded, lambdaContext())).statusCode).toBe(413);
  });

  it('accepts a base64-encoded JSON body', async () => {
    const event = httpEvent(version, { method: 'POST', path: '/order', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(sampleOrder())).toString('base64'), isBase64Encoded: true });
    expect((await handler(event, lambdaContext())).statusCode).toBe(202);
  });

});

describe.each(PAYLOAD_VERSIONS)('GET /orders/{order_id} (%s event)', (version) => {
  it('returns the stored order with its history, without internal fields', async () => {
    // As stored: with its open-orders index key, which GET must not show either.
    const order = await seed(orderItem(storedOrder({ status: 'RETRYING', attempts: 2, last_error: 'simulated fulfilment failure' })) as StoredOrder);
    const response = parse(await handler(getOrderEvent(version, order.order_id), lambdaContext()));
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({
      order_id: order.order_id,
      status: 'RETRYING',
      customer_id: 'c-123',
      items: order.items,
      currency: 'USD',
      total_cents: 3998,
      attempts: 2,
      last_error: 'simulated fulfilment failure',
      status_history: order.status_history,
      received_at: order.received_at,
      created_at: order.created_at,
      updated_at: order.updated_at,
      links: { self: `/orders/${order.order_id}` },
    });
    for (const internal of ['request_hash', 'idempotency_key_hash', 'correlation_id', 'open_shard', 'failure_reason']) expect(response.body).not.toHaveProperty(internal);
  });

  it('shows the public reason of a FAILED order, never its raw cause', async () => {
    const order = await seed(storedOrder({ status: 'FAILED', status_reason: PUBLIC_REASONS.FULFILMENT_FAILED }));
    const response = parse(await handler(getOrderEvent(version, order.order_id), lambdaContext()));
    expect(response.body).toMatchObject({ status: 'FAILED', status_reason: PUBLIC_REASONS.FULFILMENT_FAILED });
    expect(JSON.stringify(response.body)).not.toMatch(/arn:aws|123456789012|raw cause/);
  });

  it('shows the public reason and the rejection reasons of a REJECTED order', async () => {
    const order = await seed(storedOrder({ status: 'REJECTED', status_reason: PUBLIC_REASONS.REJECTED, rejection_reasons: [{ path: '/currency', message: 'currency JPY is not supported' }] }));
    const response = parse(await handler(getOrderEvent(version, order.order_id), lambdaContext()));
    expect(response.body).toMatchObject({ status: 'REJECTED', attempts: 0, status_reason: PUBLIC_REASONS.REJECTED, rejection_reasons: order.rejection_reasons });
  });

  it('answers 404 ORDER_NOT_FOUND for an unknown or impossible id', async () => {
    for (const id of [newOrderId(), 'ord_NOTHEX', '%E0%A4%A', 'x'.repeat(300)]) {
      const response = parse(await handler(getOrderEvent(version, id), lambdaContext()));
      expect(response.statusCode).toBe(404);
      expect(response.body.error?.code).toBe('ORDER_NOT_FOUND');
    }
  });
});

describe('routing', () => {
  it.each(PAYLOAD_VERSIONS)('answers 404 for unknown paths and 405 with Allow for other methods (%s)', async (version) => {
    const unknown = parse(await handler(httpEvent(version, { method: 'GET', path: '/nope' }), lambdaContext()));
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body.error?.code).toBe('NOT_FOUND');
    const getOrderCollection = parse(await handler(httpEvent(version, { method: 'GET', path: '/order' }), lambdaContext()));
    expect(getOrderCollection.statusCode).toBe(405);
    expect(getOrderCollection.headers['allow']).toBe('POST');
    const deleteOrder = parse(await handler(httpEvent(version, { method: 'DELETE', path: `/orders/${newOrderId()}` }), lambdaContext()));
    expect(deleteOrder.statusCode).toBe(405);
    expect(deleteOrder.headers['allow']).toBe('GET');
    expect(deleteOrder.body.error?.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('routes an HTTP API event whose rawPath starts with a named stage', async () => {
    const event = apiGatewayV2Event({ method: 'POST', path: '/order', stage: 'dev', headers: { 'content-type': 'application/json' }, body: JSON.stringify(sampleOrder()) });
    expect(event.rawPath).toBe('/dev/order');
    expect((await handler(event, lambdaContext())).statusCode).toBe(202);
  });
});

describe('logs and configuration', () => {
  it('writes one JSON line per request with order id, correlation id, request id and cold start (and a new order\'s metrics line)', async () => {
    const ownLogs = captureLogs();
    const fresh = createHandler({ sfn: sfn.client, env: env(), logSink: ownLogs.sink });
    const first = parse(await fresh(postOrder('v2', sampleOrder(), { 'x-correlation-id': 'corr-log-1' }), lambdaContext({ awsRequestId: 'lambda-1' })));
    await fresh(getOrderEvent('v1', newOrderId(), { 'X-Correlation-Id': 'corr-log-2' }), lambdaContext({ awsRequestId: 'lambda-2' }));
    expect(ownLogs.lines()).toEqual([
      expect.objectContaining({ level: 'INFO', message: 'order accepted', order_id: first.body['order_id'], correlation_id: 'corr-log-1', request_id: 'lambda-1', cold_start: true, status: 202 }),
      expect.objectContaining({ service: 'api-handler', OrdersAccepted: 1 }),
      expect.objectContaining({ level: 'INFO', message: 'request rejected', correlation_id: 'corr-log-2', request_id: 'lambda-2', cold_start: false, status: 404, code: 'ORDER_NOT_FOUND' }),
    ]);
  });

  it('refuses to start without STATE_MACHINE_ARN, ORDERS_TABLE or IDEMPOTENCY_TABLE, naming them', () => {
    let error: unknown;
    try {
      createHandler({ sfn: sfn.client, env: { ORDERS_TABLE: '', IDEMPOTENCY_WINDOW_SECONDS: '5', STATE_MACHINE_ARN: 'arn:aws:lambda:eu-west-1:123456789012:function:x' } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variables).toEqual(['ORDERS_TABLE', 'IDEMPOTENCY_TABLE', 'IDEMPOTENCY_WINDOW_SECONDS', 'STATE_MACHINE_ARN']);
  });
});
