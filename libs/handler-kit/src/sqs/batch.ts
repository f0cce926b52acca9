import type { SQSRecord } from 'aws-lambda';
import type { LoggerLike } from '../logger';

/** What `@middy/sqs-partial-batch-failure` expects from the handler: one settled result per record, in order. */
export type SettledRecords = PromiseSettledResult<unknown>[];

/**
 * Every record of a batch failed, each for an infrastructure reason (a dependency down, a bug of
 * ours): thrown instead of reporting every record, as Powertools' batch utility does, so that the
 * invocation counts in the function's `Errors` metric and the event source mapping backs off.
 * SQS redelivers the whole batch either way.
 */
export class FullBatchFailureError extends Error {
  override readonly name = 'FullBatchFailureError';
  readonly errors: unknown[];

  constructor(errors: unknown[]) {
    const first = errors[0] as { name?: unknown; message?: unknown } | undefined;
    super(`all ${errors.length} record(s) of the batch failed; first: ${String(first?.name ?? 'Error')}: ${String(first?.message ?? '')}`, { cause: errors[0] });
    this.errors = errors;
  }
}

export interface ProcessRecordsOptions {
  /**
   * True for a failure that is about the record, not about us or a dependency (a failed
   * fulfilment attempt, a malformed body): a batch of only such failures is reported record by
   * record. Default: every failure is an infrastructure failure.
   */
  isRecordFailure?: (error: unknown) => boolean;
}

/**
 * Processes every record of a batch independently (one failing or malformed record never stops the
 * others) and returns their settled results for `@middy/sqs-partial-batch-failure`, which turns the
 * rejected ones into `batchItemFailures`. When every record failed for an infrastructure reason,
 * throws `FullBatchFailureError` instead.
 */
export async function processRecords(
  records: readonly SQSRecord[] | undefined,
  processRecord: (record: SQSRecord) => Promise<unknown>,
  logger: LoggerLike,
  options: ProcessRecordsOptions = {},
): Promise<SettledRecords> {
  const list = Array.isArray(records) ? records : [];
  const results = await Promise.allSettled(list.map((record) => processRecord(record)));
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  const summary = { records: list.length, failed: errors.length, succeeded: list.length - errors.length };
  const isRecordFailure = options.isRecordFailure ?? (() => false);
  if (list.length > 0 && errors.length === list.length && !errors.some(isRecordFailure)) {
    logger.error('every record of the batch failed for an infrastructure reason: the invocation fails', summary);
    throw new FullBatchFailureError(errors);
  }
  if (list.length > 0 && errors.length === list.length) logger.warn('every record of the batch failed', summary);
  else logger.info('batch processed', summary);
  return results;
}

/**
 * A Middy middleware that lets a `FullBatchFailureError` fail the invocation.
 * `@middy/sqs-partial-batch-failure` turns any error into "every record failed"; use this one
 * before it (`.use(rethrowFullBatchFailure()).use(sqsPartialBatchFailure())`): onError handlers
 * run in reverse order, so this one sees the error after the partial-batch one answered it.
 */
export function rethrowFullBatchFailure() {
  const rethrowFullBatchFailureOnError = (request: { error?: unknown }): void => {
    if (request.error instanceof FullBatchFailureError) throw request.error;
  };
  return { onError: rethrowFullBatchFailureOnError };
}
