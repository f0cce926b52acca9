import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createTestQueues, testSqsClient } from '@dofs/local-aws';
import { queueNameOf, readQueueWatermark, type WatermarkDeps } from '../src/queue-watermark';

// The queues' counts come from the local SQS server of the libs/local-aws harness. CloudWatch's
// ApproximateAgeOfOldestMessage datapoints are what each test sets, answered at the client
// boundary (the local stack emulates the metric itself; its tests cover that): what is tested
// here is what the reconciler concludes from them.
const NOW = Date.parse('2026-06-01T12:00:00.000Z');
const PERIOD = 60;
let sqs: SQSClient;
let queues: { orderQueueUrl: string; deadLetterQueueUrl: string };
let points: Record<string, [number, number][]>;
let calls = 0;
const cloudwatch = {
  send: async (command: { input: { MetricDataQueries?: { Id?: string; MetricStat?: { Metric?: { Dimensions?: { Value?: string }[] } } }[] } }) => {
    calls += 1;
    return {
      MetricDataResults: (command.input.MetricDataQueries ?? []).map((q) => {
        const p = points[q.MetricStat?.Metric?.Dimensions?.[0]?.Value ?? ''] ?? [];
        return { Id: q.Id, Timestamps: p.map(([t]) => new Date(t)), Values: p.map(([, v]) => v) };
      }),
    };
  },
} as unknown as Pick<CloudWatchClient, 'send'>;

beforeAll(() => {
  sqs = testSqsClient();
});
afterAll(() => sqs.destroy());
beforeEach(async () => {
  queues = await createTestQueues({ prefix: 'watermark', sqs });
  points = {};
  calls = 0;
});

function deps(): WatermarkDeps {
  return {
    sqs,
    cloudwatch,
    orderQueue: { url: queues.orderQueueUrl, name: queueNameOf(queues.orderQueueUrl) },
    deadLetterQueue: { url: queues.deadLetterQueueUrl, name: queueNameOf(queues.deadLetterQueueUrl) },
    periodSeconds: PERIOD,
    now: () => new Date(NOW),
  };
}

const minutesAgo = (n: number) => NOW - n * 60_000;
const send = (url: string) => sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{}' }));

describe('the queues\' watermark', () => {
  it('is a period ago when both queues are empty, without asking CloudWatch', async () => {
    await expect(readQueueWatermark(deps())).resolves.toEqual({ clearBefore: NOW - PERIOD * 1000, source: 'empty', depth: { orderQueue: 0, deadLetterQueue: 0 } });
    expect(calls).toBe(0);
  });

  it('stands at the oldest queued message: a period whose oldest message was A old held nothing sent before its start - A', async () => {
    await send(queues.orderQueueUrl);
    // Three periods, the oldest message 10 minutes old at each start: sent at 12:00 - 10 min - n min.
    points[queueNameOf(queues.orderQueueUrl)] = [4, 3, 2].map((n) => [minutesAgo(n), 600]);
    const watermark = await readQueueWatermark(deps());
    expect(watermark).toMatchObject({ source: 'metrics', depth: { orderQueue: 1, deadLetterQueue: 0 } });
    // The latest period that a later (empty) order_dlq period follows: the one starting 3 minutes ago, less the metric's rounding.
    expect(watermark.clearBefore).toBe(minutesAgo(3) - 600_000 - 1000);
  });

  it('knows nothing while order_dlq holds a message that may have been moved there from before the queue drained', async () => {
    await send(queues.orderQueueUrl);
    await send(queues.deadLetterQueueUrl);
    points[queueNameOf(queues.orderQueueUrl)] = [4, 3, 2].map((n) => [minutesAgo(n), 30]);
    // order_dlq's oldest message was moved there 20 minutes ago, and it is still there.
    points[queueNameOf(queues.deadLetterQueueUrl)] = [4, 3, 2].map((n) => [minutesAgo(n), 1200 - n * 60]);
    await expect(readQueueWatermark(deps())).resolves.toMatchObject({ source: 'unknown', depth: { orderQueue: 1, deadLetterQueue: 1 } });
  });

  it('accepts order_dlq once it shows nothing moved there before the queue period ended', async () => {
    await send(queues.orderQueueUrl);
    await send(queues.deadLetterQueueUrl);
    points[queueNameOf(queues.orderQueueUrl)] = [5, 4].map((n) => [minutesAgo(n), 30]);
    // Its one message was moved there 30 s ago.
    points[queueNameOf(queues.deadLetterQueueUrl)] = [[minutesAgo(2), 0]];
    await expect(readQueueWatermark(deps())).resolves.toMatchObject({ source: 'metrics', clearBefore: minutesAgo(4) - 30_000 - 1000 });
  });

  it('knows nothing from a queue that is not empty and has no datapoints yet', async () => {
    await send(queues.orderQueueUrl);
    await expect(readQueueWatermark(deps())).resolves.toMatchObject({ source: 'unknown' });
  });
});
