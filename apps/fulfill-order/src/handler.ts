import { DuplicateAttemptError, OrdersRepository } from '@dofs/ddb-repo';
import { type HandlerOverrides } from '@dofs/handler-kit';
import { defineSqsHandler } from '@dofs/handler-kit/handler';
import { MalformedMessageError } from '@dofs/queue-client';
import { CONFIG_SPEC } from './config';
import { AttemptsUsedUpError, FulfilmentFailedError, StatusRaceError, UnknownOrderError } from './errors';
import { fulfilRecord, type OrdersStore } from './fulfill-order';

export const SERVICE = 'fulfill-order';

export interface HandlerDeps extends HandlerOverrides {
  /** The random source of the simulated fulfilment, [0, 1). Default Math.random. */
  random?: () => number;
  /** Default: OrdersRepository on ORDERS_TABLE. */
  orders?: OrdersStore;
}

/** Failures that are about the record (a failed attempt, a bad or unknown message), not about DynamoDB or us. */
function isRecordFailure(error: unknown): boolean {
  return [FulfilmentFailedError, UnknownOrderError, StatusRaceError, DuplicateAttemptError, AttemptsUsedUpError, MalformedMessageError].some((type) => error instanceof type);
}

/** The order_queue consumer: each record on its own (see fulfilRecord); only the failed ones return to the queue. */
export const createHandler = defineSqsHandler<typeof CONFIG_SPEC, HandlerDeps>({
  service: SERVICE,
  config: CONFIG_SPEC,
  build: ({ config, logger, metrics, now }, deps) => {
    const orders = deps.orders ?? new OrdersRepository({ tableName: config.ordersTable, writer: SERVICE });
    const recordDeps = { orders, logger, successRate: config.successRate, attemptsPerRound: Math.floor(config.maxReceiveCount), random: deps.random ?? Math.random, metrics, now };
    return { processRecord: (record) => fulfilRecord(record, recordDeps), isRecordFailure };
  },
});
