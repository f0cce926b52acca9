import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { HARNESS_GLOBAL_KEY, LOCAL_ACCOUNT_ID, UNAVAILABLE_ENDPOINT, createTestQueues, settings, testSqsClient } from '../src';
import globalSetup from '../src/jest/global-setup';
import globalTeardown from '../src/jest/global-teardown';

// The jest hooks run here as jest itself would call them, with DynamoDB switched off (as the
// queue-client project does) so this file boots no JVM; the DynamoDB half runs in every
// ddb-repo test run.
describe('jest global setup and teardown', () => {
  const saved = { ...process.env };
  afterAll(() => {
    process.env = saved;
  });

  it('starts SQS, creates the settings queues, exports them, and teardown stops the server', async () => {
    await globalSetup(undefined, { globals: { dofsLocalAws: { dynamodb: false } } });
    expect(process.env['AWS_ENDPOINT_URL_DYNAMODB']).toBe(UNAVAILABLE_ENDPOINT);
    expect(process.env['AWS_ENDPOINT_URL_CLOUDWATCH']).toBe(UNAVAILABLE_ENDPOINT);
    expect(process.env['ORDERS_TABLE']).toBeUndefined();
    const sqsEndpoint = process.env['AWS_ENDPOINT_URL_SQS'] ?? '';
    expect(sqsEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(process.env['ORDER_QUEUE_URL']).toBe(`${sqsEndpoint}/${LOCAL_ACCOUNT_ID}/${settings.queues.orders}`);
    expect(process.env['ORDER_DLQ_URL']).toBe(`${sqsEndpoint}/${LOCAL_ACCOUNT_ID}/${settings.queues.deadLetter}`);
    expect(process.env['AWS_ACCESS_KEY_ID']).toBe('local');

    // createTestQueues: a uniquely named pair with its own redrive policy.
    const queues = await createTestQueues({ maxReceiveCount: 2, visibilityTimeoutSeconds: 1 });
    expect(queues.orders).not.toBe(settings.queues.orders);
    const sqs = testSqsClient();
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queues.orderQueueUrl, AttributeNames: ['All'] }));
    sqs.destroy();
    expect(Attributes?.['VisibilityTimeout']).toBe('1');
    expect(JSON.parse(Attributes?.['RedrivePolicy'] ?? '{}')).toMatchObject({ maxReceiveCount: 2 });

    await globalTeardown();
    expect((globalThis as Record<string, unknown>)[HARNESS_GLOBAL_KEY]).toBeUndefined();
    await expect(fetch(sqsEndpoint)).rejects.toThrow();
  });

  it('refuses to create test resources without the harness endpoints', async () => {
    delete process.env['AWS_ENDPOINT_URL_SQS'];
    await expect(createTestQueues()).rejects.toThrow(/AWS_ENDPOINT_URL_SQS is not set/);
  });
});
