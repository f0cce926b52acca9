// A real loss in the middle of a backlog is still found: the stack drains slowly (one poller, every
// fulfilment batch held 3 s), 60 orders queue up, then an operator receives and deletes one queued
// message without processing it, and an order is left RECEIVED by a workflow that died long ago.
// At success rate 1 every order must end FULFILLED, the two lost ones re-driven once each, and no
// other order re-sent: the orders that only waited were never taken for lost.
import { orderItem } from '@dofs/ddb-repo';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { storedOrder } from '@dofs/handler-kit/testing';
import { localSqsClient } from '@dofs/local-aws';
import { clients, launchStack, postMany, removeDir, tempDataDir, waitForTerminal, type RunningStack } from './harness';

jest.setTimeout(600_000);

describe('local stack end to end: a loss during a backlog', () => {
  const dataDir = tempDataDir('backlog-loss');
  let stack: RunningStack;
  let c: ReturnType<typeof clients>;

  beforeAll(async () => {
    stack = await launchStack(
      [
        '--success-rate', '1', '--visibility-timeout', '8', '--reconcile-after', '10', '--reconcile-interval', '2',
        '--lambda-concurrency', '1', '--pollers', '1', '--lambda-fault', 'fulfill-order:delay=3000', '--quiet', '--fresh',
      ],
      dataDir,
    );
    c = clients(stack.state);
  });

  afterAll(async () => {
    c?.destroy();
    await stack?.stop();
    removeDir(dataDir);
  });

  it('re-sends the message deleted unprocessed and restarts the dead workflow, and nothing else', async () => {
    const queued = await postMany(stack.state.apiUrl, 60, 8);

    // An operator takes the message at the front of the queue and deletes it.
    const sqs = localSqsClient(stack.state.endpoints.sqs);
    let deletedOrder: string | undefined;
    for (let tries = 0; deletedOrder === undefined && tries < 50; tries += 1) {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.state.queueUrls.orderQueueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1, VisibilityTimeout: 60 }));
      const message = Messages?.[0];
      if (!message) continue;
      await sqs.send(new DeleteMessageCommand({ QueueUrl: stack.state.queueUrls.orderQueueUrl, ReceiptHandle: message.ReceiptHandle }));
      deletedOrder = (JSON.parse(message.Body ?? '{}') as { order_id?: string }).order_id;
    }
    sqs.destroy();
    expect(deletedOrder).toMatch(/^ord_/);

    // A RECEIVED order whose workflow cannot be running any more (older than the intake plus the workflow's deadline).
    const longAgo = new Date(Date.now() - (60 + stack.state.settings.workflow.timeoutSeconds + 30) * 1000).toISOString();
    const deadWorkflow = orderItem(storedOrder({ status: 'RECEIVED', received_at: longAgo, created_at: longAgo, updated_at: longAgo }));
    await c.ddb.send(new PutCommand({ TableName: stack.state.settings.tables.orders, Item: deadWorkflow }));

    const ids = [...queued, deadWorkflow.order_id];
    const done = await waitForTerminal(c.ddb, stack.state.settings.tables.orders, ids, 480_000);
    expect([...done.values()].filter((o) => o['status'] !== 'FULFILLED')).toEqual([]);
    const redriven = Object.fromEntries([...done.entries()].flatMap(([id, o]) => (o['redrives'] === undefined ? [] : [[id, o['redrives']]])));
    expect(redriven).toEqual({ [String(deletedOrder)]: 1, [deadWorkflow.order_id]: 1 });
  });
});
