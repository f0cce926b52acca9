/** The region and account the local stack pretends to be (any value works locally; these are AWS's documented placeholders). */
export const REGION = 'us-east-1';
/** The local SQS server's account too, so queue URLs and ARNs agree with every other ARN. */
export { LOCAL_ACCOUNT_ID as ACCOUNT_ID } from '@dofs/local-aws';
/** Loopback only: nothing of the local stack listens on other interfaces (DynamoDB Local excepted, see README). */
export const HOST = '127.0.0.1';
/** The six functions, in the order of the order flow (the scheduled reconciler last). */
export const FUNCTION_NAMES = ['api-handler', 'validate-order', 'store-order', 'fulfill-order', 'dlq-handler', 'reconcile-orders'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];
/** The state machine's name (Terraform may prefix it per environment; locally it is the base name). */
export const STATE_MACHINE_NAME = 'order-workflow';
/** The workflow type when none is asked for: dev's default (`state_machine_type` in infra/envs/dev; a drift test checks it). */
export const DEFAULT_WORKFLOW_TYPE = 'EXPRESS';
