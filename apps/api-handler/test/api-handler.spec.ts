import { SFNClient } from '@aws-sdk/client-sfn';
import { OrdersRepository } from '@dofs/ddb-repo';
import { apiGatewayV2Event, captureLogs, ConfigError, lambdaContext, pendingOrder } from '@dofs/handler-kit';
import { newOrderId, orderIdForIdempotencyKey, requestHash, type StoredOrder } from '@dofs/order-domain';
import { createHandler } from '../src/handler';
import { startFakeSfnServer, type FakeSfnServer } from './helpers/fake-sfn-server';
import { getOrderEvent, httpEvent, orderBody, PAYLOAD_VERSIONS, parse, postOrder } from './helpers/events';

// Real DynamoDB Local (ORDERS_TABLE etc. come from the harness's global setup). Step Functions is
// faked at the client boundary only: a local server speaking the Step Functions JSON protocol.
const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:dofs-order-workflow';

let sfnServer: FakeSfnServer;
let sfn: SFNClient;
const logs = captureLogs();
let handler: ReturnType<typeof createHandler>;
let orders: OrdersRepository;

const env = () => ({ ...process.env, STATE_MACHINE_ARN, LOG_LEVEL: 'info' });

beforeAll(async () => {
  sfnServer = await startFakeSfnServer();
  sfn = new SFNClient({ endpoint: sfnServer.endpoint, maxAttempts: 1 });
  handler = createHandler({ sfn, env: env(), logSink: logs.sink });
  orders = new OrdersRepository({ tableName: String(process.env['ORDERS_TABLE']) });
});

afterAll(async () => {
  sfn?.destroy();
  await sfnServer?.close();
});

beforeEach(() => {
  logs.clear();
  sfnServer.calls.length = 0;
});

/** A stored order that carries the internal fields GET must not show. */
function storedOrder(overrides: Partial<StoredOrder> = {}): StoredOrder {
  return pendingOrder({
    idempotency_key: 'secret-key',
    correlation_id: 'corr-stored',
    created_at: '2026-11-24T00:00:00.000Z',
    updated_at: '2026-11-24T00:00:01.000Z',
    ...overrides,
  });
}

