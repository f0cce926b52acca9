import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import {
  buildProxyEvent,
  mapProxyResult,
  matchRoute,
  STAGE_THROTTLE,
  startApiGateway,
  TokenBucket,
  type ApiGateway,
  type ApiRequestLog,
} from '../src/apigw/gateway';
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

describe('API Gateway emulation: the stage\'s throttling', () => {
  it('lets a burst through, then refills at the rate (token bucket)', () => {
    const bucket = new TokenBucket({ rateLimit: 2, burstLimit: 3 }, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)].every((t) => t.ok)).toBe(true);
    expect(bucket.take(0)).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(bucket.take(499).ok).toBe(false); // 0.998 of a token after 499 ms at 2/s
    expect(bucket.take(501).ok).toBe(true);
    expect(bucket.take(501).ok).toBe(false);
    // Idle for a minute: the bucket is full again, never fuller.
    for (let i = 0; i < 3; i += 1) expect(bucket.take(60_000).ok).toBe(true);
    expect(bucket.take(60_000).ok).toBe(false);
    expect(new TokenBucket({ rateLimit: 0.1, burstLimit: 1 }, 0).take(0)).toEqual({ ok: true });
    const slow = new TokenBucket({ rateLimit: 0.1, burstLimit: 1 }, 0);
    slow.take(0);
    expect(slow.take(0)).toEqual({ ok: false, retryAfterSeconds: 10 });
  });

  describe('on the HTTP server', () => {
    let gateway: ApiGateway;
    let invoked = 0;
    const logs: ApiRequestLog[] = [];
    beforeAll(async () => {
      gateway = await startApiGateway({
        host: '127.0.0.1',
        port: 0,
        // A rate so slow that no token comes back during the test.
        throttle: { rateLimit: 0.001, burstLimit: 3 },
        invoke: async () => {
          invoked += 1;
          return ok({ statusCode: 202, body: JSON.stringify({ order_id: `ord_${invoked}` }) });
        },
        onRequest: (log) => logs.push(log),
        localPages: { '/dashboard': async () => ({ contentType: 'text/html', body: '<p>local</p>' }) },
      });
    });
    afterAll(() => gateway.close());

    const post = () => fetch(`${gateway.url}/order`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(VALID) });

    it('answers 429 with API Gateway\'s own body once the burst is spent, without invoking the function', async () => {
      const answers = [];
      for (let i = 0; i < 5; i += 1) answers.push(await post());
      expect(answers.map((r) => r.status)).toEqual([202, 202, 202, 429, 429]);
      expect(invoked).toBe(3);
      const throttled = must(answers[3]);
      expect(throttled.headers.get('content-type')).toBe('application/json');
      expect(await throttled.json()).toEqual({ message: 'Too Many Requests' });
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(throttled.headers.get('apigw-requestid')).toMatch(/^[0-9a-f-]{36}$/);
      expect(logs.at(-1)).toMatchObject({ statusCode: 429, gatewayResponse: 'THROTTLED' });
      expect(logs.at(-1)?.acceptedOrderId).toBeUndefined();
    });

    it('answers a request whose URL cannot be parsed with a 500 and keeps serving', async () => {
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = connect(gateway.port, '127.0.0.1', () => socket.write('GET //a:b@[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
        let text = '';
        socket.on('data', (chunk) => (text += chunk));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      expect(raw.split('\r\n')[0]).toBe('HTTP/1.1 500 Internal Server Error');
      expect((await fetch(`${gateway.url}/openapi.json`)).status).toBe(200);
    });

    it('keeps a bucket per route, and never throttles the local pages outside the API', async () => {
      const before = invoked;
      const gets = [];
      for (let i = 0; i < 4; i += 1) gets.push((await fetch(`${gateway.url}/orders/ord_1`)).status);
      expect(gets).toEqual([202, 202, 202, 429]); // its own burst of 3, though POST /order is spent
      expect(invoked).toBe(before + 3);
      for (let i = 0; i < 5; i += 1) {
        expect((await fetch(`${gateway.url}/openapi.json`)).status).toBe(200);
        expect((await fetch(`${gateway.url}/dashboard`)).status).toBe(200);
      }
    });
  });

  it('is the deployed stage\'s: default_route_settings from the dev environment\'s variables, whose defaults are STAGE_THROTTLE', async () => {
    const root = path.resolve(__dirname, '../../..');
    const hcl = async (file: string) => (await parse(path.basename(file), readFileSync(path.join(root, file), 'utf8'))) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const [module, dev, devVariables] = await Promise.all([hcl('infra/modules/http-api/main.tf'), hcl('infra/envs/dev/main.tf'), hcl('infra/envs/dev/variables.tf')]);
    const stage = must(module['resource']['aws_apigatewayv2_stage']['this'][0]);
    expect(stage['default_route_settings'][0]).toMatchObject({
      throttling_rate_limit: '${var.throttling_rate_limit}',
      throttling_burst_limit: '${var.throttling_burst_limit}',
    });
    const call = must(Object.values(dev['module'] as Record<string, Array<Record<string, unknown>>>).map((calls) => calls[0]).find((c) => c?.['source'] === '../../modules/http-api'));
    expect(call).toMatchObject({ throttling_rate_limit: '${var.api_throttling_rate_limit}', throttling_burst_limit: '${var.api_throttling_burst_limit}' });
    expect({
      rateLimit: devVariables['variable']['api_throttling_rate_limit'][0]['default'],
      burstLimit: devVariables['variable']['api_throttling_burst_limit'][0]['default'],
    }).toEqual(STAGE_THROTTLE);
  });
});
