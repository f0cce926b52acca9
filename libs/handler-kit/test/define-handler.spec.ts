import { ConfigError, createHttpError, FullBatchFailureError, jsonResponse, LOG_LEVEL_VAR, requiredString } from '../src';
import { apiGatewayV2Event, captureLogs, lambdaContext, sqsEvent, sqsRecord } from '../src/testing';
import { defineHandler, defineHttpHandler, defineSqsHandler } from '../src/define-handler';

const CONFIG = { table: requiredString('TABLE', 'a table'), logLevel: LOG_LEVEL_VAR };

describe('defineHandler', () => {
  it('reads the configuration once, logs with the invocation keys and flushes the metrics after each invocation', async () => {
    const logs = captureLogs();
    const createHandler = defineHandler<typeof CONFIG, { logSink?: (line: string) => void; env?: Record<string, string> }, { id: string }, string>({
      service: 'svc',
      config: CONFIG,
      keys: { keys: (event) => ({ order_id: event.id }) },
      build: ({ config, logger, metrics }) => async (event) => {
        logger.info('ran');
        metrics.count('Runs');
        return `${config.table}:${event.id}`;
      },
    });
    expect(() => createHandler({ env: {} })).toThrow(ConfigError);
    const handler = createHandler({ env: { TABLE: 't' }, logSink: logs.sink });
    await expect(handler({ id: 'o-1' }, lambdaContext())).resolves.toBe('t:o-1');
    expect(logs.lines()).toEqual([expect.objectContaining({ message: 'ran', service: 'svc', order_id: 'o-1' }), expect.objectContaining({ _aws: expect.anything() })]);
  });
});

describe('defineHttpHandler', () => {
  it('answers with the request correlation id, errors included', async () => {
    const createHandler = defineHttpHandler<typeof CONFIG, { env?: Record<string, string> }>({
      service: 'api',
      config: CONFIG,
      build: () => async (event) => {
        if ('rawPath' in event && event.rawPath === '/fail') throw createHttpError(404, 'NOT_FOUND', 'no such resource');
        return jsonResponse(200, { ok: true });
      },
    });
    const handler = createHandler({ env: { TABLE: 't', LOG_LEVEL: 'error' } });
    const ok = await handler(apiGatewayV2Event({ method: 'GET', path: '/ok', headers: { 'x-correlation-id': 'corr-1' } }), lambdaContext());
    expect(ok).toMatchObject({ statusCode: 200, headers: { 'x-correlation-id': 'corr-1' } });
    const failed = await handler(apiGatewayV2Event({ method: 'GET', path: '/fail', headers: { 'x-correlation-id': 'corr-2' } }), lambdaContext());
    expect(failed).toMatchObject({ statusCode: 404, headers: { 'x-correlation-id': 'corr-2' } });
  });
});

describe('defineSqsHandler', () => {
  const createHandler = defineSqsHandler<typeof CONFIG, { env?: Record<string, string> }>({
    service: 'consumer',
    config: CONFIG,
    build: () => ({
      processRecord: async (record) => {
        if (record.body === 'bad') throw new RangeError('about the record');
        if (record.body === 'down') throw new Error('a dependency');
      },
      isRecordFailure: (error) => error instanceof RangeError,
    }),
  });
  const handler = createHandler({ env: { TABLE: 't', LOG_LEVEL: 'error' } });

  it('reports the failed records as a typed SQSBatchResponse', async () => {
    const ok = sqsRecord({ body: 'ok' });
    const bad = sqsRecord({ body: 'bad' });
    const response = await handler(sqsEvent([ok, bad]), lambdaContext());
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: bad.messageId }]);
  });

  it('fails the invocation when every record failed for an infrastructure reason', async () => {
    await expect(handler(sqsEvent([sqsRecord({ body: 'down' }), sqsRecord({ body: 'down' })]), lambdaContext())).rejects.toBeInstanceOf(FullBatchFailureError);
  });
});
