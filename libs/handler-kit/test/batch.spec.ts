import { captureLogs, correlationIdFromSqsAttributes, Logger, processRecords, sqsRecord } from '../src';

describe('processRecords', () => {
  it('settles every record independently and in order', async () => {
    const logs = captureLogs();
    const logger = new Logger({ service: 'svc', sink: logs.sink });
    const records = ['ok', 'fail', 'ok'].map((body) => sqsRecord({ body }));
    const results = await processRecords(records, async (r) => {
      if (r.body === 'fail') throw new Error('nope');
      return r.body;
    }, logger);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(logs.lines()).toEqual([expect.objectContaining({ level: 'INFO', records: 3, failed: 1 })]);
  });

  it('reports a batch where every record failed as its own case', async () => {
    const logs = captureLogs();
    const logger = new Logger({ service: 'svc', sink: logs.sink });
    await processRecords([sqsRecord({ body: 'x' })], async () => Promise.reject(new Error('down')), logger);
    expect(logs.lines()).toEqual([expect.objectContaining({ level: 'WARN', message: 'every record of the batch failed' })]);
  });

  it('copes with a missing Records array', async () => {
    await expect(processRecords(undefined, async () => undefined, new Logger({ service: 's', sink: () => undefined }))).resolves.toEqual([]);
  });

  it('reads the correlation id message attribute', () => {
    expect(correlationIdFromSqsAttributes(sqsRecord({ body: '', attributes: { correlation_id: 'c-9' } }))).toBe('c-9');
    expect(correlationIdFromSqsAttributes(sqsRecord({ body: '', attributes: { correlation_id: ' ' } }))).toBeUndefined();
  });
});