describe.each(PAYLOAD_VERSIONS)('POST /order (%s event)', (version) => {
  it('answers 202 ACCEPTED with Location, links and the correlation id, and starts the workflow', async () => {
    const response = parse(await handler(postOrder(version, orderBody(), { 'X-Correlation-Id': 'client-corr-1' }), lambdaContext()));
    expect(response.statusCode).toBe(202);
    const orderId = response.body['order_id'] as string;
    expect(orderId).toMatch(/^ord_[0-9a-f]{32}$/);
    expect(response.body).toEqual({ order_id: orderId, status: 'ACCEPTED', links: { self: `/orders/${orderId}` } });
    expect(response.headers['location']).toBe(`/orders/${orderId}`);
    expect(response.headers['x-correlation-id']).toBe('client-corr-1');
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');

    expect(sfnServer.calls.map((c) => c.operation)).toEqual(['StartExecution']);
    const start = sfnServer.calls[0]?.body ?? {};
    expect(start['stateMachineArn']).toBe(STATE_MACHINE_ARN);
    expect(start['name']).toBe(orderId);
    expect(JSON.parse(String(start['input']))).toEqual({
      order_id: orderId,
      correlation_id: 'client-corr-1',
      request_hash: requestHash(orderBody()),
      idempotency_key: null,
      received_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      order: orderBody(),
    });
  });

  it('uses the API request id as correlation id when the header is absent or invalid', async () => {
    const event = postOrder(version, orderBody(), { 'X-Correlation-Id': 'not valid!' });
    const response = parse(await handler(event, lambdaContext()));
    expect(response.statusCode).toBe(202);
    expect(response.headers['x-correlation-id']).toBe(event.requestContext.requestId);
    expect(JSON.parse(String(sfnServer.calls[0]?.body['input'])).correlation_id).toBe(event.requestContext.requestId);
  });

  it('is idempotent with an Idempotency-Key: same body -> same order, one workflow; other body -> 409', async () => {
    const key = `key-${version}-${Date.now()}`;
    const first = parse(await handler(postOrder(version, orderBody(), { 'Idempotency-Key': key }), lambdaContext()));
    const again = parse(await handler(postOrder(version, orderBody(), { 'Idempotency-Key': key, 'X-Correlation-Id': 'other-corr' }), lambdaContext()));
    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(202);
    expect(again.body['order_id']).toBe(first.body['order_id']);
    expect(first.body['order_id']).toBe(orderIdForIdempotencyKey('c-123', key));
    expect(again.headers['idempotent-replayed']).toBe('true');
    const executionsForOrder = [...sfnServer.executions.values()].filter((e) => e.name === first.body['order_id']);
    expect(executionsForOrder).toHaveLength(1);
    expect(sfnServer.calls.map((c) => c.operation)).toEqual(['StartExecution', 'StartExecution', 'DescribeExecution']);

    const conflict = parse(await handler(postOrder(version, orderBody({ currency: 'EUR' }), { 'Idempotency-Key': key }), lambdaContext()));
    expect(conflict.statusCode).toBe(409);
    expect(conflict.body.error?.code).toBe('IDEMPOTENCY_CONFLICT');

    // Keys are scoped per customer: another customer's identical key is another order.
    const otherCustomer = parse(await handler(postOrder(version, orderBody({ customer_id: 'c-999' }), { 'Idempotency-Key': key }), lambdaContext()));
    expect(otherCustomer.statusCode).toBe(202);
    expect(otherCustomer.body['order_id']).not.toBe(first.body['order_id']);
  });

  it('answers 400 VALIDATION_FAILED with field-level details', async () => {
    const response = parse(
      await handler(postOrder(version, { customer_id: '', items: [{ sku: 'SKU-1', quantity: 0, unit_price_cents: 1.5 }], currency: 'usd', coupon: 'x' }), lambdaContext()),
    );
    expect(response.statusCode).toBe(400);
    expect(response.body.error?.code).toBe('VALIDATION_FAILED');
    expect(response.body.error?.details.map((d) => d.path).sort()).toEqual(['/coupon', '/currency', '/customer_id', '/items/0/quantity', '/items/0/unit_price_cents']);
    expect(sfnServer.calls).toHaveLength(0);
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
      const response = parse(await handler(postOrder(version, orderBody(), { 'Idempotency-Key': key }), lambdaContext()));
      expect(response.statusCode).toBe(400);
      expect(response.body.error?.code).toBe('INVALID_HEADER');
    }
  });

  it('answers 415 for a non-JSON or missing content type, and accepts charset parameters and any case', async () => {
    const plain = parse(await handler(postOrder(version, orderBody(), { 'Content-Type': 'text/plain' }), lambdaContext()));
    expect(plain.statusCode).toBe(415);
    expect(plain.body.error?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const missing = httpEvent(version, { method: 'POST', path: '/order', body: JSON.stringify(orderBody()) });
    expect(parse(await handler(missing, lambdaContext())).statusCode).toBe(415);
    for (const contentType of ['application/json; charset=UTF-8', 'Application/JSON;charset=utf-8', 'application/vnd.dofs.order+json']) {
      expect((await handler(postOrder(version, orderBody(), { 'Content-Type': contentType }), lambdaContext())).statusCode).toBe(202);
    }
  });

  it('answers 413 for a body over 64 KiB, base64-encoded or not', async () => {
    const big = JSON.stringify({ ...orderBody(), customer_id: 'x'.repeat(70 * 1024) });
    expect(parse(await handler(postOrder(version, big), lambdaContext())).body.error?.code).toBe('PAYLOAD_TOO_LARGE');
    const encoded = httpEvent(version, { method: 'POST', path: '/order', headers: { 'content-type': 'application/json' }, body: Buffer.from(big).toString('base64'), isBase64Encoded: true });
    expect((await handler(encoded, lambdaContext())).statusCode).toBe(413);
  });

  it('accepts a base64-encoded JSON body', async () => {
    const event = httpEvent(version, { method: 'POST', path: '/order', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(orderBody())).toString('base64'), isBase64Encoded: true });
    expect((await handler(event, lambdaContext())).statusCode).toBe(202);
  });

  it('answers 503 SERVICE_UNAVAILABLE (with Retry-After) when Step Functions is throttling or down', async () => {
    sfnServer.failNext(1, 400, 'ThrottlingException');
    const throttled = parse(await handler(postOrder(version), lambdaContext()));
    expect(throttled.statusCode).toBe(503);
    expect(throttled.body.error?.code).toBe('SERVICE_UNAVAILABLE');
    expect(throttled.headers['retry-after']).toBe('1');
    sfnServer.failNext(1, 500, 'InternalServerError');
    expect((await handler(postOrder(version), lambdaContext())).statusCode).toBe(503);
  });

  it('answers 500 with a body that reveals nothing when Step Functions refuses the request', async () => {
    sfnServer.failNext(1, 400, 'StateMachineDoesNotExist');
    const response = parse(await handler(postOrder(version), lambdaContext()));
    expect(response.statusCode).toBe(500);
    expect(response.body).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'internal error', details: [] } });
    expect(logs.lines().at(-1)).toMatchObject({ level: 'ERROR', status: 500, error: expect.objectContaining({ name: 'StateMachineDoesNotExist' }) });
  });
});

