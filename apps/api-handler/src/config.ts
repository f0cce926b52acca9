import { LOG_LEVEL_VAR, matchingString, numberInRange, requiredString } from '@dofs/handler-kit';

/** The environment api-handler reads once per cold start (docs/design.md "Handler bundles and environment"). */
export const CONFIG_SPEC = {
  ordersTable: requiredString('ORDERS_TABLE', 'the orders table name'),
  idempotencyTable: requiredString('IDEMPOTENCY_TABLE', 'the idempotency_keys table name'),
  idempotencyWindowSeconds: numberInRange('IDEMPOTENCY_WINDOW_SECONDS', 'how long an Idempotency-Key stands for its order, in seconds', {
    min: 60,
    max: 30 * 24 * 3600,
    fallback: 24 * 3600,
  }),
  stateMachineArn: matchingString(
    'STATE_MACHINE_ARN',
    'the order workflow state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)',
    /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_.-]{1,80}$/,
  ),
  logLevel: LOG_LEVEL_VAR,
};
