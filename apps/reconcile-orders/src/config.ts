import { LOG_LEVEL_VAR, matchingString, numberInRange, requiredString } from '@dofs/handler-kit';

/** Defaults from infra/settings.json `reconciler` (Terraform and the local stack always set them). */
export const DEFAULTS = {
  receivedAfterSeconds: 300,
  /** maxReceiveCount (3) x visibility timeout (60 s) + margin (120 s). */
  stalledAfterSeconds: 300,
  maxRedrives: 3,
  maxOrdersPerRun: 5000,
  workflowTimeoutSeconds: 300,
  queueMetricPeriodSeconds: 60,
} as const;

/** The environment reconcile-orders reads once per cold start (docs/design.md "Reconciler"). */
export const CONFIG_SPEC = {
  ordersTable: requiredString('ORDERS_TABLE', 'the orders table name'),
  failedOrdersTable: requiredString('FAILED_ORDERS_TABLE', 'the failed_orders table name'),
  idempotencyTable: requiredString('IDEMPOTENCY_TABLE', 'the idempotency_keys table name'),
  idempotencyWindowSeconds: numberInRange('IDEMPOTENCY_WINDOW_SECONDS', 'how long an Idempotency-Key stands for its order, in seconds', {
    min: 60,
    max: 30 * 24 * 3600,
    fallback: 24 * 3600,
  }),
  orderQueueUrl: requiredString('ORDER_QUEUE_URL', 'the order_queue URL'),
  deadLetterQueueUrl: requiredString('ORDER_DLQ_URL', 'the order_dlq URL (read, with order_queue, to tell a queued order from a lost one)'),
  workflowTimeoutSeconds: numberInRange('WORKFLOW_TIMEOUT_SECONDS', "the workflow's own deadline: no execution outlives it", {
    min: 1,
    max: 365 * 24 * 3600,
    fallback: DEFAULTS.workflowTimeoutSeconds,
  }),
  queueMetricPeriodSeconds: numberInRange('QUEUE_METRIC_PERIOD_SECONDS', "the period of the queues' ApproximateAgeOfOldestMessage datapoints", {
    min: 1,
    max: 3600,
    fallback: DEFAULTS.queueMetricPeriodSeconds,
  }),
  stateMachineArn: matchingString(
    'STATE_MACHINE_ARN',
    'the order workflow state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)',
    /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_.-]{1,80}$/,
  ),
  receivedAfterSeconds: numberInRange('RECEIVED_AFTER_SECONDS', 'seconds a RECEIVED order goes without a write before the reconciler looks at whether its workflow can still run', {
    min: 1,
    max: 7 * 24 * 3600,
    fallback: DEFAULTS.receivedAfterSeconds,
  }),
  stalledAfterSeconds: numberInRange('STALLED_AFTER_SECONDS', 'seconds a PENDING or RETRYING order goes without a write before the reconciler looks at whether its message still exists', {
    min: 1,
    max: 7 * 24 * 3600,
    fallback: DEFAULTS.stalledAfterSeconds,
  }),
  maxRedrives: numberInRange('MAX_REDRIVES', 're-drives of one order before the reconciler sets it FAILED', { min: 0, max: 100, fallback: DEFAULTS.maxRedrives }),
  maxOrdersPerRun: numberInRange('MAX_ORDERS_PER_RUN', 'open-orders index keys one run looks at, at most (shared fairly among the shards)', { min: 1, max: 100_000, fallback: DEFAULTS.maxOrdersPerRun }),
  logLevel: LOG_LEVEL_VAR,
};
