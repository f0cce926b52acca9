import middy from '@middy/core';
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DuplicateAttemptError, OrdersRepository } from '@dofs/ddb-repo';
import { MalformedMessageError } from '@dofs/queue-client';
import { AttemptsUsedUpError, FulfilmentFailedError, StatusRaceError, UnknownOrderError } from './errors';
import { injectLambdaContext, loadConfig, Logger, Metrics, processRecords, rethrowFullBatchFailure, type LogSink } from '@dofs/handler-kit';
import { CONFIG_SPEC } from './config';
import { fulfilRecord, type OrdersStore } from './fulfill-order';

export const SERVICE = 'fulfill-order';

export interface HandlerDeps {
  /** The random source of the simulated fulfilment, [0, 1). Default Math.random. */
  random?: () => number;
  /** Default: OrdersRepository on ORDERS_TABLE. */
  orders?: OrdersStore;
  env?: Record<string, string | undefined>;
  logSink?: LogSink;
  /** The clock of IntakeToTerminalMs; injectable for tests. */
  now?: () => Date;
}

/**
 * Builds the order_queue consumer. Each record is processed on its own (see fulfilRecord); the
 * partial-batch middleware turns the failed ones into `batchItemFailures`, so only they return
 * to the queue. Configuration is read and checked here, once per cold start.
 */
/** Failures that are about the record (a failed attempt, a bad or unknown message), not about DynamoDB or us. */
function isRecordFailure(error: unknown): boolean {
  return [FulfilmentFailedError, UnknownOrderError, StatusRaceError, DuplicateAttemptError, AttemptsUsedUpError, MalformedMessageError].some((type) => error instanceof type);
}

export function createHandler(deps: HandlerDeps = {}) {
  const config = loadConfig(CONFIG_SPEC, deps.env);
  const logger = new Logger({ service: SERVICE, level: config.logLevel, ...(deps.logSink ? { sink: deps.logSink } : {}) });
  const orders = deps.orders ?? new OrdersRepository({ tableName: config.ordersTable, writer: SERVICE });
  const random = deps.random ?? Math.random;
  const now = deps.now ?? (() => new Date());
  const metrics = new Metrics(logger, now);
  const recordDeps = { orders, logger, successRate: config.successRate, attemptsPerRound: Math.floor(config.maxReceiveCount), random, metrics, now };
  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger))
    .use(rethrowFullBatchFailure())
    .use(sqsPartialBatchFailure({ logger: () => undefined }))
    .handler(async (event) => {
      try {
        return (await processRecords(event?.Records, (record) => fulfilRecord(record, recordDeps), logger, { isRecordFailure })) as unknown as SQSBatchResponse;
      } finally {
        metrics.flush();
      }
    });
}
