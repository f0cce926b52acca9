import { isRetryableDynamoError } from '@dofs/ddb-repo';
import { createHttpError, ERROR_CODES, HEADERS } from '@dofs/handler-kit';

/** A DynamoDB failure as an HTTP error: 503 with Retry-After when a retry may help, else 500. */
export function storeUnavailable(error: unknown, action: string): Error {
  return isRetryableDynamoError(error)
    ? createHttpError(503, ERROR_CODES.SERVICE_UNAVAILABLE, 'orders are unavailable, retry later', { cause: error, headers: { [HEADERS.RETRY_AFTER]: '1' } })
    : createHttpError(500, ERROR_CODES.INTERNAL_ERROR, `could not ${action}`, { cause: error });
}
