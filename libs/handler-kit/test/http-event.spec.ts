import { bodyByteLength, correlationIdForHttp, isValidCorrelationId, mediaTypeOf, normalizeHttpEvent } from '../src';
import { apiGatewayV1Event, apiGatewayV2Event } from '../src/testing';

describe('normalizeHttpEvent', () => {
  it('reads a REST API (payload 1.0) event', () => {
    const event = apiGatewayV1Event({ method: 'post', path: '/order', headers: { 'Content-Type': 'application/json', 'X-Correlation-Id': 'abc' }, body: '{}', requestId: 'r-1', claims: null });
    expect(normalizeHttpEvent(event)).toEqual({
      payloadVersion: '1.0',
      method: 'POST',
      path: '/order',
      stage: 'dev',
      headers: { 'content-type': 'application/json', 'x-correlation-id': 'abc' },
      body: '{}',
      isBase64Encoded: false,
      requestId: 'r-1',
      authorizer: undefined,
    });
  });

  it('takes the JWT authorizer\'s claims from either payload version, strings only, with the scopes of `scope`, `scp` and the list', () => {
    const claims = { sub: 'c-1', client_id: 'app', scope: 'orders/write orders/read' };
    expect(normalizeHttpEvent(apiGatewayV1Event({ method: 'GET', path: '/', claims })).authorizer).toEqual({ claims, scopes: ['orders/write', 'orders/read'] });
    expect(normalizeHttpEvent(apiGatewayV2Event({ method: 'GET', path: '/', claims })).authorizer).toEqual({ claims, scopes: ['orders/write', 'orders/read'] });

    const v2 = apiGatewayV2Event({ method: 'GET', path: '/', claims: null }) as unknown as { requestContext: Record<string, unknown> };
    v2.requestContext['authorizer'] = { jwt: { claims: { sub: 'c-2', scp: '[a b]', exp: 17, groups: ['x'] }, scopes: ['c', 'a'] } };
    expect(normalizeHttpEvent(v2).authorizer).toEqual({ claims: { sub: 'c-2', scp: '[a b]' }, scopes: ['c', 'a', 'b'] });
    // Payload 2.0 keeps claims under `jwt`; claims at the top (a Lambda authorizer's context) are not a JWT authorizer's.
    v2.requestContext['authorizer'] = { claims: { sub: 'c-3' } };
    expect(normalizeHttpEvent(v2).authorizer).toBeUndefined();
    expect(normalizeHttpEvent(apiGatewayV1Event({ method: 'GET', path: '/', claims: null })).authorizer).toBeUndefined();
  });

  it('reads an HTTP API (payload 2.0) event, keeping the stage prefix of rawPath', () => {
    const event = apiGatewayV2Event({ method: 'GET', path: '/orders/x', stage: 'dev', requestId: 'r-2' });
    const request = normalizeHttpEvent(event);
    expect(request).toMatchObject({ payloadVersion: '2.0', method: 'GET', path: '/dev/orders/x', stage: 'dev', requestId: 'r-2', body: undefined });
  });

  it('joins multi-value headers and lower-cases names', () => {
    const event = apiGatewayV1Event({ method: 'GET', path: '/' });
    event.headers = {};
    event.multiValueHeaders = { 'Idempotency-Key': ['a', 'b'] };
    expect(normalizeHttpEvent(event).headers).toEqual({ 'idempotency-key': 'a, b' });
  });

  it('never throws on junk', () => {
    for (const junk of [undefined, null, 42, 'x', [], { version: '2.0' }, { headers: 'x', requestContext: 7 }]) {
      expect(() => normalizeHttpEvent(junk)).not.toThrow();
    }
  });
});

describe('HTTP helpers', () => {
  it('measures decoded body bytes', () => {
    expect(bodyByteLength({ body: 'é', isBase64Encoded: false })).toBe(2);
    expect(bodyByteLength({ body: Buffer.from('hello').toString('base64'), isBase64Encoded: true })).toBe(5);
    expect(bodyByteLength({ body: undefined, isBase64Encoded: false })).toBe(0);
  });

  it('extracts media types', () => {
    expect(mediaTypeOf('Application/JSON; charset=UTF-8')).toBe('application/json');
    expect(mediaTypeOf(';')).toBeUndefined();
    expect(mediaTypeOf(undefined)).toBeUndefined();
  });

  it('prefers a valid correlation header, then the request id, then a uuid', () => {
    expect(correlationIdForHttp({ 'x-correlation-id': 'client-1' }, 'req')).toBe('client-1');
    expect(correlationIdForHttp({ 'x-correlation-id': 'bad id with spaces' }, 'req')).toBe('req');
    expect(correlationIdForHttp({}, undefined)).toMatch(/^[0-9a-f-]{36}$/);
    expect(isValidCorrelationId('x'.repeat(129))).toBe(false);
  });
});
