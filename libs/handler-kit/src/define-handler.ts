import middy, { type MiddlewareObj } from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadConfig, type ConfigOf, type EnvVar } from './config';
import { HEADERS, type LogLevel } from './constants';
import { correlationIdForHttp } from './correlation';
import { normalizeHttpEvent, type ApiGatewayEvent, type HttpResponse } from './http/event';
import { isLogLevel, Logger, type LogSink } from './logger';
import { Metrics } from './metrics';
import { httpErrorHandler } from './middleware/http-error-handler';
import { injectLambdaContext, type InjectLambdaContextOptions } from './middleware/inject-lambda-context';
import { processRecords, rethrowFullBatchFailure, type ProcessRecordsOptions, type SettledRecords } from './sqs/batch';

/** What every function's `createHandler` accepts besides its own dependencies (tests and scripts set them). */
export interface HandlerOverrides {
  env?: Record<string, string | undefined>;
  logSink?: LogSink;
  now?: () => Date;
}

/** A function's environment spec: whatever it reads, and `LOG_LEVEL`. */
export type ConfigSpec = Record<string, EnvVar<unknown>> & { logLevel: EnvVar<LogLevel> };

/** What `build` gets, made once per cold start: the checked configuration, the logger, the metrics and the clock. */
export interface HandlerKit<S extends ConfigSpec> {
  config: ConfigOf<S>;
  logger: Logger;
  metrics: Metrics;
  now: () => Date;
}

export interface HandlerDefinition<S extends ConfigSpec, D extends HandlerOverrides, TEvent, TResult> {
  /** The function name: `service` on every log line and the metrics' dimension. */
  service: string;
  /** Its environment, read and checked once, at cold start (a ConfigError names every bad variable). */
  config: S;
  /** The log keys of an invocation, from its event (correlation id, order id, ...). */
  keys?: InjectLambdaContextOptions<TEvent>;
  /** Builds the invocation handler from the kit and the injected dependencies (clients are made here, connected on first use). */
  build: (kit: HandlerKit<S>, deps: D) => (event: TEvent, context: Context) => Promise<TResult>;
}

function kitOf<S extends ConfigSpec>(service: string, spec: S, overrides: HandlerOverrides): HandlerKit<S> {
  const config = loadConfig(spec, overrides.env);
  // LOG_LEVEL_VAR reads only log levels; the guard tells the compiler so.
  const level = isLogLevel(config.logLevel) ? config.logLevel : undefined;
  const logger = new Logger({ service, ...(level ? { level } : {}), ...(overrides.logSink ? { sink: overrides.logSink } : {}) });
  const now = overrides.now ?? (() => new Date());
  return { config, logger, metrics: new Metrics(logger, now), now };
}

/** Runs `handler`, then writes the invocation's metrics (nothing when none were recorded), whatever happened. */
function flushingMetrics<TEvent, TResult>(metrics: Metrics, handler: (event: TEvent, context: Context) => Promise<TResult>) {
  return async (event: TEvent, context: Context): Promise<TResult> => {
    try {
      return await handler(event, context);
    } finally {
      metrics.flush();
    }
  };
}

/**
 * The skeleton of every DOFS function (a Step Functions task, the scheduled reconciler): the
 * configuration, logger, metrics and clock made once per cold start, the log keys of each
 * invocation (`injectLambdaContext`), and the metrics flushed after it. Returns `createHandler(deps)`.
 */
export function defineHandler<S extends ConfigSpec, D extends HandlerOverrides, TEvent = unknown, TResult = unknown>(definition: HandlerDefinition<S, D, TEvent, TResult>) {
  return (deps: D = {} as D) => {
    const kit = kitOf(definition.service, definition.config, deps);
    return middy<TEvent, TResult>()
      .use(injectLambdaContext<TEvent, TResult>(kit.logger, definition.keys))
      .handler(flushingMetrics(kit.metrics, definition.build(kit, deps)));
  };
}

