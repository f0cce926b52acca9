import type { SQSRecord } from 'aws-lambda';
import type { LoggerLike } from '../logger';

/** What `@middy/sqs-partial-batch-failure` expects from the handler: one settled result per record, in order. */
export type SettledRecords = PromiseSettledResult<unknown>[];

/**
 * Processes every record of a batch independently (one failing or malformed record never stops the
 * others) and returns their settled results for `@middy/sqs-partial-batch-failure`, which turns the
 * rejected ones into `batchItemFailures`. All records failing is logged as its own case: it usually
 * means a fault of ours (or of a dependency), not of the messages.
 */
export async function processRecords(
  records: readonly SQSRecord[] | undefined,
  processRecord: (record: SQSRecord) => Promise<unknown>,
  logger: LoggerLike,
): Promise<SettledRecords> {
  const list = Array.isArray(records) ? records : [];
  const results = await Promise.allSettled(list.map((record) => processRecord(record)));
  const failed = results.filter((r) => r.status === 'rejected').length;
  const summary = { records: list.length, failed, succeeded: list.length - failed };
  if (list.length > 0 && failed === list.length) logger.warn('every record of the batch failed', summary);
  else logger.info('batch processed', summary);
  return results;
}

