// SQS's ApproximateAgeOfOldestMessage as AWS documents it, computed from the tracker of the real
// local server, and the sampler that publishes it once a second.
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  ageOfOldestMessage,
  localSqsClient,
  QueueAgeSampler,
  queueAges,
  startSqsServer,
  type QueuedMessage,
  type RunningSqsServer,
} from '../src';

const T0 = Date.parse('2026-05-01T12:00:00.000Z');

function message(overrides: Partial<QueuedMessage>): QueuedMessage {
  return { messageId: 'm', enqueuedAt: T0, receiveCount: 0, inFlight: false, delayed: false, ...overrides };
}

describe('ApproximateAgeOfOldestMessage', () => {
  it('is 0 for an empty queue', () => {
    expect(ageOfOldestMessage([], T0)).toBe(0);
  });

  it('is the age in whole seconds of the oldest message, visible or in flight', () => {
    const messages = [
      message({ messageId: 'new', enqueuedAt: T0 - 5_000 }),
      message({ messageId: 'old-in-flight', enqueuedAt: T0 - 42_900, receiveCount: 1, inFlight: true }),
    ];
    expect(ageOfOldestMessage(messages, T0)).toBe(42);
  });

  it('leaves out a message received three or more times and not deleted (a poison pill), and not one received twice', () => {
    const pill = message({ messageId: 'pill', enqueuedAt: T0 - 600_000, receiveCount: 3, inFlight: true });
    const next = message({ messageId: 'next', enqueuedAt: T0 - 60_000, receiveCount: 2 });
    expect(ageOfOldestMessage([pill, next], T0)).toBe(60);
    expect(ageOfOldestMessage([pill], T0)).toBe(0);
  });

  it('leaves out a message while its delay lasts', () => {
    const delayed = message({ messageId: 'delayed', enqueuedAt: T0 - 30_000, delayed: true });
    expect(ageOfOldestMessage([delayed], T0)).toBe(0);
    expect(ageOfOldestMessage([{ ...delayed, delayed: false }], T0)).toBe(30);
  });
});

describe('ApproximateAgeOfOldestMessage of the real local server', () => {
  let server: RunningSqsServer;
  let sqs: SQSClient;

  beforeAll(async () => {
    server = await startSqsServer();
    sqs = localSqsClient(server.endpoint);
  });

  afterAll(async () => {
    sqs?.destroy();
    await server?.stop();
  });

  const create = async (name: string, attributes: Record<string, string> = {}) =>
    String((await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl);
  const send = async (url: string) => String((await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'm' }))).MessageId);
  // The local server keeps receiving within one call while it has fewer messages than asked for,
  // and a message whose visibility timeout ended meanwhile counts again: ask for exactly `count`.
  const receive = (url: string, count: number, visibilityTimeout: number) =>
    sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: count, WaitTimeSeconds: 0, VisibilityTimeout: visibilityTimeout }));
  const ageOf = (queueName: string, now = Date.now()) => queueAges(server.messages, now).find((q) => q.queueName === queueName);

  async function waitFor(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('stops counting a message on its third receive, in a queue without a redrive policy', async () => {
    const url = await create('poison');
    const pill = await send(url);
    const next = await send(url);
    const now = Date.now();
    server.messages.backdate(url, pill, now - 3_600_000);
    server.messages.backdate(url, next, now - 60_000);
    expect(ageOf('poison', now)?.ageOfOldestMessageSeconds).toBe(3600);
    // Both received and not deleted, twice: still counted.
    for (let round = 1; round <= 2; round += 1) {
      await receive(url, 2, 1);
      await waitFor(() => server.messages.messages(url).every((m) => !m.inFlight && m.receiveCount === round), `receive ${round} to end`);
    }
    expect(ageOf('poison', now)?.ageOfOldestMessageSeconds).toBe(3600);
    await receive(url, 2, 1);
    expect(server.messages.messages(url).map((m) => m.receiveCount)).toEqual([3, 3]);
    expect(ageOf('poison', now)).toEqual({ queueName: 'poison', ageOfOldestMessageSeconds: 0, messages: 2, inFlight: expect.any(Number), delayed: 0, poisonPills: 2 });
    const fresh = await send(url);
    server.messages.backdate(url, fresh, now - 10_000);
    expect(ageOf('poison', now)?.ageOfOldestMessageSeconds).toBe(10);
  });

  it('counts a dead-lettered message from its move, not from when it was first sent', async () => {
    const dlqUrl = await create('aged-dlq');
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
    const url = await create('aged-source', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.['QueueArn'], maxReceiveCount: 1 }) });
    const id = await send(url);
    server.messages.backdate(url, id, Date.now() - 3_600_000);
    expect(ageOf('aged-source')?.ageOfOldestMessageSeconds).toBeGreaterThanOrEqual(3600);
    const beforeMove = Date.now();
    await receive(url, 1, 0);
    await waitFor(() => server.messages.messages(dlqUrl).length === 1, 'the move to the dead-letter queue');
    expect(ageOf('aged-source')?.ageOfOldestMessageSeconds).toBe(0);
    const moved = server.messages.messages(dlqUrl)[0];
    expect(moved?.enqueuedAt).toBeGreaterThanOrEqual(beforeMove);
    expect(ageOf('aged-dlq', beforeMove + 7_000)?.ageOfOldestMessageSeconds).toBeLessThanOrEqual(7);
  });
});

