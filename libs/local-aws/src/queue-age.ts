// SQS's ApproximateAgeOfOldestMessage (namespace AWS/SQS, dimension QueueName, unit Seconds) for
// the local server, as AWS documents it ("Available CloudWatch metrics for Amazon SQS" and
// "Setting-up dead-letter queue retention"):
// - the age of the oldest message not deleted, visible or in flight;
// - a message received three or more times and not deleted is left out (SQS moves such a
//   "poison pill" to the back of the queue and the metric shows the next one);
// - in a dead-letter queue a message's age counts from when it was moved there;
// - an empty queue gives 0.
// AWS says nothing of delayed messages. Here a message is left out while its delay lasts and,
// once receivable, counts from when it was sent. That is the weaker evidence of the two readings:
// code that can tell from this metric that no message of its own is queued can tell it on AWS
// too, where counting a delayed message could only make the queue look older.
import type { QueuedMessage, SqsMessageTracker } from './sqs-message-tracker';

/** Receives after which SQS leaves a message out of the metric until it is deleted. */
export const POISON_PILL_RECEIVE_COUNT = 3;

/** How often SQS's metric is sampled locally (AWS publishes once a minute). */
export const QUEUE_AGE_SAMPLE_INTERVAL_MS = 1000;

/** How long samples are kept (CloudWatch keeps 1-minute data for 15 days; a local run needs hours at most). */
export const QUEUE_AGE_RETENTION_MS = 3 * 3600 * 1000;

/** Whether a message counts toward ApproximateAgeOfOldestMessage. */
export function countsTowardAge(message: QueuedMessage): boolean {
  return !message.delayed && message.receiveCount < POISON_PILL_RECEIVE_COUNT;
}

/** Whole seconds from `enqueuedAt` to `now` (SQS reports whole seconds), never below 0. */
export function ageSeconds(now: number, enqueuedAt: number): number {
  return Math.max(0, Math.floor((now - enqueuedAt) / 1000));
}

/** ApproximateAgeOfOldestMessage of a queue holding `messages`, at `now`. */
export function ageOfOldestMessage(messages: Iterable<QueuedMessage>, now: number): number {
  let oldest = Infinity;
  for (const message of messages) {
    if (countsTowardAge(message) && message.enqueuedAt < oldest) oldest = message.enqueuedAt;
  }
  return oldest === Infinity ? 0 : ageSeconds(now, oldest);
}

/** One queue as the dashboard shows it. */
export interface QueueAge {
  queueName: string;
  /** ApproximateAgeOfOldestMessage now, in seconds. */
  ageOfOldestMessageSeconds: number;
  /** Messages not deleted (visible, in flight and delayed). */
  messages: number;
  inFlight: number;
  delayed: number;
  /** Received three or more times and not deleted: left out of the age. */
  poisonPills: number;
}

/** Every queue's age and counts at `now`, read from the tracker (cheap: one pass over each queue). */
export function queueAges(tracker: SqsMessageTracker, now: number = Date.now()): QueueAge[] {
  return tracker.queueNames().map((queueName) => {
    const messages = tracker.messages(queueName);
    return {
      queueName,
      ageOfOldestMessageSeconds: ageOfOldestMessage(messages, now),
      messages: messages.length,
      inFlight: messages.filter((m) => m.inFlight).length,
      delayed: messages.filter((m) => m.delayed).length,
      poisonPills: messages.filter((m) => m.receiveCount >= POISON_PILL_RECEIVE_COUNT).length,
    };
  });
}

/** One sample of a queue's metric. */
export interface AgeSample {
  /** Epoch ms when it was taken. */
  at: number;
  /** ApproximateAgeOfOldestMessage then, in seconds. */
  seconds: number;
}

export interface QueueAgeSamplerOptions {
  intervalMs?: number;
  retentionMs?: number;
  clock?: () => number;
}

/**
 * Samples every queue's ApproximateAgeOfOldestMessage at each whole interval (by default every
 * second, just after the second turns, so each 1-second period gets one sample) and keeps the
 * samples for `retentionMs`. A queue that does not exist at a tick gets no sample (a gap, as while
 * the server restarts). CloudWatch's statistics over periods are computed from these.
 */
export class QueueAgeSampler {
  private readonly series = new Map<string, AgeSample[]>();
  private readonly intervalMs: number;
  private readonly retentionMs: number;
  private readonly clock: () => number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly unsubscribe: () => void;

  public constructor(
    private readonly tracker: SqsMessageTracker,
    options: QueueAgeSamplerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? QUEUE_AGE_SAMPLE_INTERVAL_MS;
    this.retentionMs = options.retentionMs ?? QUEUE_AGE_RETENTION_MS;
    this.clock = options.clock ?? Date.now;
    // A message back-dated just after it arrived may already be in a sample: correct those
    // samples, as if it had carried the earlier time from the start.
    this.unsubscribe = tracker.onBackdate(({ queueName, arrivedAt, enqueuedAt }) => {
      const samples = this.series.get(queueName) ?? [];
      for (let i = samples.length - 1; i >= 0; i -= 1) {
        const sample = samples[i];
        if (!sample || sample.at < arrivedAt) break;
        sample.seconds = Math.max(sample.seconds, ageSeconds(sample.at, enqueuedAt));
      }
    });
  }

  /** Samples at every interval until `stop()`. */
  public start(): void {
    if (this.timer || this.stopped) return;
    const next = (): void => {
      const now = this.clock();
      // 5 ms past the boundary: the sample lands inside the period it is taken for.
      this.timer = setTimeout(() => {
        this.sample();
        next();
      }, this.intervalMs - (now % this.intervalMs) + 5);
      this.timer.unref();
    };
    next();
  }

  /** Stops sampling for good (the samples stay readable). */
  public stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.unsubscribe();
  }

  /** Takes one sample of every queue now (the timer calls it; tests call it with their clock). */
  public sample(at: number = this.clock()): void {
    for (const queueName of this.tracker.queueNames()) {
      let samples = this.series.get(queueName);
      if (!samples) this.series.set(queueName, (samples = []));
      samples.push({ at, seconds: ageOfOldestMessage(this.tracker.messages(queueName), at) });
      const keepFrom = at - this.retentionMs;
      let drop = 0;
      while (drop < samples.length && (samples[drop]?.at ?? Infinity) < keepFrom) drop += 1;
      if (drop > 0) samples.splice(0, drop);
    }
  }

  /** The samples of `queueName` taken in [fromMs, toMs), oldest first. */
  public samples(queueName: string, fromMs: number, toMs: number): AgeSample[] {
    return (this.series.get(queueName) ?? []).filter((s) => s.at >= fromMs && s.at < toMs);
  }
}
