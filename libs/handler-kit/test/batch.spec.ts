import { correlationIdFromSqsAttributes, FullBatchFailureError, Logger, processRecords } from '../src';
import { captureLogs, sqsRecord } from '../src/testing';

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

  it('throws FullBatchFailureError when every record failed for an infrastructure reason', async () => {
    const logs = captureLogs();
    const logger = new Logger({ service: 'svc', sink: logs.sink });
    const error = await processRecords([sqsRecord({ body: 'x' }), sqsRecord({ body: 'y' })], async () => Promise.reject(new Error('down')), logger).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FullBatchFailureError);
    expect((error as FullBatchFailureError).errors).toHaveLength(2);
    expect(logs.lines()).toEqual([expect.objectContaining({ level: 'ERROR', records: 2, failed: 2 })]);
  });

  it('reports record by record when every record failed but some for their own reason', async () => {
    const logs = captureLogs();
    const logger = new Logger({ service: 'svc', sink: logs.sink });
    class AttemptFailed extends Error {}
    const results = await processRecords(
      [sqsRecord({ body: 'a' }), sqsRecord({ body: 'b' })],
      async (r) => Promise.reject(r.body === 'a' ? new AttemptFailed('no') : new Error('down')),
      logger,
      { isRecordFailure: (e) => e instanceof AttemptFailed },
    );
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(logs.lines()).toEqual([expect.objectContaining({ level: 'WARN', message: 'every record of the batch failed' })]);
  });

  it('reports a partial failure record by record, whatever the reason', async () => {
    const results = await processRecords([sqsRecord({ body: 'a' }), sqsRecord({ body: 'b' })], async (r) => (r.body === 'a' ? 'ok' : Promise.reject(new Error('down'))), new Logger({ service: 's', sink: () => undefined }));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
  });

  it('copes with a missing Records array', async () => {
    await expect(processRecords(undefined, async () => undefined, new Logger({ service: 's', sink: () => undefined }))).resolves.toEqual([]);
  });

  it('reads the correlation id message attribute', () => {
    expect(correlationIdFromSqsAttributes(sqsRecord({ body: '', attributes: { correlation_id: 'c-9' } }))).toBe('c-9');
    expect(correlationIdFromSqsAttributes(sqsRecord({ body: '', attributes: { correlation_id: ' ' } }))).toBeUndefined();
  });
});
