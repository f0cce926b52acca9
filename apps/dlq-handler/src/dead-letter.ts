import type { SQSRecord } from 'aws-lambda';
import { isRetryableDynamoError, UNPARSEABLE_KEY_PREFIX, type FailedOrdersRepository, type OrdersRepository } from '@dofs/ddb-repo';
import { correlationIdFromSqsAttributes, type Logger } from '@dofs/handler-kit';
import type { FailedOrderRecord, StoredOrder } from '@dofs/order-domain';
import { MalformedMessageError, parseOrderRecord, receiveCountOf, sentAtOf, type ParsedOrderRecord } from '@dofs/queue-client';

export type OrdersReader = Pick<OrdersRepository, 'get'>;
export type DeadLetterArchive = Pick<FailedOrdersRepository, 'recordDeadLetter'>;

export interface DeadLetterDeps {
  orders: OrdersReader;
  failedOrders: DeadLetterArchive;
  logger: Logger;
  now: () => Date;
}

/**
 * DynamoDB items are limited to 400 KB, SQS bodies to 1 MiB. A body larger than this is archived
 * truncated (with its full size recorded), because an item that can never be written would leave
 * the dead letter failing until the DLQ's retention drops it.
 */
export const MAX_ARCHIVED_BODY_BYTES = 256 * 1024;

function archivedBody(body: string): { original_message: string; original_message_bytes?: number; original_message_truncated?: true } {
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes <= MAX_ARCHIVED_BODY_BYTES) return { original_message: body };
  // Cutting inside a multi-byte character leaves one U+FFFD at the end: acceptable for an archive.
  const kept = Buffer.from(body, 'utf8').subarray(0, MAX_ARCHIVED_BODY_BYTES).toString('utf8');
  return { original_message: kept, original_message_bytes: bytes, original_message_truncated: true };
}

/** The order's last_error if it can be read; a read that fails for good (not transiently) only loses the detail. */
async function orderOf(orderId: string, deps: DeadLetterDeps): Promise<StoredOrder | undefined> {
  try {
    return await deps.orders.get(orderId);
  } catch (error) {
    if (isRetryableDynamoError(error)) throw error;
    deps.logger.warn('could not read the order for its last error; archiving without it', { order_id: orderId, error });
    return undefined;
  }
}

/**
 * What failed_orders keeps of one dead-lettered message. `attempts` is the message's receive count
 * (or the order's recorded attempts, if higher); `reason` the order's last_error when known.
 */
async function deadLetterRecord(
  record: SQSRecord,
  parsed: ParsedOrderRecord | undefined,
  malformedReason: string | undefined,
  deps: DeadLetterDeps,
): Promise<{ item: FailedOrderRecord; order: StoredOrder | undefined }> {
  const receiveCount = parsed?.receiveCount ?? receiveCountOf(record);
  const correlationId = parsed?.correlationId ?? correlationIdFromSqsAttributes(record);
  const firstSentAt = parsed?.sentAt ?? sentAtOf(record);
  let orderId: string;
  let reason: string;
  let attempts = receiveCount;
  let order: StoredOrder | undefined;
  if (parsed) {
    orderId = parsed.message.order_id;
    order = await orderOf(orderId, deps);
    if (order) attempts = Math.max(receiveCount, order.attempts);
    reason = order?.last_error ?? (order ? `not fulfilled after ${attempts} attempt(s)` : 'the order does not exist');
  } else {
    orderId = `${UNPARSEABLE_KEY_PREFIX}${record.messageId}`;
    reason = `unparseable message: ${malformedReason ?? 'unknown reason'}`;
  }
  const item: FailedOrderRecord = {
    order_id: orderId,
    message_id: record.messageId,
    ...archivedBody(typeof record.body === 'string' ? record.body : String(record.body)),
    attempts,
    reason,
    ...(correlationId ? { correlation_id: correlationId } : {}),
    ...(firstSentAt ? { first_sent_at: firstSentAt } : {}),
    failed_at: deps.now().toISOString(),
  };
  return { item, order };
}

/**
 * One order_dlq record: archived in failed_orders and its order set FAILED (one transaction,
 * idempotent: see FailedOrdersRepository.recordDeadLetter). A body that cannot be parsed is still
 * archived, under `unparseable#<message_id>`, with its raw body. Any failure rejects, so the record
 * is reported as a batch item failure and comes back: a dead letter is never dropped.
 */
export async function archiveDeadLetter(record: SQSRecord, deps: DeadLetterDeps): Promise<void> {
  let parsed: ParsedOrderRecord | undefined;
  let malformedReason: string | undefined;
  try {
    parsed = parseOrderRecord(record);
  } catch (error) {
    if (!(error instanceof MalformedMessageError)) throw error;
    malformedReason = error.reason;
  }
  const base = { message_id: record.messageId, order_id: parsed?.message.order_id, correlation_id: parsed?.correlationId ?? correlationIdFromSqsAttributes(record) };
  const log = deps.logger.child(base);
  try {
    const { item, order } = await deadLetterRecord(record, parsed, malformedReason, deps);
    const result = await deps.failedOrders.recordDeadLetter(item, order?.status);
    log.info(result.recorded ? 'dead letter archived' : 'dead letter already archived', {
      archive_key: item.order_id,
      recorded: result.recorded,
      order_status: result.orderStatus,
      attempts: item.attempts,
      reason: item.reason,
    });
  } catch (error) {
    log.error('dead letter not archived: reported for redelivery', { outcome: 'BATCH_ITEM_FAILURE', error });
    throw error;
  }
}