describe.each(PAYLOAD_VERSIONS)('GET /orders/{order_id} (%s event)', (version) => {
  it('returns the stored order without internal fields', async () => {
    const order = storedOrder({ status: 'RETRYING', attempts: 2, last_error: 'simulated fulfilment failure' });
    await orders.create({ ...order, status: 'PENDING', attempts: 0 });
    await orders.recordFailedAttempt(order.order_id, { from: 'PENDING', attempt: 2, error: 'simulated fulfilment failure' });
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
      created_at: order.created_at,
      updated_at: expect.any(String),
      links: { self: `/orders/${order.order_id}` },
    });
    for (const internal of ['request_hash', 'idempotency_key', 'correlation_id']) expect(response.body).not.toHaveProperty(internal);
  });

  it('shows the rejection reasons of a REJECTED order', async () => {
    const order = storedOrder({ status: 'REJECTED', rejection_reasons: [{ path: '/currency', message: 'currency JPY is not supported' }] });
    await orders.create(order);
    const response = parse(await handler(getOrderEvent(version, order.order_id), lambdaContext()));
    expect(response.body).toMatchObject({ status: 'REJECTED', attempts: 0, rejection_reasons: order.rejection_reasons });
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
    const event = apiGatewayV2Event({ method: 'POST', path: '/order', stage: 'dev', headers: { 'content-type': 'application/json' }, body: JSON.stringify(orderBody()) });
    expect(event.rawPath).toBe('/dev/order');
    expect((await handler(event, lambdaContext())).statusCode).toBe(202);
  });
});

describe('logs and configuration', () => {
  it('writes one JSON line per request with order id, correlation id, request id and cold start', async () => {
    const ownLogs = captureLogs();
    const fresh = createHandler({ sfn, env: env(), logSink: ownLogs.sink });
    const first = parse(await fresh(postOrder('v2', orderBody(), { 'x-correlation-id': 'corr-log-1' }), lambdaContext({ awsRequestId: 'lambda-1' })));
    await fresh(getOrderEvent('v1', newOrderId(), { 'X-Correlation-Id': 'corr-log-2' }), lambdaContext({ awsRequestId: 'lambda-2' }));
    expect(ownLogs.lines()).toEqual([
      expect.objectContaining({ level: 'INFO', message: 'order accepted', order_id: first.body['order_id'], correlation_id: 'corr-log-1', request_id: 'lambda-1', cold_start: true, status: 202 }),
      expect.objectContaining({ level: 'INFO', message: 'request rejected', correlation_id: 'corr-log-2', request_id: 'lambda-2', cold_start: false, status: 404, code: 'ORDER_NOT_FOUND' }),
    ]);
  });

  it('refuses to start without STATE_MACHINE_ARN or ORDERS_TABLE, naming them', () => {
    let error: unknown;
    try {
      createHandler({ sfn, env: { ORDERS_TABLE: '', STATE_MACHINE_ARN: 'arn:aws:lambda:eu-west-1:123456789012:function:x' } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variables).toEqual(['ORDERS_TABLE', 'STATE_MACHINE_ARN']);
  });
});
