/** Region every local client and server uses. The local servers only echo it in ARNs. */
export const LOCAL_REGION = 'us-east-1';

/** Account every local server puts in ARNs and queue URLs (AWS's documented placeholder; the local stack's too). */
export const LOCAL_ACCOUNT_ID = '000000000000';

/**
 * Credentials for the local servers. They check only that a request is signed, not by whom;
 * fixed dummies keep a developer's real credentials out of local traffic.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** Every local server is addressed on loopback only. */
export const LOOPBACK_HOST = '127.0.0.1';

/** DynamoDB Local needs a class-file version only Java 17+ reads. */
export const MIN_JAVA_MAJOR_VERSION = 17;

/** How long DynamoDB Local may take to answer its first request. It takes 3-10 s on a quiet machine. */
export const DYNAMODB_STARTUP_TIMEOUT_MS = 60_000;

/** Pause between readiness probes while DynamoDB Local starts. */
export const DYNAMODB_READY_POLL_MS = 100;

/** How long a stopped server's JVM may take to exit after SIGTERM before it gets SIGKILL. */
export const STOP_GRACE_MS = 5_000;

/** How often a fresh port is tried when DynamoDB Local finds the chosen one taken meanwhile. */
export const PORT_RETRIES = 3;

/** How often `restart()` tries the same port again while the previous JVM's socket is released. */
export const RESTART_PORT_ATTEMPTS = 20;

/** Pause between those attempts. */
export const RESTART_PORT_PAUSE_MS = 100;

/** Bytes of a server's recent output kept for error messages. */
export const OUTPUT_TAIL_BYTES = 8 * 1024;

/**
 * Environment variables the jest harness sets for tests and the processes they start. The
 * handler variables match docs/design.md; the endpoints are the SDK's standard overrides.
 */
export const HARNESS_ENV = {
  ordersTable: 'ORDERS_TABLE',
  failedOrdersTable: 'FAILED_ORDERS_TABLE',
  idempotencyTable: 'IDEMPOTENCY_TABLE',
  orderQueueUrl: 'ORDER_QUEUE_URL',
  orderDeadLetterQueueUrl: 'ORDER_DLQ_URL',
} as const;

/**
 * Endpoint given for a service the harness was told not to start: nothing listens there, so a
 * stray call fails at once instead of reaching a real AWS account.
 */
export const UNAVAILABLE_ENDPOINT = 'http://127.0.0.1:9';

/** `globalThis` key under which jest global setup leaves the running servers for global teardown (same process). */
export const HARNESS_GLOBAL_KEY = '__DOFS_LOCAL_AWS__';
