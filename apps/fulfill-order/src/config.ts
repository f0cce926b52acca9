import { LOG_LEVEL_VAR, numberInRange, requiredString } from '@dofs/handler-kit';

/** Default probability that a simulated fulfilment succeeds (DESIGN.md §3; infra/settings.json fulfillment.successRate). */
export const DEFAULT_SUCCESS_RATE = 0.7;

/** The environment fulfill-order reads once per cold start. */
export const CONFIG_SPEC = {
  ordersTable: requiredString('ORDERS_TABLE', 'the orders table name'),
  successRate: numberInRange('FULFILLMENT_SUCCESS_RATE', 'the probability that a simulated fulfilment succeeds', {
    min: 0,
    max: 1,
    fallback: DEFAULT_SUCCESS_RATE,
  }),
  maxReceiveCount: numberInRange('MAX_RECEIVE_COUNT', "order_queue's maxReceiveCount: the fulfilment attempts a round allows", { min: 1, max: 1000, fallback: 3 }),
  logLevel: LOG_LEVEL_VAR,
};
