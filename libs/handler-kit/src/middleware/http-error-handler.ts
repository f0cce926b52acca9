import type { MiddlewareObj, Request } from '@middy/core';
import { toHttpError } from '../errors';
import type { HttpResponse } from '../http/event';
import { errorResponse } from '../http/response';
import type { LoggerLike } from '../logger';

export interface HttpErrorHandlerOptions<TEvent> {
  logger: LoggerLike;
  /** Headers for every error response (e.g. the correlation id). */
  headers?: (request: Request<TEvent, HttpResponse>) => Record<string, string>;
}

/**
 * The one place errors become HTTP responses (see `toHttpError`): client errors answer with their
 * 4xx status and code and are logged at `info`; anything else is logged with its cause at `error`
 * and answers 500/503 with a body that reveals nothing internal.
 */
export function httpErrorHandler<TEvent = unknown>(options: HttpErrorHandlerOptions<TEvent>): MiddlewareObj<TEvent, HttpResponse> {
  const { logger } = options;

  const httpErrorHandlerOnError = (request: Request<TEvent, HttpResponse>): void => {
    if (request.response !== undefined) return;
    const error = toHttpError(request.error);
    if (error.statusCode >= 500) {
      logger.error('request failed', { status: error.statusCode, code: error.code, error: error.cause ?? error });
    } else {
      logger.info('request rejected', { status: error.statusCode, code: error.code, error_message: error.message });
    }
    let headers: Record<string, string> = {};
    try {
      headers = options.headers?.(request) ?? {};
    } catch {
      // Extra headers are best effort; the error response is not.
    }
    request.response = errorResponse(error, headers);
  };

  return { onError: httpErrorHandlerOnError };
}
