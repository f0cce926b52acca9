import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, ListTablesCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  createTestTables,
  ensureQueues,
  ensureTables,
  freePort,
  guardedPids,
  LOCAL_REGION,
  localAwsEnv,
  localDynamoDbClient,
  localSqsClient,
  settings,
  startDynamoDbLocal,
  startSqsServer,
  withDefaultJavaOption,
  type RunningDynamoDbLocal,
  type RunningServer,
} from '../src';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('DynamoDB Local (persisted under a folder)', () => {
  let dbPath: string;
  let server: RunningDynamoDbLocal;
  let ddb: DynamoDBClient;

  beforeAll(async () => {
    dbPath = await mkdtemp(join(tmpdir(), 'dofs-ddb-'));
    server = await startDynamoDbLocal({ dbPath });
    ddb = localDynamoDbClient(server.endpoint);
  });

  afterAll(async () => {
    ddb?.destroy();
    await server?.stop();
    await rm(dbPath, { recursive: true, force: true });
  });

  // Linux only: the JVM's environment as the kernel holds it.
  (existsSync('/proc/self/environ') ? it : it.skip)('starts the JVM told it has one processor (no lock spinning, serial GC), as JDK_JAVA_OPTIONS says', () => {
    const environ = readFileSync(`/proc/${server.pid}/environ`, 'utf8').split('\0');
    expect(environ.find((entry) => entry.startsWith('JDK_JAVA_OPTIONS='))).toMatch(/-XX:ActiveProcessorCount=1\b/);
  });

  it('serves on loopback and reports its pid and start time', () => {
    expect(server.endpoint).toBe(`http://127.0.0.1:${server.port}`);
    expect(isAlive(server.pid)).toBe(true);
    expect(guardedPids()).toContain(server.pid);
    expect(server.startupMs).toBeGreaterThan(0);
  });

  it('refuses a port another server already holds instead of probing that server', async () => {
    await expect(startDynamoDbLocal({ port: server.port })).rejects.toThrow(/port \d+ is already in use/);
  });

  it('creates the tables from settings, keyed by order_id, and a second call changes nothing', async () => {
    await ensureTables(ddb);
    await ensureTables(ddb);
    for (const name of [settings.tables.orders, settings.tables.failedOrders]) {
      const { Table } = await ddb.send(new DescribeTableCommand({ TableName: name }));
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.KeySchema).toEqual([{ AttributeName: 'order_id', KeyType: 'HASH' }]);
    }
  });

  it('creates tables under given names', async () => {
    await ensureTables(ddb, { orders: 'other_orders', failedOrders: 'other_failed', idempotencyKeys: 'other_keys' });
    const { TableNames } = await ddb.send(new ListTablesCommand({}));
    expect(TableNames).toEqual(expect.arrayContaining(['other_orders', 'other_failed', 'other_keys']));
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: 'other_orders' }));
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual(['open-orders']);
    expect(Table?.GlobalSecondaryIndexes?.[0]?.KeySchema).toEqual([
      { AttributeName: 'open_shard', KeyType: 'HASH' },
      { AttributeName: 'open_since', KeyType: 'RANGE' },
    ]);
  });

  it('refuses a table kept with an open-orders index of an older key schema, naming --fresh', async () => {
    await ddb.send(
      new CreateTableCommand({
        TableName: 'older_orders',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'order_id', AttributeType: 'S' },
          { AttributeName: 'open_shard', AttributeType: 'S' },
          { AttributeName: 'updated_at', AttributeType: 'S' },
        ],
        KeySchema: [{ AttributeName: 'order_id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'open-orders',
            KeySchema: [
              { AttributeName: 'open_shard', KeyType: 'HASH' },
              { AttributeName: 'updated_at', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
        ],
      }),
    );
    await expect(ensureTables(ddb, { orders: 'older_orders', failedOrders: 'older_failed', idempotencyKeys: 'older_keys' })).rejects.toThrow(
      /older_orders has the open-orders index of an older version \(keys open_shard, updated_at\): start the local stack with --fresh/,
    );
  });

  it('createTestTables makes a uniquely named pair on the harness endpoint', async () => {
    process.env['AWS_ENDPOINT_URL_DYNAMODB'] = server.endpoint;
    try {
      const names = await createTestTables({ prefix: 'spec' });
      expect(names.orders).toMatch(/^spec-orders-/);
      const { TableNames } = await ddb.send(new ListTablesCommand({}));
      expect(TableNames).toEqual(expect.arrayContaining([names.orders, names.failedOrders]));
    } finally {
      delete process.env['AWS_ENDPOINT_URL_DYNAMODB'];
    }
  });

  it('stops the JVM, keeps the data on disk for the next start, and stop() is idempotent', async () => {
    const pid = server.pid;
    await server.stop();
    await server.stop();
    expect(isAlive(pid)).toBe(false);
    expect(guardedPids()).not.toContain(pid);

    server = await startDynamoDbLocal({ dbPath });
    ddb.destroy();
    ddb = localDynamoDbClient(server.endpoint);
    const { TableNames } = await ddb.send(new ListTablesCommand({}));
    expect(TableNames).toEqual(expect.arrayContaining([settings.tables.orders, 'other_orders']));
  });
});

