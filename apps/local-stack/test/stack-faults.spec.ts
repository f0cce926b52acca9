// Faults and supervision on the real stack, started in this process (DynamoDB Local, the SQS server,
// the built bundles): the programmatic API the fault suite uses. Every wait is for a condition,
// bounded by the test timeout; nothing asserts on elapsed time.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { localSqsClient } from '@dofs/local-aws';
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

function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

describe('local stack under injected faults', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dofs-faults-'));
  const lines: string[] = [];
  const fatal: Error[] = [];
  let stack: LocalStack;

  const statusOf = async (orderId: string) => (await getOrder(stack.apiUrl, orderId)).body.status;
  const placeOrder = async (customer: string) => {
    const response = await postOrder(stack.apiUrl, { ...SAMPLE_ORDER, customer_id: customer });
    expect(response.status).toBe(202);
    return response.body.order_id;
  };
  const fulfilled = (orderId: string) => waitFor(() => statusOf(orderId), (s) => s === 'FULFILLED', `order ${orderId} FULFILLED`);

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
      // Long enough that a failed receive stays invisible until the test moves on.
      visibilityTimeoutSeconds: 30,
      logger: new StackLogger({ out: { write: (text) => lines.push(text) }, color: false }),
      onFatal: (error) => fatal.push(error),
    });
    useToken(stack.apiUrl, await stack.auth.mintToken({ expiresInSeconds: 24 * 3600 }));
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  afterEach(() => expect(fatal).toEqual([]));

  it('DynamoDB Local frozen: its JVM is stopped, and an order in flight is fulfilled after it resumes', async () => {
    const jvm = stack.faults.dynamodb.pid;
    const orderId = await placeOrder('c-frozen');
    const frozen = stack.faults.freezeDynamoDb(2_000);
    await waitFor(() => processState(jvm), (s) => s === 'T', 'the JVM to stop');
    await frozen;
    expect(processState(jvm)).not.toBe('T');
    await fulfilled(orderId);
  });

  it('DynamoDB Local killed: supervision restarts it on its data in one line, and the stack answers again', async () => {
    const before = await placeOrder('c-before-kill');
    await fulfilled(before);
    const oldPid = stack.faults.dynamodb.pid;
    // An outside kill -9, as a crash would be: only the child's exit event tells the stack.
    process.kill(oldPid, 'SIGKILL');
    await waitFor(() => stack.supervision.restarts.get('DynamoDB Local') ?? 0, (n) => n >= 1, 'the restart');
    expect(stack.faults.dynamodb.pid).not.toBe(oldPid);
    expect(lines.join('')).toMatch(new RegExp(`DynamoDB Local died \\(pid ${oldPid}, signal SIGKILL\\): restarting it on port ${stack.faults.dynamodb.port} with its data in `));
    expect(lines.join('')).toMatch(/DynamoDB Local is back after \d+ ms/);
    expect(await statusOf(before)).toBe('FULFILLED');
    await fulfilled(await placeOrder('c-after-kill'));
  });

  it('SQS server killed: queues re-created, the order whose message was lost is put back and fulfilled', async () => {
    // fulfill-order fails its first delivery, so the message is in flight (invisible) when SQS dies.
    const removeFault = stack.faults.injectLambda({ functionName: 'fulfill-order', action: 'error' });
    const orderId = await placeOrder('c-sqs-kill');
    await waitFor(() => stack.faults.injected.get('fulfill-order:error') ?? 0, (n) => n >= 1, 'the failed delivery');
    removeFault();
    expect(await statusOf(orderId)).toBe('PENDING');

    await stack.faults.killSqs();
    await stack.supervision.idle();
    expect(stack.supervision.restarts.get('SQS server')).toBe(1);
    expect(lines.join('')).toMatch(/SQS server died \(killed\): restarting it/);
    expect(lines.join('')).toMatch(/SQS server is back after \d+ ms \(queues re-created; [1-9]\d* unfinished order\(s\) put back on order_queue/);
    const sqs = localSqsClient(stack.endpoints.sqs);
    try {
      await expect(sqs.send(new GetQueueUrlCommand({ QueueName: stack.settings.queues.orders }))).resolves.toMatchObject({ QueueUrl: stack.queueUrls.orderQueueUrl });
    } finally {
      sqs.destroy();
    }
    await fulfilled(orderId);
    await fulfilled(await placeOrder('c-after-sqs-kill'));
  });

  it('SQS stalled: requests are held and answered afterwards', async () => {
    const orderId = await placeOrder('c-sqs-stall');
    const stalled = stack.faults.stallSqs(1_000);
    expect(stack.faults.sqs.paused).toBe(true);
    await stalled;
    expect(stack.faults.sqs.paused).toBe(false);
    await fulfilled(orderId);
  });

  it('StartExecution fails with the injected error for its window', async () => {
    const sfn = new SFNClient({ endpoint: stack.endpoints.sfn, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, maxAttempts: 1 });
    try {
      stack.faults.failStartExecution(600_000, 'ThrottlingException');
      await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: stack.stateMachineArn, name: 'throttled', input: '{}' }))).rejects.toMatchObject({
        name: 'ThrottlingException',
      });
    } finally {
      stack.faults.clearStartExecution();
      sfn.destroy();
    }
  });
});
