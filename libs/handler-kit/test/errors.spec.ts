import middy from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { createHttpError, errorBody, HttpError, httpErrorHandler, Logger, toHttpError, type HttpResponse } from '../src';
import { captureLogs, lambdaContext } from '../src/testing';

describe('toHttpError', () => {
  it('keeps our HttpError', () => {
    const error = createHttpError(409, 'IDEMPOTENCY_CONFLICT', 'conflict', { details: [{ path: '', message: 'x' }] });
    expect(toHttpError(error)).toBe(error);
  });

  it('maps unknown errors to a 500 that reveals nothing', () => {
    const error = toHttpError(new Error('secret table name'));
    expect(error.statusCode).toBe(500);
    expect(errorBody(error)).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'internal error', details: [] } });
    expect(toHttpError('a string').statusCode).toBe(500);
    expect(toHttpError(null).statusCode).toBe(500);
  });

  it('keeps a 4xx status of foreign errors with a generic code', () => {
    const error = toHttpError(Object.assign(new Error('Not Found'), { statusCode: 404 }));
    expect(error).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
  });

  it('does not expose 5xx messages', () => {
    const error = new HttpError(503, 'SERVICE_UNAVAILABLE', 'sfn throttled: arn:aws:states:...');
    expect(errorBody(error).error.message).toBe('service unavailable, retry later');
  });
});

describe('httpErrorHandler with @middy/http-json-body-parser', () => {
  const logs = captureLogs();
  const logger = new Logger({ service: 'svc', sink: logs.sink });
  const handler = middy<{ headers: Record<string, string>; body?: string }, HttpResponse>()
    .use(httpErrorHandler({ logger, headers: () => ({ 'x-correlation-id': 'corr-1' }) }))
    .use(httpJsonBodyParser())
    .handler(async (event) => {
      if ((event.body as unknown as { fail?: boolean })?.fail) throw new Error('internal detail');
      return { statusCode: 200, headers: {}, body: JSON.stringify(event.body) };
    });

  // The parser only reads headers, body and isBase64Encoded; a full API Gateway event is not needed here.
  const call = (headers: Record<string, string>, body?: string) =>
    handler({ headers, isBase64Encoded: false, ...(body === undefined ? {} : { body }) } as unknown as Parameters<typeof handler>[0], lambdaContext());

  it('answers 415 for a non-JSON content type', async () => {
    const response = await call({ 'content-type': 'text/plain' }, '{}');
    expect(response.statusCode).toBe(415);
    expect(JSON.parse(response.body).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(response.headers['x-correlation-id']).toBe('corr-1');
  });

  it('answers 400 INVALID_JSON for a body that is not JSON, or has a forbidden key', async () => {
    for (const body of ['{', '{"__proto__": {"x": 1}}']) {
      const response = await call({ 'content-type': 'application/json' }, body);
      expect(response.statusCode).toBe(400);
      expect(JSON.parse(response.body).error.code).toBe('INVALID_JSON');
    }
  });

  it('answers 500 for our own faults and logs the cause', async () => {
    logs.clear();
    const response = await call({ 'content-type': 'application/json; charset=utf-8' }, '{"fail": true}');
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'internal error', details: [] } });
    expect(logs.lines()).toEqual([expect.objectContaining({ level: 'ERROR', status: 500, error: expect.objectContaining({ message: 'internal detail' }) })]);
  });
});