describe('SQS server', () => {
  let server: RunningServer;
  let sqs: SQSClient;

  beforeAll(async () => {
    server = await startSqsServer();
    sqs = localSqsClient(server.endpoint);
  });

  afterAll(async () => {
    sqs?.destroy();
    await server?.stop();
  });

  it('creates the queues from settings with the redrive policy, idempotently', async () => {
    const first = await ensureQueues(sqs);
    const second = await ensureQueues(sqs);
    expect(second).toEqual(first);
    expect(first.orderQueueUrl).toBe(`${server.endpoint}/000000000000/${settings.queues.orders}`);

    const { Attributes: dlq } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: first.deadLetterQueueUrl, AttributeNames: ['All'] }));
    const { Attributes: queue } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: first.orderQueueUrl, AttributeNames: ['All'] }));
    expect(queue?.['VisibilityTimeout']).toBe(String(settings.queues.visibilityTimeoutSeconds));
    expect(queue?.['MessageRetentionPeriod']).toBe(String(settings.queues.messageRetentionSeconds));
    expect(dlq?.['MessageRetentionPeriod']).toBe(String(settings.queues.deadLetterRetentionSeconds));
    // The local stack's account (apps/local-stack ACCOUNT_ID), not the package's default 123456789012.
    expect(dlq?.['QueueArn']).toBe(`arn:aws:sqs:${LOCAL_REGION}:000000000000:${settings.queues.deadLetter}`);
    expect(JSON.parse(queue?.['RedrivePolicy'] ?? '{}')).toEqual({
      deadLetterTargetArn: dlq?.['QueueArn'],
      maxReceiveCount: settings.queues.maxReceiveCount,
    });
  });

  it('brings an existing queue to overridden settings', async () => {
    const names = { orders: 'converge_queue', deadLetter: 'converge_dlq' };
    await ensureQueues(sqs, names);
    const { orderQueueUrl } = await ensureQueues(sqs, { ...names, maxReceiveCount: 2, visibilityTimeoutSeconds: 1 });
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: orderQueueUrl, AttributeNames: ['All'] }));
    expect(Attributes?.['VisibilityTimeout']).toBe('1');
    expect(JSON.parse(Attributes?.['RedrivePolicy'] ?? '{}')).toMatchObject({ maxReceiveCount: 2 });
  });

  it('rejects a port that is taken instead of crashing the process', async () => {
    await expect(startSqsServer({ port: server.port })).rejects.toThrow(/SQS server did not start/);
  });
});

describe('freePort and localAwsEnv', () => {
  it('finds a port that can be bound on loopback', async () => {
    const port = await freePort();
    const probe = createServer();
    await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise((resolve) => probe.close(resolve));
  });

  it('points the SDK at local endpoints with dummy credentials', () => {
    expect(localAwsEnv({ dynamodb: 'http://127.0.0.1:1', sqs: 'http://127.0.0.1:2', sfn: 'http://127.0.0.1:3' })).toEqual({
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1',
      AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:2',
      AWS_ENDPOINT_URL_SFN: 'http://127.0.0.1:3',
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    expect(localAwsEnv({ dynamodb: 'a', sqs: 'b' })).not.toHaveProperty('AWS_ENDPOINT_URL_SFN');
    expect(localAwsEnv({ dynamodb: 'a', sqs: 'b', cloudwatch: 'http://127.0.0.1:4' })).toMatchObject({ AWS_ENDPOINT_URL_CLOUDWATCH: 'http://127.0.0.1:4' });
  });
});

describe('withDefaultJavaOption', () => {
  it('appends the flag, or keeps a value that already sets the option', () => {
    expect(withDefaultJavaOption(undefined, 'ActiveProcessorCount', '-XX:ActiveProcessorCount=1')).toBe('-XX:ActiveProcessorCount=1');
    expect(withDefaultJavaOption(' -Xmx512m ', 'ActiveProcessorCount', '-XX:ActiveProcessorCount=1')).toBe('-Xmx512m -XX:ActiveProcessorCount=1');
    expect(withDefaultJavaOption('-XX:ActiveProcessorCount=4', 'ActiveProcessorCount', '-XX:ActiveProcessorCount=1')).toBe('-XX:ActiveProcessorCount=4');
  });
});
