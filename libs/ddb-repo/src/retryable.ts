/**
 * Error names DynamoDB (or the SDK) uses for conditions that go away by themselves. A retry with
 * backoff, by the workflow or by SQS redelivery, is the right answer to each.
 */
const RETRYABLE_ERROR_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
  'TransactionInProgressException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);

/** Reasons inside a cancelled transaction that mean "try again", not "your condition is false". */
const RETRYABLE_CANCELLATION_CODES = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

/** Socket-level failures: the request may never have reached DynamoDB. */
const NETWORK_ERROR_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * The same failures by message: the SDK wraps an error it does not recognise as an Error (one from
 * another realm, as under jest) into a new Error that keeps only the text.
 */
const NETWORK_ERROR_MESSAGE = /\b(ECONNRESET|ECONNREFUSED|ECONNABORTED|ETIMEDOUT|EPIPE|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)\b|socket hang up/;

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  CancellationReasons?: { Code?: unknown }[];
  cause?: unknown;
}

/**
 * True for DynamoDB errors worth retrying: throttling, 5xx, transaction conflicts and network
 * failures. Upstream maps these to `TransientStoreError`; everything else (a false condition, a
 * validation error, our own typed errors) is permanent.
 */
export function isRetryableDynamoError(err: unknown, depth = 0): boolean {
  if (err === null || typeof err !== 'object' || depth > 3) return false;
  const e = err as ErrorShape;
  if (e.$retryable) return true;
  if (typeof e.name === 'string' && RETRYABLE_ERROR_NAMES.has(e.name)) return true;
  if (typeof e.code === 'string' && NETWORK_ERROR_CODES.has(e.code)) return true;
  if (typeof e.message === 'string' && NETWORK_ERROR_MESSAGE.test(e.message)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return true;
  if (e.name === 'TransactionCanceledException' && Array.isArray(e.CancellationReasons)) {
    if (e.CancellationReasons.some((r) => typeof r?.Code === 'string' && RETRYABLE_CANCELLATION_CODES.has(r.Code))) return true;
  }
  return isRetryableDynamoError(e.cause, depth + 1);
}
