import { createDocumentClient, FailedOrdersRepository, OrdersRepository } from '@dofs/ddb-repo';
import { SDK_BUDGETS, worstCaseMs, type HandlerOverrides } from '@dofs/handler-kit';
import { defineSqsHandler } from '@dofs/handler-kit/handler';
import { OrderEnqueuer } from '@dofs/queue-client';
import { CONFIG_SPEC } from './config';
import { handleDeadLetter, type DeadLetterArchive, type OrderSender, type OrdersReader } from './dead-letter';

export const SERVICE = 'dlq-handler';

export interface HandlerDeps extends HandlerOverrides {
  /** Default: OrdersRepository on ORDERS_TABLE. */
  orders?: OrdersReader;
  /** Default: FailedOrdersRepository on FAILED_ORDERS_TABLE and ORDERS_TABLE. */
  failedOrders?: DeadLetterArchive;
  /** Default: an OrderEnqueuer that sends orders back to ORDER_QUEUE_URL. */
  queue?: OrderSender;
}

/**
 * The order_dlq consumer: records are triaged independently (see handleDeadLetter); failed ones are
 * reported as batch item failures, and a batch that failed entirely for an infrastructure reason
 * fails the invocation.
 */
export const createHandler = defineSqsHandler<typeof CONFIG_SPEC, HandlerDeps>({
  service: SERVICE,
  config: CONFIG_SPEC,
  build: ({ config, logger, metrics, now }, deps) => {
    const client = deps.orders && deps.failedOrders ? undefined : createDocumentClient();
    const orders = deps.orders ?? new OrdersRepository({ tableName: config.ordersTable, writer: SERVICE, ...(client ? { client } : {}) });
    const failedOrders =
      deps.failedOrders ?? new FailedOrdersRepository({ failedOrdersTable: config.failedOrdersTable, ordersTable: config.ordersTable, writer: SERVICE, ...(client ? { client } : {}) });
    const triage = {
      maxReceiveCount: config.maxReceiveCount,
      redriveBudget: config.redriveBudget,
      redriveDelaySeconds: config.redriveDelaySeconds,
      sendWithinSeconds: Math.ceil(worstCaseMs(SDK_BUDGETS.sqs) / 1000),
    };
    const queue = deps.queue ?? new OrderEnqueuer({ orderQueueUrl: config.orderQueueUrl });
    const recordDeps = { orders, failedOrders, queue, triage, logger, metrics, now };
    return { processRecord: (record) => handleDeadLetter(record, recordDeps) };
  },
});
