import type { MiddlewareObj, Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Logger, LogFields } from '../logger';

export interface InjectLambdaContextOptions<TEvent> {
  /** The correlation id of this invocation, from the event (HTTP header, task input, ...). */
  correlationId?: (event: TEvent, context: Context) => string | undefined;
  /** More keys for every line of this invocation (e.g. `order_id` of a task's input). */
  keys?: (event: TEvent, context: Context) => LogFields;
}

/**
 * Sets the invocation keys of every log line: `request_id` (the Lambda request id), `cold_start`
 * (true on the first invocation of this execution environment only), `function_version`,
 * `correlation_id` and any `keys`. Logs an error that escapes the handler unhandled (a thrown
 * task error, for Step Functions to catch), then rethrows it unchanged.
 */
export function injectLambdaContext<TEvent = unknown, TResult = unknown>(
  logger: Logger,
  options: InjectLambdaContextOptions<TEvent> = {},
): MiddlewareObj<TEvent, TResult> {
  let coldStart = true;

  const injectLambdaContextBefore = (request: Request<TEvent, TResult>): void => {
    logger.resetKeys();
    const context = request.context ?? ({} as Context);
    logger.appendKeys({
      request_id: context.awsRequestId,
      function_version: context.functionVersion,
      cold_start: coldStart,
    });
    coldStart = false;
    try {
      logger.appendKeys({
        correlation_id: options.correlationId?.(request.event, context),
        ...options.keys?.(request.event, context),
      });
    } catch {
      // Keys are best effort: a malformed event must still reach the handler, which reports it.
    }
  };

  const injectLambdaContextOnError = (request: Request<TEvent, TResult>): void => {
    // Handled by a later error middleware (an HTTP error response): nothing escapes.
    if (request.response !== undefined) return;
    logger.error('invocation failed', { error: request.error });
  };

  return { before: injectLambdaContextBefore, onError: injectLambdaContextOnError };
}
