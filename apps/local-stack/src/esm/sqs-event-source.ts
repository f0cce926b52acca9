// SQS event source mapping, as Lambda runs it for a standard queue:
// - pollers long-poll the queue (AttributeNames/MessageAttributeNames 'All', so the records carry
//   ApproximateReceiveCount, SentTimestamp and the message attributes) and gather a batch of up to
//   `batchSize` records for at most `maximumBatchingWindowSeconds`, then invoke the function
//   synchronously with `{ Records: [...] }` in the SQS event record shape;
// - with ReportBatchItemFailures: an empty/missing/null `batchItemFailures` (or no response)
//   deletes the whole batch; listed `itemIdentifier`s stay on the queue (invisible until their
//   visibility timeout ends, then redelivered) and the rest are deleted; an itemIdentifier that is
//   empty, null, missing or not a message id of the batch fails the whole batch;
// - a thrown error or a timeout fails the whole batch: nothing is deleted, every message comes back
//   after its visibility timeout (and counts toward maxReceiveCount, so SQS dead-letters it);
// - without ReportBatchItemFailures any error returns the whole batch and any response deletes it.
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { REGION } from '../constants';
import type { InvokeResult, LambdaErrorPayload } from '../lambda/runtime';

/** The part of a local function the mapping needs. */
export interface Invocable {
  name: string;
  invoke(event: unknown): Promise<InvokeResult>;
}

export interface SqsEventSourceOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  fn: Invocable;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  /**
   * The queue's visibility timeout. Gathering a batch stops after half of it, so that no message
   * becomes visible again (and is received twice) while its batch is still being filled; this only
   * matters with the very short timeouts tests use (production: 60 s against a 1 s window).
   */
  visibilityTimeoutSeconds?: number;
  /** `FunctionResponseTypes: ["ReportBatchItemFailures"]` (our Terraform sets it). Default true. */
  reportBatchItemFailures?: boolean;
  /** Concurrent pollers (each runs one batch at a time). Default 2. */
  pollers?: number;
  /** Called after every batch. */
  onBatch?: (outcome: BatchOutcome) => void;
  /** Called when polling itself fails (the poller retries after a pause). */
  onPollError?: (error: Error) => void;
}

export type BatchVerdict =
  | { kind: 'success' }
  | { kind: 'partial'; failed: string[] }
  | { kind: 'batch-failure'; reason: string; error?: LambdaErrorPayload };

export interface BatchOutcome {
  functionName: string;
  records: SQSRecord[];
  verdict: BatchVerdict;
  /** Message ids deleted from the queue. */
  deleted: string[];
  /** Message ids left on the queue (to come back after the visibility timeout). */
  retained: string[];
  durationMs: number;
}

/** Lambda's verdict on a batch response (pure, exported for tests). */
export function judgeBatchResponse(result: InvokeResult, messageIds: readonly string[], reportBatchItemFailures = true): BatchVerdict {
  if (!result.ok) {
    return { kind: 'batch-failure', reason: `${result.error.errorType}: ${result.error.errorMessage}`, error: result.error };
  }
  if (!reportBatchItemFailures) return { kind: 'success' };
  const response = result.payload;
  if (response === null || response === undefined || typeof response !== 'object' || Array.isArray(response)) {
    // No (or a non-object) response: nothing was reported as failed.
    return { kind: 'success' };
  }
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'batch-failure', reason: 'batchItemFailures is not a list' };
  if (failures.length === 0) return { kind: 'success' };
  const known = new Set(messageIds);
  const failed = new Set<string>();
  for (const item of failures) {
    const id = item && typeof item === 'object' ? (item as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '') {
      return { kind: 'batch-failure', reason: `invalid itemIdentifier ${JSON.stringify(id ?? null)}` };
    }
    if (!known.has(id)) return { kind: 'batch-failure', reason: `itemIdentifier ${id} is not a message of this batch` };
    failed.add(id);
  }
  return { kind: 'partial', failed: [...failed] };
}

