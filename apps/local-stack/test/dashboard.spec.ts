// The dashboard's data against DynamoDB Local and the local SQS server (libs/local-aws): open
// statuses counted through the open-orders index and a re-read, terminal ones by the local Scan, queue depths,
// the latest failures first, executions newest first.
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ensureQueues, localDynamoDbClient, localSqsClient, settings, startLocalAws, type LocalAws } from '@dofs/local-aws';
import { openIndexKey } from '@dofs/order-domain';
import { readDashboardData } from '../src/dashboard';
import type { Execution } from '../src/sfn/service';
import { must } from './helpers';

jest.setTimeout(120_000);

const orderId = (n: number) => `ord_${n.toString(16).padStart(32, '0')}`;

describe('dashboard data', () => {
  let aws: LocalAws;
  let ddb: DynamoDBDocumentClient;
  let sqs: ReturnType<typeof localSqsClient>;

  beforeAll(async () => {
    aws = await startLocalAws();
    ddb = DynamoDBDocumentClient.from(localDynamoDbClient(must(aws.dynamodb).endpoint));
    sqs = localSqsClient(must(aws.sqs).endpoint);
  });

  afterAll(async () => {
    ddb?.destroy();
    sqs?.destroy();
    await aws?.stop();
  });

  it('counts orders by status, reads the queue depths and lists the latest failures and executions', async () => {
    const statuses = ['RECEIVED', 'PENDING', 'PENDING', 'RETRYING', 'RETRYING', 'RETRYING', 'FULFILLED', 'FULFILLED', 'FAILED', 'REJECTED'];
    let n = 0;
    for (const status of statuses) {
      const id = orderId((n += 1));
      const open = !['FULFILLED', 'FAILED', 'REJECTED'].includes(status);
      await ddb.send(
        new PutCommand({
          TableName: settings.tables.orders,
          Item: { order_id: id, status, updated_at: `2026-01-01T00:00:${String(n).padStart(2, '0')}.000Z`, ...(open ? openIndexKey(id, '2026-01-01T00:00:00.000Z') : {}) },
        }),
      );
    }
    for (let i = 0; i < 12; i += 1) {
      await ddb.send(
        new PutCommand({
          TableName: settings.tables.failedOrders,
          Item: { order_id: orderId(100 + i), reason: `reason ${i}`, failed_at: `2026-01-01T00:01:${String(i).padStart(2, '0')}.000Z`, attempts: 3 },
        }),
      );
    }
    const urls = await ensureQueues(sqs);
    await sqs.send(new SendMessageCommand({ QueueUrl: urls.orderQueueUrl, MessageBody: '{}' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: urls.orderQueueUrl, MessageBody: '{}' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: urls.deadLetterQueueUrl, MessageBody: '{}' }));
    const executions = [
      { name: 'old', status: 'SUCCEEDED', startDate: Date.UTC(2026, 0, 1), stopDate: Date.UTC(2026, 0, 1, 0, 0, 1) },
      { name: 'new', status: 'RUNNING', startDate: Date.UTC(2026, 0, 2) },
    ] as Execution[];

    const data = await readDashboardData({
      ddb,
      tables: settings.tables,
      sqs,
      queues: { order_queue: urls.orderQueueUrl, order_dlq: urls.deadLetterQueueUrl, order_dlq_parking: urls.parkingQueueUrl },
      executions: () => executions,
    });

    expect(data.errors).toEqual([]);
    expect(data.orders).toEqual({ RECEIVED: 1, PENDING: 2, RETRYING: 3, FULFILLED: 2, FAILED: 1, REJECTED: 1 });
    expect(data.queues).toEqual([
      { name: 'order_queue', visible: 2, inFlight: 0 },
      { name: 'order_dlq', visible: 1, inFlight: 0 },
      { name: 'order_dlq_parking', visible: 0, inFlight: 0 },
    ]);
    expect(data.failures).toHaveLength(10);
    expect(data.failures[0]).toEqual({ order_id: orderId(111), reason: 'reason 11', failed_at: '2026-01-01T00:01:11.000Z' });
    expect(data.failures.map((f) => f.reason)).not.toContain('reason 0');
    expect(data.executions).toEqual([
      { name: 'new', status: 'RUNNING', startDate: '2026-01-02T00:00:00.000Z' },
      { name: 'old', status: 'SUCCEEDED', startDate: '2026-01-01T00:00:00.000Z', stopDate: '2026-01-01T00:00:01.000Z' },
    ]);
  });

  it('names a part it cannot read and still answers the others', async () => {
    const data = await readDashboardData({
      ddb,
      tables: { orders: 'no_such_table', failedOrders: settings.tables.failedOrders },
      sqs,
      queues: {},
    });
    expect(data.errors).toEqual([expect.stringMatching(/^open orders: /), expect.stringMatching(/^terminal orders: /)]);
    expect(data.orders).toEqual({});
    expect(data.failures.length).toBeGreaterThan(0);
    expect(data.executions).toEqual([]);
  });
});
