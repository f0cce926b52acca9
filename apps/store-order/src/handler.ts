import middy from '@middy/core';
import { OrdersRepository } from '@dofs/ddb-repo';
import { injectLambdaContext, loadConfig, Logger, Metrics, type LogSink } from '@dofs/handler-kit';
import { CONFIG_SPEC } from './config';
import { runStoreTask, type OrdersStore, type StoreTaskResult } from './store-order';

export const SERVICE = 'store-order';

export interface HandlerDeps {
  /** Default: OrdersRepository on ORDERS_TABLE. */
  orders?: OrdersStore;
  env?: Record<string, string | undefined>;
  logSink?: LogSink;
  now?: () => Date;
}

function executionField(event: unknown, name: string): string | undefined {
  const execution = event !== null && typeof event === 'object' ? (event as Record<string, unknown>)['execution'] : undefined;
  const value = execution !== null && typeof execution === 'object' ? (execution as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** Builds the StoreOrder task handler; configuration is read and checked here, once per cold start. */
export function createHandler(deps: HandlerDeps = {}) {
  const config = loadConfig(CONFIG_SPEC, deps.env);
  const logger = new Logger({ service: SERVICE, level: config.logLevel, ...(deps.logSink ? { sink: deps.logSink } : {}) });
  const now = deps.now ?? (() => new Date());
  const metrics = new Metrics(logger, now);
  const orders = deps.orders ?? new OrdersRepository({ tableName: config.ordersTable, writer: SERVICE, now });
  return middy<unknown, StoreTaskResult>()
    .use(
      injectLambdaContext(logger, {
        correlationId: (event) => executionField(event, 'correlation_id'),
        keys: (event) => ({
          order_id: executionField(event, 'order_id'),
          action: event !== null && typeof event === 'object' ? (event as Record<string, unknown>)['action'] : undefined,
        }),
      }),
    )
    .handler(async (event) => {
      try {
        return await runStoreTask(event, { orders, logger, metrics, now, enqueueWithinSeconds: config.enqueueWithinSeconds });
      } finally {
        metrics.flush();
      }
    });
}
