import { LOG_LEVEL_VAR, requiredString } from '@dofs/handler-kit';

/** The environment store-order reads once per cold start. */
export const CONFIG_SPEC = {
  ordersTable: requiredString('ORDERS_TABLE', 'the orders table name'),
  logLevel: LOG_LEVEL_VAR,
};
