// Which messages each queue of the in-process `local-aws-sqs` server holds, with the time each
// entered its queue, so the local stack can publish SQS's ApproximateAgeOfOldestMessage (queue-age.ts).
//
// The package keeps its messages in a private field of each `Queue`. What it exposes, and what this
// relies on (read in node_modules/local-aws-sqs/dist/index.js, 2.0.2; test/sqs-message-tracker.spec.ts
// proves it against the real server):
// - `queue.newRecord(record, delay)`, an own arrow property, adds every message: SendMessage and
//   SendMessageBatch (through `setRecord`), a dead-lettered message (the DLQ's `setRecord`, with
//   the same MessageId and a `DeadLetterQueueSourceArn` attribute, right after the source queue
//   dropped it), a StartMessageMoveTask copy. It returns the entry `{ visible, delayed, record }`
//   that the package keeps and mutates in place: `visible` on receive and at the visibility
//   timeout, `delayed` when the delay ends, `record.attributes.ApproximateReceiveCount`.
// - `queue.delete(receiptHandle)` (DeleteMessage, DeleteMessageBatch, a move task) removes the
//   entry of the MessageId the handle carries (base64 of a UUID and `{ date, MessageId, QueueName }`).
// - `queue.clearRecords()` drops all of them: PurgeQueue (60 s after the call, as SQS), DeleteQueue.
// - A message also leaves when its retention period ends (a timer set by `newRecord` from the
//   queue's `MessageRetentionPeriod` at that moment): modelled here from the same two numbers.
// - New queues are `service.Queues.push(queue)`ed by CreateQueue; `resetAll()` replaces the array.
import type { createRequestHandler } from 'local-aws-sqs';

/** The package's service object (`createRequestHandler(...).service`). */
export type SqsService = ReturnType<typeof createRequestHandler>['service'];
type SqsQueue = SqsService['Queues'][number];

/** The entry `Queue#newRecord` returns and keeps (the package types it `any`). */
interface QueueEntry {
  visible: boolean;
  delayed: boolean;
  record: { MessageId: string; attributes: Record<string, string | undefined> };
}

/** One message that is in a queue now: visible, in flight or delayed, not deleted. */
export interface QueuedMessage {
  messageId: string;
  /**
   * When it entered this queue (epoch ms): sent, or moved here by the redrive policy (a
   * dead-letter queue counts from the move, as SQS's metric does), or a back-dated time.
   */
  enqueuedAt: number;
  /** `ApproximateReceiveCount` in this queue. */
  receiveCount: number;
  /** Received and within its visibility timeout. */
  inFlight: boolean;
  /** Sent with a delay (its own or the queue's) that has not ended yet. */
  delayed: boolean;
}

/** Told when `backdate()` moved a message's enqueue time (the sampler corrects what it took meanwhile). */
export interface BackdateEvent {
  queueName: string;
  messageId: string;
  /** When the message really arrived in the local queue. */
  arrivedAt: number;
  /** Its new enqueue time. */
  enqueuedAt: number;
}

interface Tracked {
  entry: QueueEntry;
  arrivedAt: number;
  enqueuedAt: number;
  /** A delay longer than 0 was asked for (the package marks even a 0 s delay `delayed` until the next tick). */
  hasDelay: boolean;
  /** When the package's retention timer drops it. */
  expiresAt: number;
}

const INSTALLED = Symbol('dofs.sqsMessageTracker');

/** The MessageId a receipt handle of the package names, as `Queue#delete` decodes it. */
function messageIdOfHandle(receiptHandle: string): string | undefined {
  try {
    const text = Buffer.from(receiptHandle, 'base64').toString('utf8');
    const parsed = JSON.parse(text.slice(text.indexOf('{'))) as { MessageId?: unknown };
    return typeof parsed.MessageId === 'string' ? parsed.MessageId : undefined;
  } catch {
    return undefined;
  }
}

function queueNameOf(queue: string): string {
  return queue.slice(queue.lastIndexOf('/') + 1);
}

/**
 * The messages of every queue of one `local-aws-sqs` service, kept in step with the package by
 * wrapping the public members it uses to add and remove them. `SqsServerHandle` attaches it to each
 * service it creates (again after `restart()`, whose new service starts empty).
 */
export class SqsMessageTracker {
  private service: SqsService | undefined;
  private readonly byQueue = new WeakMap<SqsQueue, Map<string, Tracked>>();
  private readonly listeners = new Set<(event: BackdateEvent) => void>();

  public constructor(private readonly clock: () => number = Date.now) {}

