import { SFNClient } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import { OrdersRepository } from '@dofs/ddb-repo';
import {
  correlationIdForHttp,
  HEADERS,
  httpErrorHandler,
  injectLambdaContext,
  loadConfig,
  Logger,
  normalizeHttpEvent,
  type ApiGatewayEvent,
  type HttpResponse,
  type LogSink,
} from '@dofs/handler-kit';
import { CONFIG_SPEC } from './config';
import { createOrder } from './create-order';
import { getOrder, type OrderReader } from './get-order';
import { apiRequest, jsonBody, type ApiEvent } from './middleware';
import type { SfnSender } from './workflow-starter';

export const SERVICE = 'api-handler';

export interface HandlerDeps {
  /** Step Functions client (default: a real SFNClient configured from the environment). */
  sfn?: SfnSender;
  /** Order reads (default: OrdersRepository on ORDERS_TABLE). */
  orders?: OrderReader;
  env?: Record<string, string | undefined>;
  logSink?: LogSink;
  now?: () => Date;
}

/**
 * Builds the API Lambda handler. Configuration is read and checked here, once per cold start;
 * clients are constructed here too (no connection is made before the first request).
 * Middlewares, in order: normalise + route, log context (correlation id), error mapping, JSON body.
 */
export function createHandler(deps: HandlerDeps = {}) {
  const config = loadConfig(CONFIG_SPEC, deps.env);
  const logger = new Logger({ service: SERVICE, level: config.logLevel, ...(deps.logSink ? { sink: deps.logSink } : {}) });
  const sfn = deps.sfn ?? new SFNClient({});
  const orders = deps.orders ?? new OrdersRepository({ tableName: config.ordersTable });
  const now = deps.now ?? (() => new Date());
  // The correlation id of the current request: set first thing by injectLambdaContext (from the raw
  // event, so that even a 404 answers with it), read by the handler and the error response.
  let correlationId = '';

  return middy<ApiGatewayEvent, HttpResponse>()
    .use(
      injectLambdaContext<ApiGatewayEvent, HttpResponse>(logger, {
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
    .use(
      httpErrorHandler<ApiGatewayEvent>({
        logger,
        headers: () => ({ [HEADERS.CORRELATION_ID]: correlationId }),
      }),
    )
    .use(apiRequest())
    .use(jsonBody())
    .handler(async (rawEvent) => {
      const event = rawEvent as unknown as ApiEvent;
      const response =
        event.route?.name === 'getOrder'
          ? await getOrder(event.route.params['order_id'] ?? '', { orders, logger })
          : await createOrder(event, correlationId, { sfn, stateMachineArn: config.stateMachineArn, logger, now });
      response.headers[HEADERS.CORRELATION_ID] = correlationId;
      return response;
    });
}
