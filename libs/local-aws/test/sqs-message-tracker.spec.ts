// The tracker against the real local-aws-sqs server: after every SQS operation it must hold exactly
// the messages the server holds (checked against the server's own counts too), with the time each
// entered its queue, its receive count and whether it is in flight or delayed.
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { createRequestHandler } from 'local-aws-sqs';
import { localSqsClient, SqsMessageTracker, startSqsServer, type RunningSqsServer } from '../src';

let server: RunningSqsServer;
let sqs: SQSClient;
let counter = 0;

beforeAll(async () => {
  server = await startSqsServer();
  sqs = localSqsClient(server.endpoint);
});

afterAll(async () => {
  sqs?.destroy();
  await server?.stop();
});

async function createQueue(attributes: Record<string, string> = {}): Promise<{ url: string; name: string; arn: string }> {
  counter += 1;
  const name = `tracked-${counter}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: String(QueueUrl), name, arn: String(Attributes?.['QueueArn']) };
}

async function send(url: string, body = 'm', delaySeconds?: number): Promise<{ id: string; sentAt: number }> {
  const before = Date.now();
  const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, DelaySeconds: delaySeconds }));
  return { id: String(MessageId), sentAt: before };
}

async function receive(url: string, max = 10, visibilityTimeout = 30) {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: max, WaitTimeSeconds: 0, VisibilityTimeout: visibilityTimeout, AttributeNames: ['All'] }),
  );
  return Messages ?? [];
}

/** The server's own view: ApproximateNumberOfMessages (it counts every non-delayed message) and ...NotVisible. */
async function serverCounts(url: string): Promise<{ notDelayed: number; inFlight: number }> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return { notDelayed: Number(Attributes?.['ApproximateNumberOfMessages']), inFlight: Number(Attributes?.['ApproximateNumberOfMessagesNotVisible']) };
}

/** The tracker's counts in the server's terms, to compare with `serverCounts`. */
function trackedCounts(url: string): { notDelayed: number; inFlight: number } {
  const messages = server.messages.messages(url);
  return { notDelayed: messages.filter((m) => !m.delayed).length, inFlight: messages.filter((m) => m.inFlight).length };
}

const ids = (url: string) => server.messages.messages(url).map((m) => m.messageId);

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('SQS message tracker on the real local-aws-sqs server', () => {
  it('sees a sent message with its send time, no receive, visible and not delayed', async () => {
    const q = await createQueue();
    const sent = await send(q.url);
    const [message] = server.messages.messages(q.url);
    expect(message).toEqual({ messageId: sent.id, enqueuedAt: expect.any(Number), receiveCount: 0, inFlight: false, delayed: false });
    expect(message?.enqueuedAt).toBeGreaterThanOrEqual(sent.sentAt);
    const [received] = await receive(q.url);
    // The time it entered the queue is the SentTimestamp SQS reports.
    expect(received?.Attributes?.['SentTimestamp']).toBe(String(message?.enqueuedAt));
    expect(trackedCounts(q.url)).toEqual(await serverCounts(q.url));
  });

  it('sees a message in flight after a receive, counts receives, and sees it visible again when its visibility timeout ends', async () => {
    const q = await createQueue();
    const sent = await send(q.url);
    await receive(q.url, 1, 30);
    expect(server.messages.messages(q.url)).toEqual([expect.objectContaining({ messageId: sent.id, receiveCount: 1, inFlight: true })]);
    expect(trackedCounts(q.url)).toEqual(await serverCounts(q.url));
    await receive(q.url, 1, 0); // nothing visible: the message is still in flight
    expect(server.messages.messages(q.url)[0]?.receiveCount).toBe(1);

    const other = await createQueue();
    await send(other.url);
    await receive(other.url, 1, 1);
    await waitFor(() => server.messages.messages(other.url)[0]?.inFlight === false, 'the visibility timeout to end');
    expect(server.messages.messages(other.url)[0]?.receiveCount).toBe(1);
    expect(trackedCounts(other.url)).toEqual(await serverCounts(other.url));
  });

  it('forgets a deleted message, and only that one', async () => {
    const q = await createQueue();
    const a = await send(q.url, 'a');
    const b = await send(q.url, 'b');
    const received = await receive(q.url, 10);
    const handleOfA = received.find((m) => m.MessageId === a.id)?.ReceiptHandle;
    await sqs.send(new DeleteMessageCommand({ QueueUrl: q.url, ReceiptHandle: handleOfA }));
    expect(ids(q.url)).toEqual([b.id]);
    expect(trackedCounts(q.url)).toEqual(await serverCounts(q.url));
  });

  it('keeps the message when the server refuses the receipt handle', async () => {
    const q = await createQueue();
    const a = await send(q.url);
    await expect(sqs.send(new DeleteMessageCommand({ QueueUrl: q.url, ReceiptHandle: 'not-a-handle' }))).rejects.toThrow();
    expect(ids(q.url)).toEqual([a.id]);
  });

  it('forgets the messages a batch deletes, and keeps those whose entry failed', async () => {
    const q = await createQueue();
    await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: q.url, Entries: ['1', '2', '3', '4'].map((id) => ({ Id: id, MessageBody: `m${id}` })) }),
    );
    expect(ids(q.url)).toHaveLength(4);
    const received = await receive(q.url, 10);
    expect(received).toHaveLength(4);
    const [first, second, ...rest] = received;
    const result = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: q.url,
        Entries: [
          { Id: 'a', ReceiptHandle: first?.ReceiptHandle },
          { Id: 'b', ReceiptHandle: second?.ReceiptHandle },
          { Id: 'bad', ReceiptHandle: 'not-a-handle' },
        ],
      }),
    );
    expect(result.Failed?.map((f) => f.Id)).toEqual(['bad']);
    expect(ids(q.url).sort()).toEqual(rest.map((m) => String(m.MessageId)).sort());
    expect(trackedCounts(q.url)).toEqual(await serverCounts(q.url));
  });

  it('moves a message to the dead-letter queue after maxReceiveCount receives, counting its age there from the move', async () => {
    const dlq = await createQueue();
    const q = await createQueue({ RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }) });
    const sent = await send(q.url);
    await receive(q.url, 1, 0);
    await waitFor(() => server.messages.messages(q.url)[0]?.inFlight === false, 'the first receive to end');
    const movedAfter = Date.now();
    await receive(q.url, 1, 0);
    // The server dead-letters at the end of the last receive's visibility timeout.
    await waitFor(() => ids(dlq.url).length === 1, 'the move to the dead-letter queue');
    expect(ids(q.url)).toEqual([]);
    const [moved] = server.messages.messages(dlq.url);
    expect(moved).toEqual({ messageId: sent.id, enqueuedAt: expect.any(Number), receiveCount: 0, inFlight: false, delayed: false });
    expect(moved?.enqueuedAt).toBeGreaterThanOrEqual(movedAfter);
    expect(trackedCounts(q.url)).toEqual(await serverCounts(q.url));
    expect(trackedCounts(dlq.url)).toEqual(await serverCounts(dlq.url));
    // In the dead-letter queue it is received and deleted like any message.
    const [inDlq] = await receive(dlq.url);
    expect(inDlq?.MessageId).toBe(sent.id);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: dlq.url, ReceiptHandle: inDlq?.ReceiptHandle }));
    expect(ids(dlq.url)).toEqual([]);
  });

  it('sees a message delayed until its own delay or the queue delay ends, then receivable', async () => {
    const q = await createQueue();
    // 2 s: long enough that the checks below run well inside the delay, even on a loaded machine.
    const delayed = await send(q.url, 'later', 2);
    const now = await send(q.url, 'now', 0);
    const counts = await serverCounts(q.url);
    expect(server.messages.messages(q.url).map((m) => [m.messageId, m.delayed])).toEqual([
      [delayed.id, true],
      [now.id, false],
    ]);
    expect(trackedCounts(q.url)).toEqual(counts);
    await waitFor(() => server.messages.messages(q.url).every((m) => !m.delayed), 'the delay to end');
    expect(trackedCounts(q.url)).toEqual(await serverCounts(q.url));

    const delayQueue = await createQueue({ DelaySeconds: '1' });
    const byQueue = await send(delayQueue.url);
    expect(server.messages.messages(delayQueue.url)).toEqual([expect.objectContaining({ messageId: byQueue.id, delayed: true })]);
    await waitFor(() => server.messages.messages(delayQueue.url)[0]?.delayed === false, 'the queue delay to end');
  });

  it('forgets every message when a purge takes effect (60 s after PurgeQueue, as on SQS) and when the queue is deleted', async () => {
    const q = await createQueue();
    await send(q.url);
    await send(q.url);
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      await sqs.send(new PurgeQueueCommand({ QueueUrl: q.url }));
      expect(ids(q.url)).toHaveLength(2); // SQS takes up to 60 s; so does the local server
      jest.advanceTimersByTime(60_000);
    } finally {
      jest.useRealTimers();
    }
    expect(ids(q.url)).toEqual([]);
    expect(trackedCounts(q.url)).toEqual(await serverCounts(q.url));

    const gone = await createQueue();
    await send(gone.url);
    await sqs.send(new DeleteQueueCommand({ QueueUrl: gone.url }));
    expect(server.messages.queueNames()).not.toContain(gone.name);
    expect(server.messages.messages(gone.url)).toEqual([]);
  });

  it('back-dates a message: an earlier enqueue time, also as the SentTimestamp consumers read', async () => {
    const q = await createQueue();
    const sent = await send(q.url);
    const original = Date.parse('2026-01-01T00:00:00.000Z');
    expect(server.messages.backdate(q.url, sent.id, original)).toBe(true);
    expect(server.messages.messages(q.name)[0]?.enqueuedAt).toBe(original);
    const [received] = await receive(q.url);
    expect(received?.Attributes?.['SentTimestamp']).toBe(String(original));
    expect(server.messages.backdate(q.url, 'no-such-message', original)).toBe(false);
  });

  it('follows queues created after a restart, which start empty, and answers nothing while the server is down', async () => {
    const own = await startSqsServer();
    const client = localSqsClient(own.endpoint);
    try {
      const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'before' }));
      await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' }));
      expect(own.messages.messages('before')).toHaveLength(1);
      await own.kill();
      expect(own.messages.queueNames()).toEqual([]);
      await own.restart();
      expect(own.messages.queueNames()).toEqual([]);
      const again = await client.send(new CreateQueueCommand({ QueueName: 'after' }));
      const { MessageId } = await client.send(new SendMessageCommand({ QueueUrl: again.QueueUrl, MessageBody: 'y' }));
      expect(own.messages.messages('after').map((m) => m.messageId)).toEqual([MessageId]);
    } finally {
      client.destroy();
      await own.stop();
    }
  });
});

describe('SQS message tracker: retention', () => {
  it('drops a message when the retention period its queue had at send time ends, as the server does', () => {
    let now = Date.parse('2026-03-01T00:00:00.000Z');
    const { service } = createRequestHandler({ port: 1, queues: [{ QueueName: 'kept-60s', Attributes: { MessageRetentionPeriod: '60' } }] });
    const tracker = new SqsMessageTracker(() => now);
    tracker.attach(service);
    const queue = service.Queues[0];
    try {
      queue?.setRecord({ MessageBody: 'x' });
      now += 59_999;
      expect(tracker.messages('kept-60s')).toHaveLength(1);
      now += 1;
      expect(tracker.messages('kept-60s')).toEqual([]);
    } finally {
      queue?.clearRecords();
    }
  });
});
