import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createDocumentClient, FailedOrdersRepository, OrdersRepository } from '@dofs/ddb-repo';
import { injectLambdaContext, loadConfig, Logger, processRecords, type LogSink } from '@dofs/handler-kit';
import { CONFIG_SPEC } from './config';
import { archiveDeadLetter, type DeadLetterArchive, type OrdersReader } from './dead-letter';

export const SERVICE = 'dlq-handler';

export interface HandlerDeps {
  /** Default: OrdersRepository on ORDERS_TABLE. */
  orders?: OrdersReader;
  /** Default: FailedOrdersRepository on FAILED_ORDERS_TABLE and ORDERS_TABLE. */
  failedOrders?: DeadLetterArchive;
  env?: Record<string, string | undefined>;
  logSink?: LogSink;
  now?: () => Date;
}

/**
 * Builds the order_dlq consumer; configuration is read and checked here, once per cold start.
 * Records are archived independently; failed ones are reported as batch item failures.
 */
export function createHandler(deps: HandlerDeps = {}) {
  const config = loadConfig(CONFIG_SPEC, deps.env);
  const logger = new Logger({ service: SERVICE, level: config.logLevel, ...(deps.logSink ? { sink: deps.logSink } : {}) });
  const client = deps.orders && deps.failedOrders ? undefined : createDocumentClient();
  const orders = deps.orders ?? new OrdersRepository({ tableName: config.ordersTable, writer: SERVICE, ...(client ? { client } : {}) });
  const failedOrders =
    deps.failedOrders ?? new FailedOrdersRepository({ failedOrdersTable: config.failedOrdersTable, ordersTable: config.ordersTable, writer: SERVICE, ...(client ? { client } : {}) });
  const recordDeps = { orders, failedOrders, logger, now: deps.now ?? (() => new Date()) };
  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger))
    .use(sqsPartialBatchFailure({ logger: () => undefined }))
    .handler(async (event) => (await processRecords(event?.Records, (record) => archiveDeadLetter(record, recordDeps), logger)) as unknown as SQSBatchResponse);
}