describe('queue age sampler', () => {
  let server: RunningSqsServer;
  let sqs: SQSClient;
  let queueUrl: string;

  beforeAll(async () => {
    server = await startSqsServer();
    sqs = localSqsClient(server.endpoint);
    queueUrl = String((await sqs.send(new CreateQueueCommand({ QueueName: 'sampled' }))).QueueUrl);
  });

  afterAll(async () => {
    sqs?.destroy();
    await server?.stop();
  });

  it('keeps one sample per queue per tick, 0 while the queue is empty, and drops samples older than its retention', async () => {
    const sampler = new QueueAgeSampler(server.messages, { retentionMs: 12_000 });
    sampler.sample(T0);
    const id = String((await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'm' }))).MessageId);
    server.messages.backdate(queueUrl, id, T0);
    sampler.sample(T0 + 1_000);
    expect(sampler.samples('sampled', T0, T0 + 1_000)).toEqual([{ at: T0, seconds: 0 }]);
    sampler.sample(T0 + 12_500);
    expect(sampler.samples('sampled', T0 - 60_000, T0 + 60_000)).toEqual([
      { at: T0 + 1_000, seconds: 1 },
      { at: T0 + 12_500, seconds: 12 },
    ]);
    expect(sampler.samples('sampled', T0 + 1_000, T0 + 12_500)).toEqual([{ at: T0 + 1_000, seconds: 1 }]);
    expect(sampler.samples('no-such-queue', T0, T0 + 60_000)).toEqual([]);
    sampler.stop();
  });

  it('corrects the samples taken between a message\'s arrival and its back-dating, and none before', async () => {
    const sampler = new QueueAgeSampler(server.messages);
    const url = String((await sqs.send(new CreateQueueCommand({ QueueName: 'restored' }))).QueueUrl);
    const beforeArrival = Date.now() - 1;
    sampler.sample(beforeArrival);
    const id = String((await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'restored order' }))).MessageId);
    const afterArrival = Date.now() + 1;
    sampler.sample(afterArrival);
    const original = afterArrival - 120_000;
    server.messages.backdate(url, id, original);
    expect(sampler.samples('restored', 0, Infinity)).toEqual([
      { at: beforeArrival, seconds: 0 },
      { at: afterArrival, seconds: 120 },
    ]);
    sampler.stop();
  });

  it('samples on its own once a second after start()', async () => {
    const sampler = new QueueAgeSampler(server.messages);
    const from = Date.now();
    sampler.start();
    try {
      await new Promise<void>((resolve, reject) => {
        const deadline = Date.now() + 10_000;
        const check = setInterval(() => {
          if (sampler.samples('sampled', from, Infinity).length >= 2) resolve();
          else if (Date.now() > deadline) reject(new Error('no samples'));
          else return;
          clearInterval(check);
        }, 50);
      });
    } finally {
      sampler.stop();
    }
    const [first, second] = sampler.samples('sampled', from, Infinity);
    // Each in its own second, just after the second turned.
    expect(Math.floor((second?.at ?? 0) / 1000)).toBeGreaterThan(Math.floor((first?.at ?? 0) / 1000));
  });
});
