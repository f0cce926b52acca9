import { LOG_LEVEL_VAR, matchingString, numberInRange, oneOf, requiredString } from '@dofs/handler-kit';
import { AUTH_MODES } from './caller';

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
  // Unset means `jwt`: a deployment that forgets it stays closed.
  authMode: oneOf('AUTH_MODE', 'who may call: jwt (the claims of API Gateway\'s JWT authorizer) or none (an open local API)', AUTH_MODES, 'jwt'),
  logLevel: LOG_LEVEL_VAR,
};
