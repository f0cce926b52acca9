import {
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  type MessageAttributeValue,
  type SendMessageBatchRequestEntry,
} from '@aws-sdk/client-sqs';
import type { OrderMessage } from '@dofs/order-domain';
import {
  BACKOFF_BASE_MS,
  BACKOFF_MAX_MS,
  CORRELATION_ID_ATTRIBUTE,
  DEFAULT_MAX_SEND_ATTEMPTS,
  ORDER_ID_ATTRIBUTE,
  SQS_MAX_BATCH_ENTRIES,
} from './constants';
import { BatchSendError, type FailedSend } from './errors';

export interface QueueClientOptions {
  /** Default: a client from the environment (region, credentials, `AWS_ENDPOINT_URL_SQS`). */
  client?: SQSClient;
  /** Attempts per batch entry that SQS reports as failed without sender fault. Default 3. */
  maxSendAttempts?: number;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

export interface OutgoingOrderMessage {
  message: OrderMessage;
  correlationId?: string;
}

interface PendingEntry {
  /** Batch entry id: the message's index in the caller's list, unique within a call. */
  id: string;
  orderId: string;
  entry: SendMessageBatchRequestEntry;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with equal jitter: between half and all of min(max, base * 2^(retry-1)). */
function backoffMs(retry: number): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/** The `order_id` and `correlation_id` String attributes; an absent or empty correlation id is left out (SQS rejects empty values). */
function attributesFor(message: OrderMessage, correlationId: string | undefined): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {
    [ORDER_ID_ATTRIBUTE]: { DataType: 'String', StringValue: message.order_id },
  };
  const correlation = correlationId ?? message.correlation_id;
  if (correlation) attributes[CORRELATION_ID_ATTRIBUTE] = { DataType: 'String', StringValue: correlation };
  return attributes;
}

function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const { name, code } = err as { name?: unknown; code?: unknown };
    if (typeof code === 'string') return code;
    if (typeof name === 'string') return name;
  }
  return 'UnknownError';
}

/**
 * Sends order messages to an SQS queue. The body is the `OrderMessage` as JSON; `order_id` and
 * `correlation_id` also travel as message attributes, so consumers and operators can see them
 * without parsing the body.
 */
export class QueueClient {
  private readonly client: SQSClient;
  private readonly maxSendAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;

  public constructor(opts: QueueClientOptions = {}) {
    this.client = opts.client ?? new SQSClient({});
    this.maxSendAttempts = Math.max(1, opts.maxSendAttempts ?? DEFAULT_MAX_SEND_ATTEMPTS);
    this.sleep = opts.sleep ?? defaultSleep;
  }

  /** Sends one message. Errors are the SDK's, after its own retries of throttling, 5xx and network failures. */
  public async sendOrderMessage(queueUrl: string, message: OrderMessage, opts: { correlationId?: string } = {}): Promise<{ messageId: string }> {
    const { MessageId } = await this.client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(message),
        MessageAttributes: attributesFor(message, opts.correlationId),
      }),
    );
    if (!MessageId) throw new Error(`SQS accepted a message for order ${message.order_id} but returned no MessageId`);
    return { messageId: MessageId };
  }

  /**
   * Sends many messages in batches of 10. SQS can accept a batch yet fail some of its entries:
   * those it does not blame on the sender are resent with backoff, up to `maxSendAttempts`; the
   * rest (and those still failing) are reported together in one `BatchSendError` after every
   * other message was sent. A batch request that fails as a whole marks all its entries failed.
   */
  public async sendOrderMessages(queueUrl: string, messages: OutgoingOrderMessage[]): Promise<{ sent: number }> {
    const entries: PendingEntry[] = messages.map(({ message, correlationId }, index) => ({
      id: `m${index}`,
      orderId: message.order_id,
      entry: {
        Id: `m${index}`,
        MessageBody: JSON.stringify(message),
        MessageAttributes: attributesFor(message, correlationId),
      },
    }));
    let sent = 0;
    const failed: FailedSend[] = [];
    let firstRequestError: unknown;
    for (let start = 0; start < entries.length; start += SQS_MAX_BATCH_ENTRIES) {
      const outcome = await this.sendBatch(queueUrl, entries.slice(start, start + SQS_MAX_BATCH_ENTRIES));
      sent += outcome.sent;
      failed.push(...outcome.failed);
      firstRequestError ??= outcome.requestError;
    }
    if (failed.length > 0) throw new BatchSendError(failed, sent, firstRequestError === undefined ? undefined : { cause: firstRequestError });
    return { sent };
  }

  /** One batch of at most 10, with retries of the entries that failed transiently. */
  private async sendBatch(queueUrl: string, batch: PendingEntry[]): Promise<{ sent: number; failed: FailedSend[]; requestError?: unknown }> {
    let pending = batch;
    let sent = 0;
    const failed: FailedSend[] = [];
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      let output;
      try {
        output = await this.client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending.map((p) => p.entry) }));
      } catch (err) {
        // The SDK has already retried what it considers retryable; nothing of this request was sent.
        const code = errorCode(err);
        const senderFault = (err as { $fault?: unknown }).$fault === 'client';
        failed.push(...pending.map((p) => ({ orderId: p.orderId, code, message: (err as Error).message, senderFault })));
        return { sent, failed, requestError: err };
      }
      const byId = new Map(pending.map((p) => [p.id, p]));
      for (const ok of output.Successful ?? []) {
        if (ok.Id !== undefined && byId.delete(ok.Id)) sent += 1;
      }
      const retry: PendingEntry[] = [];
      for (const bad of output.Failed ?? []) {
        const entry = bad.Id === undefined ? undefined : byId.get(bad.Id);
        if (entry === undefined) continue;
        byId.delete(entry.id);
        const failure: FailedSend = { orderId: entry.orderId, code: bad.Code ?? 'UnknownError', senderFault: bad.SenderFault === true, ...(bad.Message ? { message: bad.Message } : {}) };
        if (failure.senderFault || attempt >= this.maxSendAttempts) failed.push(failure);
        else retry.push(entry);
      }
      // An entry SQS reported neither way is unaccounted for: treat it as a transient failure.
      for (const entry of byId.values()) {
        if (attempt >= this.maxSendAttempts) failed.push({ orderId: entry.orderId, code: 'NoResult', senderFault: false });
        else retry.push(entry);
      }
      pending = retry;
      if (pending.length > 0) await this.sleep(backoffMs(attempt));
    }
    return { sent, failed };
  }
}
