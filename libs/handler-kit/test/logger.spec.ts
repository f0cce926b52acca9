import middy from '@middy/core';
import { injectLambdaContext, Logger, serializeError } from '../src';
import { captureLogs, lambdaContext } from '../src/testing';

const fixedNow = () => new Date('2026-11-24T00:00:00.000Z');

describe('Logger', () => {
  it('writes one JSON object per line with level, timestamp, service, message and fields', () => {
    const logs = captureLogs();
    const logger = new Logger({ service: 'svc', sink: logs.sink, now: fixedNow });
    logger.info('hello', { order_id: 'ord_1', skipped: undefined });
    expect(logs.lines()).toEqual([{ level: 'INFO', timestamp: '2026-11-24T00:00:00.000Z', service: 'svc', message: 'hello', order_id: 'ord_1' }]);
  });

  it('drops lines below its level', () => {
    const logs = captureLogs();
    const logger = new Logger({ service: 'svc', level: 'warn', sink: logs.sink });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(logs.lines().map((l) => l['level'])).toEqual(['WARN', 'ERROR']);
  });

  it('keeps appended keys until reset, and child keys only on the child', () => {
    const logs = captureLogs();
    const logger = new Logger({ service: 'svc', sink: logs.sink });
    logger.appendKeys({ correlation_id: 'c-1' });
    logger.child({ order_id: 'ord_2' }).info('child');
    logger.info('parent');
    logger.resetKeys();
    logger.info('after reset');
    const [child, parent, after] = logs.lines();
    expect(child).toMatchObject({ correlation_id: 'c-1', order_id: 'ord_2' });
    expect(parent).toMatchObject({ correlation_id: 'c-1' });
    expect(parent).not.toHaveProperty('order_id');
    expect(after).not.toHaveProperty('correlation_id');
  });

  it('serialises errors with name, message, code and cause', () => {
    const cause = new Error('root');
    const error = Object.assign(new Error('outer', { cause }), { code: 'E_X' });
    const fields = serializeError(error);
    expect(fields).toMatchObject({ name: 'Error', message: 'outer', code: 'E_X', cause: { message: 'root' } });
    expect(serializeError('text')).toEqual({ name: 'string', message: 'text' });
  });

  it('survives fields that cannot be serialised', () => {
    const logs = captureLogs();
    const logger = new Logger({ service: 'svc', sink: logs.sink });
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    logger.info('cyclic', { cyclic });
    expect(logs.lines()[0]).toMatchObject({ message: 'cyclic', unserializable_fields: true });
  });
});

describe('injectLambdaContext', () => {
  it('adds request id, cold start (first invocation only), correlation id and keys to every line', async () => {
    const logs = captureLogs();
    const logger = new Logger({ service: 'svc', sink: logs.sink });
    const handler = middy(async (event: { id: string }) => {
      logger.info('inside');
      return event.id;
    }).use(
      injectLambdaContext<{ id: string }>(logger, {
        correlationId: (event) => `corr-${event.id}`,
        keys: (event) => ({ order_id: event.id }),
      }),
    );
    await handler({ id: 'a' }, lambdaContext({ awsRequestId: 'req-1' }));
    await handler({ id: 'b' }, lambdaContext({ awsRequestId: 'req-2' }));
    expect(logs.lines()).toEqual([
      expect.objectContaining({ request_id: 'req-1', cold_start: true, correlation_id: 'corr-a', order_id: 'a' }),
      expect.objectContaining({ request_id: 'req-2', cold_start: false, correlation_id: 'corr-b', order_id: 'b' }),
    ]);
  });

  it('logs an escaping error and rethrows it', async () => {
    const logs = captureLogs();
    const logger = new Logger({ service: 'svc', sink: logs.sink });
    const handler = middy(async () => {
      throw new Error('boom');
    }).use(injectLambdaContext(logger));
    await expect(handler({}, lambdaContext())).rejects.toThrow('boom');
    expect(logs.lines()).toEqual([expect.objectContaining({ level: 'ERROR', message: 'invocation failed' })]);
  });

  it('still runs the handler when the key extractors throw on a malformed event', async () => {
    const logger = new Logger({ service: 'svc', sink: () => undefined });
    const handler = middy(async () => 'ran').use(
      injectLambdaContext(logger, {
        keys: () => {
          throw new Error('bad event');
        },
      }),
    );
    await expect(handler(null, lambdaContext())).resolves.toBe('ran');
  });
});