/** An SQS message as Lambda puts it in `event.Records`. */
export function toSqsRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  const messageAttributes: SQSRecord['messageAttributes'] = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
      dataType: value.DataType ?? 'String',
    } as SQSRecord['messageAttributes'][string];
  }
  const recordAttributes: Record<string, string> = {
    ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
    SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
    SenderId: attributes.SenderId ?? 'AIDAIENQZJOLO23YVJ4VO',
    ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
  };
  for (const key of ['AWSTraceHeader', 'SequenceNumber', 'MessageGroupId', 'MessageDeduplicationId', 'DeadLetterQueueSourceArn'] as const) {
    const value = attributes[key];
    if (value !== undefined) recordAttributes[key] = value;
  }
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: recordAttributes as unknown as SQSRecord['attributes'],
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: REGION,
  };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

export class SqsEventSource {
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];
  private running = false;

  constructor(private readonly options: SqsEventSourceOptions) {}

  get functionName(): string {
    return this.options.fn.name;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const pollers = Math.max(1, this.options.pollers ?? 2);
    for (let i = 0; i < pollers; i += 1) this.loops.push(this.loop());
  }

  /** Stops polling; a batch being processed is finished first (its deletes included). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.abort.abort();
    await Promise.all(this.loops);
    this.loops = [];
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let messages: Message[];
      try {
        messages = await this.gather();
      } catch (error) {
        if (!this.running) return;
        this.options.onPollError?.(error as Error);
        await sleep(1000, this.abort.signal);
        continue;
      }
      if (messages.length === 0) continue;
      await this.deliver(messages);
    }
  }

  private async receive(max: number, waitSeconds: number): Promise<Message[]> {
    const output = await this.options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.options.queueUrl,
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: waitSeconds,
        AttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: this.abort.signal },
    );
    return output.Messages ?? [];
  }

  /**
   * Long-polls for a first message, then fills the batch until it is full or the window closes.
   *
   * The first receive asks for one message: the local SQS server answers a long poll only when it
   * has MaxNumberOfMessages messages or the wait is over (real SQS answers as soon as it has any),
   * so asking for one is what makes the wait end on the first message, as on SQS. The batch is
   * then filled with short receives (WaitTimeSeconds 0), which that server answers within ~40 ms.
   */
  private async gather(): Promise<Message[]> {
    const { batchSize } = this.options;
    const first = await this.receive(1, 20);
    if (first.length === 0) return first;
    const batch = new Map<string, Message>(first.map((m) => [m.MessageId ?? '', m]));
    const windowMs = Math.min(
      this.options.maximumBatchingWindowSeconds * 1000,
      this.options.visibilityTimeoutSeconds === undefined ? Infinity : (this.options.visibilityTimeoutSeconds * 1000) / 2,
    );
    const deadline = Date.now() + windowMs;
    while (this.running && batch.size < batchSize && Date.now() < deadline) {
      const more = await this.receive(batchSize - batch.size, 0);
      // A message received twice (possible only after its visibility timeout) keeps its newest receipt.
      for (const m of more) batch.set(m.MessageId ?? '', m);
      if (more.length === 0) await sleep(Math.min(deadline - Date.now(), 20), this.abort.signal);
    }
    return [...batch.values()];
  }

  private async deliver(messages: Message[]): Promise<void> {
    const started = performance.now();
    const records = messages.map((m) => toSqsRecord(m, this.options.queueArn));
    const result = await this.options.fn.invoke({ Records: records });
    const ids = records.map((r) => r.messageId);
    const verdict = judgeBatchResponse(result, ids, this.options.reportBatchItemFailures ?? true);
    const retainedIds = new Set(
      verdict.kind === 'success' ? [] : verdict.kind === 'partial' ? verdict.failed : ids,
    );
    const toDelete = records.filter((r) => !retainedIds.has(r.messageId));
    const deleted = await this.deleteAll(toDelete);
    this.options.onBatch?.({
      functionName: this.options.fn.name,
      records,
      verdict,
      deleted,
      retained: [...retainedIds],
      durationMs: performance.now() - started,
    });
  }

  private async deleteAll(records: SQSRecord[]): Promise<string[]> {
    const deleted: string[] = [];
    for (let i = 0; i < records.length; i += 10) {
      const chunk = records.slice(i, i + 10);
      try {
        const output = await this.options.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.options.queueUrl,
            Entries: chunk.map((r, index) => ({ Id: String(index), ReceiptHandle: r.receiptHandle })),
          }),
        );
        for (const ok of output.Successful ?? []) {
          const record = chunk[Number(ok.Id)];
          if (record) deleted.push(record.messageId);
        }
      } catch (error) {
        this.options.onPollError?.(error as Error);
      }
    }
    return deleted;
  }
}
