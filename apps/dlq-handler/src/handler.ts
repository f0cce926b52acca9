import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createDocumentClient, FailedOrdersRepository, OrdersRepository } from '@dofs/ddb-repo';
import { injectLambdaContext, loadConfig, Logger, Metrics, processRecords, rethrowFullBatchFailure, SDK_BUDGETS, worstCaseMs, type LogSink } from '@dofs/handler-kit';
import { CONFIG_SPEC } from './config';
import { QueueClient } from '@dofs/queue-client';
import { handleDeadLetter, type DeadLetterArchive, type OrderSender, type OrdersReader } from './dead-letter';

export const SERVICE = 'dlq-handler';

export interface HandlerDeps {
  /** Default: OrdersRepository on ORDERS_TABLE. */
  orders?: OrdersReader;
  /** Default: FailedOrdersRepository on FAILED_ORDERS_TABLE and ORDERS_TABLE. */
  failedOrders?: DeadLetterArchive;
  /** Default: QueueClient (sends orders back to ORDER_QUEUE_URL). */
  queue?: OrderSender;
  env?: Record<string, string | undefined>;
  logSink?: LogSink;
  now?: () => Date;
}

/**
 * Builds the order_dlq consumer; configuration is read and checked here, once per cold start.
 * Records are triaged independently (see handleDeadLetter); failed ones are reported as batch item
 * failures, and a batch that failed entirely for an infrastructure reason fails the invocation.
 */
export function createHandler(deps: HandlerDeps = {}) {
  const config = loadConfig(CONFIG_SPEC, deps.env);
  const logger = new Logger({ service: SERVICE, level: config.logLevel, ...(deps.logSink ? { sink: deps.logSink } : {}) });
  const client = deps.orders && deps.failedOrders ? undefined : createDocumentClient();
  const orders = deps.orders ?? new OrdersRepository({ tableName: config.ordersTable, writer: SERVICE, ...(client ? { client } : {}) });
  const failedOrders =
    deps.failedOrders ?? new FailedOrdersRepository({ failedOrdersTable: config.failedOrdersTable, ordersTable: config.ordersTable, writer: SERVICE, ...(client ? { client } : {}) });
  const triage = {
    orderQueueUrl: config.orderQueueUrl,
    maxReceiveCount: config.maxReceiveCount,
    redriveBudget: config.redriveBudget,
    redriveDelaySeconds: config.redriveDelaySeconds,
    sendWithinSeconds: Math.ceil(worstCaseMs(SDK_BUDGETS.sqs) / 1000),
  };
  const now = deps.now ?? (() => new Date());
  const metrics = new Metrics(logger, now);
  const recordDeps = { orders, failedOrders, queue: deps.queue ?? new QueueClient(), triage, logger, metrics, now };
  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger))
    .use(rethrowFullBatchFailure())
    .use(sqsPartialBatchFailure({ logger: () => undefined }))
    .handler(async (event) => {
      try {
        return (await processRecords(event?.Records, (record) => handleDeadLetter(record, recordDeps), logger)) as unknown as SQSBatchResponse;
      } finally {
        metrics.flush();
      }
    });
}