  /** Follows `service` from now on: its queues, those created later, and their messages. */
  public attach(service: SqsService): void {
    this.service = service;
    const install = (queue: SqsQueue): void => this.install(queue);
    const watchArray = (queues: SqsQueue[]): void => {
      for (const queue of queues) install(queue);
      const push = queues.push;
      Object.defineProperty(queues, 'push', {
        configurable: true,
        writable: true,
        value(this: SqsQueue[], ...added: SqsQueue[]): number {
          for (const queue of added) install(queue);
          return push.apply(this, added);
        },
      });
    };
    let queues = service.Queues;
    watchArray(queues);
    Object.defineProperty(service, 'Queues', {
      configurable: true,
      enumerable: true,
      get: () => queues,
      set: (next: SqsQueue[]) => {
        queues = next;
        watchArray(next);
      },
    });
  }

  /** Stops answering for the current service (the server went down with its messages). */
  public detach(): void {
    this.service = undefined;
  }

  /** Names of the queues that exist now. */
  public queueNames(): string[] {
    return (this.service?.Queues ?? []).filter((q) => !this.service?.deletingQueues.has(q.QueueName)).map((q) => q.QueueName);
  }

  /** The messages `queue` (a name or URL) holds now, in the order they arrived; [] for an unknown queue. */
  public messages(queue: string): QueuedMessage[] {
    const tracked = this.trackedOf(queueNameOf(queue));
    if (!tracked) return [];
    const now = this.clock();
    const out: QueuedMessage[] = [];
    for (const [messageId, t] of tracked) {
      if (now >= t.expiresAt) {
        tracked.delete(messageId);
        continue;
      }
      out.push({
        messageId,
        enqueuedAt: t.enqueuedAt,
        receiveCount: Number(t.entry.record.attributes['ApproximateReceiveCount'] ?? 0),
        inFlight: !t.entry.visible,
        delayed: t.hasDelay && t.entry.delayed,
      });
    }
    return out;
  }

  /**
   * Gives a message an earlier enqueue time: a message put back after a restart of the in-memory
   * server stands for one that, on SQS, never left the queue. Its `SentTimestamp` attribute (what
   * consumers read) moves too. False when the queue does not hold that message.
   */
  public backdate(queue: string, messageId: string, enqueuedAt: number): boolean {
    const queueName = queueNameOf(queue);
    const t = this.trackedOf(queueName)?.get(messageId);
    if (!t || !Number.isFinite(enqueuedAt)) return false;
    t.enqueuedAt = enqueuedAt;
    t.entry.record.attributes['SentTimestamp'] = String(Math.round(enqueuedAt));
    for (const listener of [...this.listeners]) listener({ queueName, messageId, arrivedAt: t.arrivedAt, enqueuedAt });
    return true;
  }

  /** Subscribes to back-dates; returns the unsubscribe function. */
  public onBackdate(listener: (event: BackdateEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private trackedOf(queueName: string): Map<string, Tracked> | undefined {
    const queue = this.service?.Queues.find((q) => q.QueueName === queueName);
    return queue ? this.byQueue.get(queue) : undefined;
  }

  private install(queue: SqsQueue): void {
    const marked = queue as SqsQueue & { [INSTALLED]?: true };
    if (marked[INSTALLED]) return;
    marked[INSTALLED] = true;
    const tracked = new Map<string, Tracked>();
    this.byQueue.set(queue, tracked);

    const newRecord = queue.newRecord;
    queue.newRecord = (record: Record<string, unknown>, delay?: number) => {
      const entry = newRecord(record, delay) as QueueEntry;
      const now = this.clock();
      // The package stamps SentTimestamp as it builds the record (for a dead-lettered one: at the move).
      const sentAt = Number(entry.record.attributes['SentTimestamp']);
      const enqueuedAt = Number.isFinite(sentAt) ? sentAt : now;
      const delaySeconds = delay === undefined || Number.isNaN(delay) ? queue.DelaySeconds : delay;
      const source = entry.record.attributes['DeadLetterQueueSourceArn'];
      // Dead-lettered: the source queue has just dropped it (privately), so drop it there too.
      if (source) this.forget(source.slice(source.lastIndexOf(':') + 1), entry.record.MessageId);
      tracked.set(entry.record.MessageId, {
        entry,
        arrivedAt: enqueuedAt,
        enqueuedAt,
        hasDelay: delaySeconds > 0,
        expiresAt: now + queue.MessageRetentionPeriod * 1000,
      });
      return entry;
    };

    const remove = queue.delete.bind(queue);
    queue.delete = (receiptHandle: string): boolean => {
      const removed = remove(receiptHandle); // throws on a handle the package refuses: nothing changes
      const messageId = messageIdOfHandle(receiptHandle);
      if (removed && messageId) tracked.delete(messageId);
      return removed;
    };

    const clear = queue.clearRecords.bind(queue);
    queue.clearRecords = (): void => {
      clear();
      tracked.clear();
    };
  }

  private forget(queueName: string, messageId: string): void {
    this.trackedOf(queueName)?.delete(messageId);
  }
}