export interface HttpHandlerDefinition<S extends ConfigSpec, D extends HandlerOverrides> extends Omit<HandlerDefinition<S, D, ApiGatewayEvent, HttpResponse>, 'keys' | 'build'> {
  /** Middlewares after the log context and the error mapping (routing, body parsing, ...). */
  middlewares?: (kit: HandlerKit<S>) => MiddlewareObj<ApiGatewayEvent, HttpResponse>[];
  /** The request handler; `correlationId` is the request's (a valid `X-Correlation-Id`, else the API request id). */
  build: (kit: HandlerKit<S>, deps: D) => (event: ApiGatewayEvent, context: Context, correlationId: string) => Promise<HttpResponse>;
}

/**
 * An API Gateway function (payload 1.0 and 2.0): `defineHandler` plus the request's correlation id
 * (a log key, and the `X-Correlation-Id` of every response, errors and 404s included) and
 * `httpErrorHandler`, the one place errors become responses.
 */
export function defineHttpHandler<S extends ConfigSpec, D extends HandlerOverrides>(definition: HttpHandlerDefinition<S, D>) {
  return (deps: D = {} as D) => {
    const kit = kitOf(definition.service, definition.config, deps);
    // The current request's: set first thing (from the raw event, so that even a 404 answers with it).
    let correlationId = '';
    const handle = definition.build(kit, deps);
    let chain = middy<ApiGatewayEvent, HttpResponse>()
      .use(
        injectLambdaContext<ApiGatewayEvent, HttpResponse>(kit.logger, {
          correlationId: (event) => {
            const request = normalizeHttpEvent(event);
            correlationId = correlationIdForHttp(request.headers, request.requestId);
            return correlationId;
          },
          keys: (event) => {
            const request = normalizeHttpEvent(event);
            return { http_method: request.method, path: request.path, api_request_id: request.requestId };
          },
        }),
      )
      .use(httpErrorHandler<ApiGatewayEvent>({ logger: kit.logger, headers: () => ({ [HEADERS.CORRELATION_ID]: correlationId }) }));
    for (const middleware of definition.middlewares?.(kit) ?? []) chain = chain.use(middleware);
    return chain.handler(
      flushingMetrics(kit.metrics, async (event: ApiGatewayEvent, context: Context) => {
        const response = await handle(event, context, correlationId);
        response.headers[HEADERS.CORRELATION_ID] = correlationId;
        return response;
      }),
    );
  };
}

/** What an SQS function does with one record, and which of its failures are about the record. */
export interface RecordProcessor extends ProcessRecordsOptions {
  /** Resolves when the record may be deleted; rejects when it must come back (a batch item failure). */
  processRecord: (record: SQSRecord) => Promise<unknown>;
}

export interface SqsHandlerDefinition<S extends ConfigSpec, D extends HandlerOverrides> extends Omit<HandlerDefinition<S, D, SQSEvent, SQSBatchResponse>, 'build'> {
  build: (kit: HandlerKit<S>, deps: D) => RecordProcessor;
}

function isBatchResponse(response: SettledRecords | SQSBatchResponse): response is SQSBatchResponse {
  return !Array.isArray(response);
}

/**
 * An SQS consumer with `ReportBatchItemFailures`: every record processed on its own
 * (`processRecords`), the rejected ones reported by `@middy/sqs-partial-batch-failure`, and a batch
 * that failed entirely for an infrastructure reason failing the invocation (`FullBatchFailureError`,
 * let through by `rethrowFullBatchFailure`, which must come before the partial-batch middleware).
 */
export function defineSqsHandler<S extends ConfigSpec, D extends HandlerOverrides>(definition: SqsHandlerDefinition<S, D>) {
  return (deps: D = {} as D) => {
    const kit = kitOf(definition.service, definition.config, deps);
    const processor = definition.build(kit, deps);
    // The handler answers the settled records; the partial-batch middleware turns them into the response.
    const chain = middy<SQSEvent, SettledRecords | SQSBatchResponse>()
      .use(injectLambdaContext<SQSEvent, SettledRecords | SQSBatchResponse>(kit.logger, definition.keys))
      .use(rethrowFullBatchFailure())
      .use(sqsPartialBatchFailure({ logger: () => undefined }))
      .handler(flushingMetrics(kit.metrics, async (event: SQSEvent) => processRecords(event?.Records, processor.processRecord, kit.logger, processor)));
    return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
      const response = await chain(event, context);
      if (isBatchResponse(response)) return response;
      throw new Error('@middy/sqs-partial-batch-failure did not turn the settled records into a batch response');
    };
  };
}
