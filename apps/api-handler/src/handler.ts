import { SFNClient } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import { createDocumentClient, OrderIntake, OrdersRepository } from '@dofs/ddb-repo';
import {
  correlationIdForHttp,
  HEADERS,
  httpErrorHandler,
  injectLambdaContext,
  loadConfig,
  SDK_BUDGETS,
  sdkClientConfig,
  Logger,
  Metrics,
  normalizeHttpEvent,
  type ApiGatewayEvent,
  type HttpResponse,
  type LogSink,
} from '@dofs/handler-kit';
import { callerFields } from './caller';
import { CONFIG_SPEC } from './config';
import { createOrder, requestBudget, SERVICE_NAME, type CreateOrderDeps } from './create-order';
import { getOrder, type OrderReader } from './get-order';
import { apiRequest, jsonBody, type ApiEvent } from './middleware';
import type { SfnSender } from './workflow-starter';

export const SERVICE = SERVICE_NAME;

/** Without a Lambda context (a direct call in a test or script): the deployed timeout. */
const DEFAULT_REMAINING_MS = 10_000;

export interface HandlerDeps {
  /** Step Functions client (default: a real SFNClient configured from the environment). */
  sfn?: SfnSender;
  /** Order reads (default: OrdersRepository on ORDERS_TABLE). */
  orders?: OrderReader;
  /** The intake write (default: OrderIntake on ORDERS_TABLE and IDEMPOTENCY_TABLE). */
  intake?: CreateOrderDeps['intake'];
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
  const metrics = new Metrics(logger, deps.now);
  const sfn = deps.sfn ?? new SFNClient(sdkClientConfig(SDK_BUDGETS.sfn));
  const now = deps.now ?? (() => new Date());
  const ddb = deps.orders && deps.intake ? undefined : createDocumentClient();
  const orders = deps.orders ?? new OrdersRepository({ tableName: config.ordersTable, writer: SERVICE, client: ddb, now });
  const intake =
    deps.intake ??
    new OrderIntake({ ordersTable: config.ordersTable, idempotencyTable: config.idempotencyTable, windowSeconds: config.idempotencyWindowSeconds, client: ddb, now });
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
    .use(apiRequest(config.authMode))
    .use(jsonBody())
    .handler(async (rawEvent, context) => {
      const event = rawEvent as unknown as ApiEvent;
      const caller = event.caller ?? { kind: 'anyone' };
      logger.appendKeys(callerFields(caller));
      const budget = requestBudget(Date.now(), context?.getRemainingTimeInMillis?.() ?? DEFAULT_REMAINING_MS);
      try {
        const response =
          event.route?.name === 'getOrder'
            ? await getOrder(event.route.params['order_id'] ?? '', caller, { orders, logger })
            : await createOrder(event, caller, correlationId, { intake, sfn, stateMachineArn: config.stateMachineArn, logger, metrics, now, budget });
        response.headers[HEADERS.CORRELATION_ID] = correlationId;
        return response;
      } finally {
        metrics.flush();
      }
    });
}
