import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { localDynamoDbClient, localSqsClient } from './clients';
import { ensureQueues, type QueueUrls } from './queues';
import { ensureTables, type TableNames } from './tables';

/**
 * Helpers for tests that run under the local-aws jest preset and want tables or queues of their
 * own (e.g. a short visibility timeout, or nothing shared with other test files).
 *
 * They refuse to run without `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL_SQS`: a test must
 * never create resources in a real AWS account because the harness was not set up.
 */

function localEndpoint(variable: 'AWS_ENDPOINT_URL_DYNAMODB' | 'AWS_ENDPOINT_URL_SQS'): string {
  const endpoint = process.env[variable];
  if (!endpoint) {
    throw new Error(`${variable} is not set: run this test with the local-aws jest preset (libs/local-aws/jest.aws-preset.cjs)`);
  }
  return endpoint;
}

/** A DynamoDB client for the harness's DynamoDB Local. */
export function testDynamoDbClient(): DynamoDBClient {
  return localDynamoDbClient(localEndpoint('AWS_ENDPOINT_URL_DYNAMODB'));
}

/** An SQS client for the harness's SQS server. */
export function testSqsClient(): SQSClient {
  return localSqsClient(localEndpoint('AWS_ENDPOINT_URL_SQS'));
}

/** `<prefix>-<base36 time>-<random hex>`: valid as a table and as a queue name, unique per call. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Creates fresh, uniquely named orders / failed_orders / idempotency_keys tables and returns their names. */
export async function createTestTables(opts: { ddb?: DynamoDBClient; prefix?: string } = {}): Promise<TableNames> {
  const prefix = opts.prefix ?? 'test';
  const names = { orders: uniqueName(`${prefix}-orders`), failedOrders: uniqueName(`${prefix}-failed_orders`), idempotencyKeys: uniqueName(`${prefix}-idempotency_keys`) };
  const ddb = opts.ddb ?? testDynamoDbClient();
  try {
    await ensureTables(ddb, names);
  } finally {
    if (opts.ddb === undefined) ddb.destroy();
  }
  return names;
}

export interface TestQueuesOptions {
  sqs?: SQSClient;
  prefix?: string;
  /** Default: `settings.queues.maxReceiveCount`. */
  maxReceiveCount?: number;
  /** Default: `settings.queues.visibilityTimeoutSeconds`; tests usually want 1-2 s. */
  visibilityTimeoutSeconds?: number;
}

/** Creates a fresh, uniquely named order queue with its own dead-letter queue and redrive policy. */
export async function createTestQueues(opts: TestQueuesOptions = {}): Promise<QueueUrls & { orders: string; deadLetter: string }> {
  const prefix = opts.prefix ?? 'test';
  const names = { orders: uniqueName(`${prefix}-order_queue`), deadLetter: uniqueName(`${prefix}-order_dlq`) };
  const sqs = opts.sqs ?? testSqsClient();
  try {
    const urls = await ensureQueues(sqs, {
      ...names,
      ...(opts.maxReceiveCount === undefined ? {} : { maxReceiveCount: opts.maxReceiveCount }),
      ...(opts.visibilityTimeoutSeconds === undefined ? {} : { visibilityTimeoutSeconds: opts.visibilityTimeoutSeconds }),
    });
    return { ...names, ...urls };
  } finally {
    if (opts.sqs === undefined) sqs.destroy();
  }
}
