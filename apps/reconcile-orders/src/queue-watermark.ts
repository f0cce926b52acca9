import { GetMetricDataCommand, type CloudWatchClient, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface QueueRef {
  url: string;
  /** The `QueueName` dimension of its CloudWatch metrics. */
  name: string;
}

export interface WatermarkDeps {
  sqs: Pick<SQSClient, 'send'>;
  cloudwatch: Pick<CloudWatchClient, 'send'>;
  orderQueue: QueueRef;
  deadLetterQueue: QueueRef;
  /** Period of the ApproximateAgeOfOldestMessage datapoints (60 s on AWS: SQS publishes one a minute). */
  periodSeconds: number;
  now: () => Date;
}

/**
 * What the two queues say about messages sent before some time. `clearBefore` (epoch ms): neither
 * order_queue nor order_dlq can still hold a message sent before it, so an order whose message was
 * sent (and visible) before it has no message left. Absent when the queues cannot tell.
 */
export interface QueueWatermark {
  clearBefore?: number;
  source: 'empty' | 'metrics' | 'unknown';
  /** Messages in each queue now (visible + in flight + delayed), as GetQueueAttributes counts them. */
  depth: { orderQueue: number; deadLetterQueue: number };
}

const COUNTS = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const;
/** Datapoints read back: enough periods to span SQS's publishing delay of a few minutes. */
const PERIODS_READ = 15;
/** The metric is in whole seconds, rounded down. */
const ROUNDING_MS = 1000;

export function queueNameOf(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}

async function depthOf(deps: WatermarkDeps, url: string): Promise<number> {
  const { Attributes } = await deps.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [...COUNTS] }));
  return COUNTS.reduce((sum, name) => sum + (Number(Attributes?.[name] ?? 0) || 0), 0);
}

/** A period's datapoint: from `start` (ms) for a period, the oldest message was at most `maxAgeMs` old at every sample. */
interface Datapoint {
  start: number;
  maxAgeMs: number;
}

function datapoints(result: MetricDataResult | undefined): Datapoint[] {
  const times = result?.Timestamps ?? [];
  const values = result?.Values ?? [];
  return times.flatMap((t, i) => (values[i] === undefined ? [] : [{ start: new Date(t).getTime(), maxAgeMs: Number(values[i]) * 1000 }]));
}

/**
 * The watermark from the queues' own view (docs/design.md "Reconciler: evidence of loss"):
 * - both queues empty now (GetQueueAttributes; its counts lag by about a minute on AWS): no message
 *   sent more than a period ago is left: `clearBefore` = now - period;
 * - else CloudWatch's `ApproximateAgeOfOldestMessage` (Maximum per period, of every message not
 *   deleted, in flight too) of both queues. A period starting at T whose oldest message was at most
 *   A old held no message sent before T - A when it was sampled, and a message that has left
 *   order_queue never comes back; if it was dead-lettered (before the period ended), it is in
 *   order_dlq, whose age counts from the move, so that queue must also show, in a later period, no
 *   message moved there before T + period. The latest T - A with such a DLQ period is `clearBefore`.
 * Queue depth alone is never evidence: a deep queue may hold every message it should.
 */
export async function readQueueWatermark(deps: WatermarkDeps): Promise<QueueWatermark> {
  const now = deps.now().getTime();
  const periodMs = deps.periodSeconds * 1000;
  const [orderQueue, deadLetterQueue] = await Promise.all([depthOf(deps, deps.orderQueue.url), depthOf(deps, deps.deadLetterQueue.url)]);
  const depth = { orderQueue, deadLetterQueue };
  if (orderQueue === 0 && deadLetterQueue === 0) return { clearBefore: now - periodMs, source: 'empty', depth };

  const query = (id: string, queue: QueueRef) => ({
    Id: id,
    MetricStat: {
      Metric: { Namespace: 'AWS/SQS', MetricName: 'ApproximateAgeOfOldestMessage', Dimensions: [{ Name: 'QueueName', Value: queue.name }] },
      Period: deps.periodSeconds,
      Stat: 'Maximum',
    },
    ReturnData: true,
  });
  const { MetricDataResults } = await deps.cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(now - PERIODS_READ * periodMs),
      EndTime: new Date(now),
      MetricDataQueries: [query('orderQueue', deps.orderQueue), query('deadLetterQueue', deps.deadLetterQueue)],
    }),
  );
  const byId = new Map((MetricDataResults ?? []).map((r) => [r.Id, r]));
  const queued = datapoints(byId.get('orderQueue'));
  const dead = datapoints(byId.get('deadLetterQueue'));
  // An empty queue now is a datapoint too (its counts are a period late at most).
  if (orderQueue === 0) queued.push({ start: now - periodMs, maxAgeMs: 0 });
  if (deadLetterQueue === 0) dead.push({ start: now - periodMs, maxAgeMs: 0 });

  let clearBefore: number | undefined;
  for (const q of queued) {
    // Ages are whole seconds, rounded down.
    const sentAfter = q.start - q.maxAgeMs - ROUNDING_MS;
    if (clearBefore !== undefined && sentAfter <= clearBefore) continue;
    // The period's sample may come late in it: a message gone by then left order_queue before the period ended.
    if (dead.some((d) => d.start - d.maxAgeMs - ROUNDING_MS > q.start + periodMs)) clearBefore = sentAfter;
  }
  return clearBefore === undefined ? { source: 'unknown', depth } : { clearBefore, source: 'metrics', depth };
}
