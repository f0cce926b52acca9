import { LOG_LEVEL_VAR, numberInRange, requiredString } from '@dofs/handler-kit';

/** The environment dlq-handler reads once per cold start. */
export const CONFIG_SPEC = {
  ordersTable: requiredString('ORDERS_TABLE', 'the orders table name'),
  failedOrdersTable: requiredString('FAILED_ORDERS_TABLE', 'the failed_orders table name'),
  orderQueueUrl: requiredString('ORDER_QUEUE_URL', 'the order_queue URL, where orders whose processing failed go back'),
  maxReceiveCount: numberInRange('MAX_RECEIVE_COUNT', "order_queue's maxReceiveCount (fulfilment attempts per round)", { min: 1, max: 1000, fallback: 3 }),
  redriveBudget: numberInRange('DLQ_REDRIVE_BUDGET', 'how often an order whose processing failed goes back to order_queue before it is FAILED', {
    min: 0,
    max: 100,
    fallback: 3,
  }),
  redriveDelaySeconds: numberInRange('DLQ_REDRIVE_DELAY_SECONDS', 'delay of the first send back; it doubles each time, up to 900', { min: 0, max: 900, fallback: 60 }),
  logLevel: LOG_LEVEL_VAR,
};
