// The CloudWatch emulation inside the running stack (started in this process: DynamoDB Local, the SQS
// server, the built bundles): what the reconciler is given, GetMetricData through the variables
// the banner prints, and the back-dating of a message put back after the SQS server died.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { localDynamoDbClient } from '@dofs/local-aws';
import { StackLogger } from '../src/log';
import { startLocalStack, type LocalStack } from '../src/stack';
import { getOrder, postOrder, SAMPLE_ORDER, useToken } from './e2e/harness';

jest.setTimeout(180_000);

async function waitFor<T>(probe: () => Promise<T> | T, accept: (value: T) => boolean, what: string, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('CloudWatch emulation in the local stack', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dofs-cloudwatch-'));
  const fatal: Error[] = [];
  let stack: LocalStack;
  let cloudwatch: CloudWatchClient;

  /** order_queue's ApproximateAgeOfOldestMessage, Maximum per 1 s period, over the last `seconds`, newest first. */
  const orderQueueAges = async (seconds: number) => {
    const now = Date.now();
    const out = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(now - seconds * 1000),
        EndTime: new Date(now + 1000),
        MetricDataQueries: [
          {
            Id: 'orders',
            MetricStat: {
              Metric: { Namespace: 'AWS/SQS', MetricName: 'ApproximateAgeOfOldestMessage', Dimensions: [{ Name: 'QueueName', Value: stack.settings.queues.orders }] },
              Period: 1,
              Stat: 'Maximum',
            },
          },
        ],
      }),
    );
    return out.MetricDataResults?.[0]?.Values ?? [];
  };

  beforeAll(async () => {
    stack = await startLocalStack({
      dataDir,
      fresh: true,
      port: 0,
      dynamodbPort: 0,
      sqsPort: 0,
      sfnPort: 0,
      cloudwatchPort: 0,
      successRate: 1,
      visibilityTimeoutSeconds: 30,
      logger: new StackLogger({ out: { write: () => true }, color: false }),
      onFatal: (error) => fatal.push(error),
    });
    useToken(stack.apiUrl, await stack.auth.mintToken({ expiresInSeconds: 24 * 3600 }));
    const env = stack.clientEnv;
    cloudwatch = new CloudWatchClient({
      endpoint: env['AWS_ENDPOINT_URL_CLOUDWATCH'],
      region: env['AWS_REGION'],
      credentials: { accessKeyId: String(env['AWS_ACCESS_KEY_ID']), secretAccessKey: String(env['AWS_SECRET_ACCESS_KEY']) },
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    cloudwatch?.destroy();
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  afterEach(() => expect(fatal).toEqual([]));

  it('gives reconcile-orders the CloudWatch endpoint, both queue URLs, the workflow deadline and a 1 s metric period', () => {
    expect(stack.lambdas.get('reconcile-orders').config.environment).toMatchObject({
      AWS_ENDPOINT_URL_CLOUDWATCH: stack.endpoints.cloudwatch,
      ORDER_QUEUE_URL: stack.queueUrls.orderQueueUrl,
      ORDER_DLQ_URL: stack.queueUrls.deadLetterQueueUrl,
      WORKFLOW_TIMEOUT_SECONDS: String(stack.settings.workflow.timeoutSeconds),
      QUEUE_METRIC_PERIOD_SECONDS: '1',
    });
    expect(stack.lambdas.get('fulfill-order').config.environment).toMatchObject({ MAX_RECEIVE_COUNT: String(stack.settings.queues.maxReceiveCount) });
    expect(stack.clientEnv['AWS_ENDPOINT_URL_CLOUDWATCH']).toBe(stack.endpoints.cloudwatch);
  });

  it('answers 0 for the empty order_queue, sampled every second', async () => {
    const ages = await waitFor(() => orderQueueAges(10), (values) => values.length >= 2, 'two samples of order_queue');
    expect(ages.every((age) => age === 0)).toBe(true);
  });

  it('back-dates a message put back after the SQS server died to the order\'s dispatch, so its age runs on', async () => {
    // fulfill-order fails every delivery: the message stays (in flight, then visible) and the order PENDING.
    const removeFault = stack.faults.injectLambda({ functionName: 'fulfill-order', action: 'error' });
    try {
      const placed = await postOrder(stack.apiUrl, { ...SAMPLE_ORDER, customer_id: 'c-aged' });
      expect(placed.status).toBe(202);
      const orderId = String(placed.body.order_id);
      await waitFor(() => stack.faults.injected.get('fulfill-order:error') ?? 0, (n) => n >= 1, 'the failed delivery');
      expect((await getOrder(stack.apiUrl, orderId)).body.status).toBe('PENDING');
      const youngAges = await orderQueueAges(5);
      expect(Math.max(...youngAges)).toBeLessThan(600);

      // The order says its message was sent ten minutes ago.
      const dispatchedAt = Date.now() - 600_000;
      const ddb = DynamoDBDocumentClient.from(localDynamoDbClient(stack.endpoints.dynamodb));
      try {
        await ddb.send(
          new UpdateCommand({
            TableName: stack.settings.tables.orders,
            Key: { order_id: orderId },
            UpdateExpression: 'SET #d = :d',
            ExpressionAttributeNames: { '#d': 'dispatch' },
            ExpressionAttributeValues: { ':d': { seq: 1, at: new Date(dispatchedAt).toISOString(), by: 'test' } },
          }),
        );
      } finally {
        ddb.destroy();
      }

      await stack.faults.killSqs();
      await stack.supervision.idle();
      expect(stack.supervision.restarts.get('SQS server')).toBe(1);
      const [restored] = stack.queueAges().filter((q) => q.queueName === stack.settings.queues.orders);
      expect(restored?.messages).toBe(1);
      expect(restored?.ageOfOldestMessageSeconds).toBeGreaterThanOrEqual(600);
      const ages = await waitFor(() => orderQueueAges(3), (values) => values.some((age) => age >= 600), 'a sample of the back-dated message');
      expect(Math.max(...ages)).toBeLessThan(600 + 180);
    } finally {
      removeFault();
    }
  });
});
