import { LOG_LEVEL_VAR, requiredString } from '@dofs/handler-kit';

/** The environment dlq-handler reads once per cold start. */
export const CONFIG_SPEC = {
  ordersTable: requiredString('ORDERS_TABLE', 'the orders table name'),
  failedOrdersTable: requiredString('FAILED_ORDERS_TABLE', 'the failed_orders table name'),
  logLevel: LOG_LEVEL_VAR,
};
