import { HARNESS_ENV, UNAVAILABLE_ENDPOINT } from './constants';
import { localDynamoDbClient, localSqsClient } from './clients';
import { startDynamoDbLocal, type RunningDynamoDbLocal } from './dynamodb-local';
import { localAwsEnv } from './env';
import { ensureQueues } from './queues';
import { settings } from './settings';
import { startSqsServer, type RunningSqsServer } from './sqs-server';
import { ensureTables } from './tables';

export interface LocalAwsOptions {
  /** Start DynamoDB Local and create the tables. Default true. */
  dynamodb?: boolean;
  /** Start the SQS server and create the queues. Default true. */
  sqs?: boolean;
  /** Persist DynamoDB under this folder instead of in memory. */
  dbPath?: string;
}

export interface LocalAws {
  /** Endpoints, region, dummy credentials, table names and queue URLs, as environment variables. */
  env: Record<string, string>;
  dynamodb?: RunningDynamoDbLocal;
  sqs?: RunningSqsServer;
  /** Stops every server started here. */
  stop(): Promise<void>;
}

/**
 * Starts the local servers (DynamoDB Local and SQS, in parallel), creates the tables and queues
 * from `infra/settings.json` and returns the environment that points the SDK at them.
 */
export async function startLocalAws(opts: LocalAwsOptions = {}): Promise<LocalAws> {
  const wantDynamoDb = opts.dynamodb ?? true;
  const wantSqs = opts.sqs ?? true;
  const [dynamodb, sqs] = await Promise.allSettled([
    wantDynamoDb ? startDynamoDbLocal(opts.dbPath === undefined ? {} : { dbPath: opts.dbPath }) : Promise.resolve(undefined),
    wantSqs ? startSqsServer() : Promise.resolve(undefined),
  ]);
  const started = [dynamodb, sqs].flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value] : []));
  const stop = async (): Promise<void> => {
    await Promise.all(started.map((server) => server.stop()));
  };
  try {
    if (dynamodb.status === 'rejected') throw dynamodb.reason;
    if (sqs.status === 'rejected') throw sqs.reason;
    // No CloudWatch here (the local stack has the emulation): a stray GetMetricData fails at once, never reaching AWS.
    const env = localAwsEnv({
      dynamodb: dynamodb.value?.endpoint ?? UNAVAILABLE_ENDPOINT,
      sqs: sqs.value?.endpoint ?? UNAVAILABLE_ENDPOINT,
      cloudwatch: UNAVAILABLE_ENDPOINT,
    });
    if (dynamodb.value) {
      const ddb = localDynamoDbClient(dynamodb.value.endpoint);
      try {
        await ensureTables(ddb);
      } finally {
        ddb.destroy();
      }
      env[HARNESS_ENV.ordersTable] = settings.tables.orders;
      env[HARNESS_ENV.failedOrdersTable] = settings.tables.failedOrders;
      env[HARNESS_ENV.idempotencyTable] = settings.tables.idempotencyKeys;
    }
    if (sqs.value) {
      const client = localSqsClient(sqs.value.endpoint);
      try {
        const urls = await ensureQueues(client);
        env[HARNESS_ENV.orderQueueUrl] = urls.orderQueueUrl;
        env[HARNESS_ENV.orderDeadLetterQueueUrl] = urls.deadLetterQueueUrl;
      } finally {
        client.destroy();
      }
    }
    return { env, ...(dynamodb.value ? { dynamodb: dynamodb.value } : {}), ...(sqs.value ? { sqs: sqs.value } : {}), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
