import type { APIGatewayProxyEvent } from 'aws-lambda';
import { buildProxyEvent, mapProxyResult, matchRoute, startApiGateway, type ApiGateway, type ApiRequestLog } from '../src/apigw/gateway';
import type { InvokeResult } from '../src/lambda/runtime';
import { PortUnavailableError } from '../src/net';
import { must } from './helpers';

const ok = (payload: unknown): InvokeResult => ({ ok: true, payload, requestId: 'r', durationMs: 1 });
const VALID = { customer_id: 'c-1', items: [{ sku: 'A', quantity: 1, unit_price_cents: 5 }], currency: 'USD' };

describe('API Gateway emulation (HTTP API, Lambda proxy, payload 1.0)', () => {
  let gateway: ApiGateway;
  const events: APIGatewayProxyEvent[] = [];
  const logs: ApiRequestLog[] = [];
  let respond: (event: APIGatewayProxyEvent) => InvokeResult | Promise<InvokeResult> = () =>
    ok({ statusCode: 202, headers: { Location: '/orders/ord_1' }, body: JSON.stringify({ order_id: 'ord_1' }) });

  beforeAll(async () => {
    gateway = await startApiGateway({
      host: '127.0.0.1',
      port: 0,
      invoke: async (event) => {
        events.push(event);
        return respond(event);
      },
      onRequest: (log) => logs.push(log),
    });
  });

  afterAll(() => gateway.close());

  it('builds the proxy event: resource, path parameters, headers and multiValueHeaders, query, requestContext', async () => {
    respond = () => ok({ statusCode: 200, body: '{}' });
    const response = await fetch(`${gateway.url}/orders/ord_abc?x=1&x=2&y=3`, {
      headers: { 'X-Custom': 'v', Accept: 'application/json' },
    });
    expect(response.status).toBe(200);
    const event = must(events.at(-1));
    expect(event).toMatchObject({
      resource: '/orders/{order_id}',
      path: '/orders/ord_abc',
      httpMethod: 'GET',
      pathParameters: { order_id: 'ord_abc' },
      queryStringParameters: { x: '2', y: '3' },
      multiValueQueryStringParameters: { x: ['1', '2'], y: ['3'] },
      stageVariables: null,
      body: null,
      isBase64Encoded: false,
      requestContext: {
        resourcePath: '/orders/{order_id}',
        httpMethod: 'GET',
        stage: '$default',
        path: '/orders/ord_abc',
        protocol: 'HTTP/1.1',
        identity: { sourceIp: '127.0.0.1' },
      },
    });
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('apigw-requestid')).toBe(event.requestContext.requestId);
    const headerNames = Object.keys(event.headers).map((h) => h.toLowerCase());
    expect(headerNames).toEqual(expect.arrayContaining(['x-custom', 'accept', 'host', 'x-forwarded-for', 'x-amzn-trace-id']));
    expect(Object.entries(event.multiValueHeaders).find(([k]) => k.toLowerCase() === 'x-custom')?.[1]).toEqual(['v']);
  });

  it('keeps repeated headers in multiValueHeaders and the last one in headers', () => {
    const event = buildProxyEvent({
      method: 'POST',
      rawUrl: '/order',
      rawHeaders: ['Host', 'h', 'X-Dup', 'a', 'x-dup', 'b'],
      body: Buffer.from('{"a":1}'),
      sourceIp: '10.0.0.1',
      resource: '/order',
      pathParameters: null,
      stage: 'local',
      apiId: 'api',
      requestId: 'req-1',
    });
    expect(event.multiValueHeaders['X-Dup']).toEqual(['a', 'b']);
    expect(event.headers['X-Dup']).toBe('b');
    expect(event).toMatchObject({ body: '{"a":1}', isBase64Encoded: false, pathParameters: null, queryStringParameters: null });
    expect(event.requestContext.requestId).toBe('req-1');
  });

  it('passes a valid POST /order to the function and maps its result (headers, status, body)', async () => {
    respond = () => ok({ statusCode: 202, headers: { Location: '/orders/ord_1' }, multiValueHeaders: { 'X-Multi': ['1', '2'] }, body: JSON.stringify({ order_id: 'ord_1' }) });
    const response = await fetch(`${gateway.url}/order`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(VALID) });
    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe('/orders/ord_1');
    expect(response.headers.get('x-multi')).toBe('1, 2');
    expect(await response.json()).toEqual({ order_id: 'ord_1' });
    expect(events.at(-1)).toMatchObject({ resource: '/order', httpMethod: 'POST', body: JSON.stringify(VALID), pathParameters: null });
    expect(logs.at(-1)).toMatchObject({ statusCode: 202, acceptedOrderId: 'ord_1' });
  });

  it('passes a body that fails the schema (or is not JSON) to the function: HTTP APIs validate no body', async () => {
    const fieldErrors = '{"error":{"code":"VALIDATION_FAILED","message":"m","details":[{"path":"/items","message":"x"}]}}';
    respond = () => ok({ statusCode: 400, body: fieldErrors });
    const before = events.length;
    const badBody = JSON.stringify({ ...VALID, items: [], extra: true });
    const bad = await fetch(`${gateway.url}/order`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: badBody });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe(fieldErrors); // the function's answer, not a gateway response
    expect(events.at(-1)).toMatchObject({ resource: '/order', httpMethod: 'POST', body: badBody });
    expect(logs.at(-1)?.gatewayResponse).toBeUndefined();
    const notJson = await fetch(`${gateway.url}/order`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{' });
    expect(notJson.status).toBe(400);
    expect(events.at(-1)?.body).toBe('{');
    expect(events.length).toBe(before + 2);
  });

  it('sends unknown paths and other methods to the function through the $default route', async () => {
    respond = () => ok({ statusCode: 404, body: '{"error":{"code":"NOT_FOUND","message":"no such resource","details":[]}}' });
    const missing = await fetch(`${gateway.url}/orders`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no such resource', details: [] } });
    expect(events.at(-1)).toMatchObject({ resource: '$default', path: '/orders', httpMethod: 'GET', pathParameters: null });
    expect(logs.at(-1)?.gatewayResponse).toBeUndefined();
    respond = () => ok({ statusCode: 405, headers: { Allow: 'POST' }, body: '{}' });
    expect((await fetch(`${gateway.url}/order`, { method: 'DELETE' })).status).toBe(405);
    expect(events.at(-1)).toMatchObject({ resource: '$default', httpMethod: 'DELETE' });
    expect(matchRoute('GET', '/orders/a%20b')).toMatchObject({ route: { routeKey: 'GET /orders/{order_id}' }, params: { order_id: 'a b' } });
    expect(matchRoute('POST', '/orders/x').route.routeKey).toBe('$default');
  });

  it('serves the OpenAPI document (docs/openapi.json) at GET /openapi.json without invoking the function', async () => {
    const before = events.length;
    const response = await fetch(`${gateway.url}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(['/order', '/orders/{order_id}']);
    expect(events.length).toBe(before);
  });

  it('turns a function error or a malformed result into HTTP API\'s own 500', async () => {
    respond = () => ({ ok: false, requestId: 'r', durationMs: 1, error: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out', trace: [] } });
    const failed = await fetch(`${gateway.url}/orders/x`);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ message: 'Internal Server Error' });
    expect(logs.at(-1)).toMatchObject({ gatewayResponse: 'INTEGRATION_FAILURE', integrationError: 'Sandbox.Timedout: Task timed out' });
    expect(mapProxyResult(ok({ body: 'no status' })).statusCode).toBe(500);
    expect(mapProxyResult(ok({ statusCode: 200, body: Buffer.from('hi').toString('base64'), isBase64Encoded: true })).body.toString()).toBe('hi');
  });

  it('fails fast with a clear error when the port is taken', async () => {
    await expect(startApiGateway({ host: '127.0.0.1', port: gateway.port, invoke: async () => ok(null) })).rejects.toBeInstanceOf(
      PortUnavailableError,
    );
    await expect(startApiGateway({ host: '127.0.0.1', port: gateway.port, invoke: async () => ok(null) })).rejects.toThrow(
      `port ${gateway.port} on 127.0.0.1 is already in use`,
    );
  });
});
