import { LOG_LEVEL_VAR, numberInRange, requiredString } from '@dofs/handler-kit';

/** The environment store-order reads once per cold start. */
export const CONFIG_SPEC = {
  ordersTable: requiredString('ORDERS_TABLE', 'the orders table name'),
  enqueueWithinSeconds: numberInRange('ENQUEUE_WITHIN_SECONDS', "EnqueueOrder, the next state, sends the order's message within this (its retries added up)", {
    min: 1,
    max: 3600,
    fallback: 30,
  }),
  logLevel: LOG_LEVEL_VAR,
};
