import { LOG_LEVEL_VAR, numberInRange, requiredString } from '@dofs/handler-kit';

/** The environment store-order reads once per cold start. */
export const CONFIG_SPEC = {
  ordersTable: requiredString('ORDERS_TABLE', 'the orders table name'),
  workflowTimeoutSeconds: numberInRange('WORKFLOW_TIMEOUT_SECONDS', "the workflow's own deadline: EnqueueOrder sends the order's message within it", {
    min: 1,
    max: 365 * 24 * 3600,
    fallback: 300,
  }),
  logLevel: LOG_LEVEL_VAR,
};
