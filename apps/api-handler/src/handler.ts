import { SFNClient } from '@aws-sdk/client-sfn';
import { createDocumentClient, OrderIntake, OrdersRepository } from '@dofs/ddb-repo';
import { SDK_BUDGETS, sdkClientConfig, type HandlerOverrides } from '@dofs/handler-kit';
import { defineHttpHandler } from '@dofs/handler-kit/handler';
import { WorkflowStarter, type SfnSender } from '@dofs/queue-client';
import { callerFields } from './caller';
import { CONFIG_SPEC } from './config';
import { createOrder, requestBudget, SERVICE_NAME, type CreateOrderDeps } from './create-order';
import { getOrder, type OrderReader } from './get-order';
import { apiRequest, jsonBody, type ApiEvent } from './middleware';

export const SERVICE = SERVICE_NAME;

/** Without a Lambda context (a direct call in a test or script): the deployed timeout. */
const DEFAULT_REMAINING_MS = 10_000;

export interface HandlerDeps extends HandlerOverrides {
  /** Step Functions client (default: a real SFNClient configured from the environment). */
  sfn?: SfnSender;
  /** Order reads (default: OrdersRepository on ORDERS_TABLE). */
  orders?: OrderReader;
  /** The intake write (default: OrderIntake on ORDERS_TABLE and IDEMPOTENCY_TABLE). */
  intake?: CreateOrderDeps['intake'];
}

/**
 * The API Lambda handler (`POST /order`, `GET /orders/{order_id}`). Middlewares after the kit's log
 * context and error mapping: normalise, route and name the caller, then the JSON body.
 */
export const createHandler = defineHttpHandler<typeof CONFIG_SPEC, HandlerDeps>({
  service: SERVICE,
  config: CONFIG_SPEC,
  middlewares: ({ config }) => [apiRequest(config.authMode), jsonBody()],
  build: ({ config, logger, metrics, now }, deps) => {
    const dispatcher = new WorkflowStarter({ stateMachineArn: config.stateMachineArn, sfn: deps.sfn ?? new SFNClient(sdkClientConfig(SDK_BUDGETS.sfn)) });
    const ddb = deps.orders && deps.intake ? undefined : createDocumentClient();
    const orders = deps.orders ?? new OrdersRepository({ tableName: config.ordersTable, writer: SERVICE, client: ddb, now });
    const intake =
      deps.intake ??
      new OrderIntake({ ordersTable: config.ordersTable, idempotencyTable: config.idempotencyTable, windowSeconds: config.idempotencyWindowSeconds, client: ddb, now });
    return async (rawEvent, context, correlationId) => {
      const event = rawEvent as unknown as ApiEvent;
      const caller = event.caller ?? { kind: 'anyone' };
      logger.appendKeys(callerFields(caller));
      const budget = requestBudget(Date.now(), context?.getRemainingTimeInMillis?.() ?? DEFAULT_REMAINING_MS);
      return event.route?.name === 'getOrder'
        ? getOrder(event.route.params['order_id'] ?? '', caller, { orders, logger })
        : createOrder(event, caller, correlationId, { intake, dispatcher, logger, metrics, now, budget });
    };
  },
});
