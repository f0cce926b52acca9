import { isRetryableDynamoError } from '@dofs/ddb-repo';
import { createHttpError, ERROR_CODES, HEADERS } from '@dofs/handler-kit';

/** True when a call was abandoned at the request's own deadline (its AbortSignal fired). */
export function isDeadlineAbort(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'AbortError';
}

/** A DynamoDB failure as an HTTP error: 503 with Retry-After when a retry may help (including a call given up at the deadline), else 500. */
export function storeUnavailable(error: unknown, action: string): Error {
  return isRetryableDynamoError(error) || isDeadlineAbort(error)
    ? createHttpError(503, ERROR_CODES.SERVICE_UNAVAILABLE, 'orders are unavailable, retry later', { cause: error, headers: { [HEADERS.RETRY_AFTER]: '1' } })
    : createHttpError(500, ERROR_CODES.INTERNAL_ERROR, `could not ${action}`, { cause: error });
}
