import { OrdersRepository } from '@dofs/ddb-repo';
import { type HandlerOverrides } from '@dofs/handler-kit';
import { defineHandler } from '@dofs/handler-kit/handler';
import { CONFIG_SPEC } from './config';
import { runStoreTask, type OrdersStore, type StoreTaskResult } from './store-order';

export const SERVICE = 'store-order';

export interface HandlerDeps extends HandlerOverrides {
  /** Default: OrdersRepository on ORDERS_TABLE. */
  orders?: OrdersStore;
}

function executionField(event: unknown, name: string): string | undefined {
  const execution = event !== null && typeof event === 'object' ? (event as Record<string, unknown>)['execution'] : undefined;
  const value = execution !== null && typeof execution === 'object' ? (execution as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** The StoreOrder, StoreRejectedOrder and MarkOrderFailed task handler. */
export const createHandler = defineHandler<typeof CONFIG_SPEC, HandlerDeps, unknown, StoreTaskResult>({
  service: SERVICE,
  config: CONFIG_SPEC,
  keys: {
    correlationId: (event) => executionField(event, 'correlation_id'),
    keys: (event) => ({
      order_id: executionField(event, 'order_id'),
      action: event !== null && typeof event === 'object' ? (event as Record<string, unknown>)['action'] : undefined,
    }),
  },
  build: ({ config, logger, metrics, now }, deps) => {
    const orders = deps.orders ?? new OrdersRepository({ tableName: config.ordersTable, writer: SERVICE, now });
    return async (event) => runStoreTask(event, { orders, logger, metrics, now, enqueueWithinSeconds: config.enqueueWithinSeconds });
  },
});
