import type { SQSRecord } from 'aws-lambda';
import { isRetryableDynamoError, UNPARSEABLE_KEY_PREFIX, type FailedOrdersRepository, type OrdersRepository } from '@dofs/ddb-repo';
import { correlationIdFromSqsAttributes, type Logger, type Metrics } from '@dofs/handler-kit';
import { PUBLIC_REASONS, type FailedOrderRecord, type StoredOrder } from '@dofs/order-domain';
import { MalformedMessageError, parseOrderRecord, receiveCountOf, sentAtOf, type ParsedOrderRecord, type QueueClient } from '@dofs/queue-client';

export type OrdersReader = Pick<OrdersRepository, 'get'>;
export type DeadLetterArchive = Pick<FailedOrdersRepository, 'recordDeadLetter'>;
export type OrderSender = Pick<QueueClient, 'sendOrderMessage'>;

export interface TriageSettings {
  orderQueueUrl: string;
  /** order_queue's maxReceiveCount: the fulfilment attempts one round of delivery allows. */
  maxReceiveCount: number;
  /** How often an order whose processing failed goes back to order_queue before it is FAILED. */
  redriveBudget: number;
  /** Delay of the first send back; doubled each time, at most 900 s (SQS's maximum). */
  redriveDelaySeconds: number;
}

export interface DeadLetterDeps {
  orders: OrdersReader;
  failedOrders: DeadLetterArchive;
  queue: OrderSender;
  triage: TriageSettings;
  logger: Logger;
  /** OrdersFailed is counted when this handler marks an order FAILED. */
  metrics: Pick<Metrics, 'count'>;
  now: () => Date;
}

/** What became of one dead letter. */
export type DeadLetterOutcome = 'ARCHIVED' | 'SENT_BACK' | 'ALREADY_DONE';

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
 * Did the order's fulfilment itself fail a round of `maxReceiveCount` attempts? Attempts are
 * recorded on the order by fulfill-order; a message sent back carries the attempts it started from
 * (`attempt_offset`). Fewer recorded than that means receives ended without an attempt: DynamoDB
 * unreachable, a timeout, a crash: processing failed, not the order.
 */
function fulfilmentFailed(order: StoredOrder, parsed: ParsedOrderRecord, triage: TriageSettings): boolean {
  return order.attempts - parsed.attemptOffset >= triage.maxReceiveCount;
}

/**
 * One order_dlq record, triaged:
 * - the order's fulfilment failed `maxReceiveCount` times: archived in failed_orders and the order
 *   set FAILED, in one transaction (idempotent, see FailedOrdersRepository.recordDeadLetter);
 * - it reached the DLQ because processing failed: sent back to order_queue with a doubling delay,
 *   within the redrive budget; when the budget is spent, FAILED with a public "not processed" reason;
 * - the order is FULFILLED or REJECTED already: nothing to do (a late duplicate);
 * - unparseable body or unknown order: archived (under `unparseable#<message_id>` for the former).
 * Any failure rejects, so the record is reported and comes back (and after order_dlq's own
 * maxReceiveCount it moves to the parking queue): a dead letter is never dropped.
 */
export async function handleDeadLetter(record: SQSRecord, deps: DeadLetterDeps): Promise<DeadLetterOutcome> {
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
    if (parsed && order && (order.status === 'FULFILLED' || order.status === 'REJECTED')) {
      log.info('order already terminal: dead letter acknowledged without change', { order_status: order.status, outcome: 'ALREADY_DONE' });
      return 'ALREADY_DONE';
    }
    // An open order whose processing failed (not its fulfilment): back to the queue, or FAILED when the budget is spent.
    const processingFailed = parsed && order && order.status !== 'FAILED' && !fulfilmentFailed(order, parsed, deps.triage) ? { parsed, order } : undefined;
    if (processingFailed) {
      const { parsed, order } = processingFailed;
      if (parsed.dlqRedrives < deps.triage.redriveBudget) {
        const delaySeconds = Math.min(900, deps.triage.redriveDelaySeconds * 2 ** parsed.dlqRedrives);
        await deps.queue.sendOrderMessage(deps.triage.orderQueueUrl, parsed.message, {
          ...(parsed.correlationId ? { correlationId: parsed.correlationId } : {}),
          attemptOffset: order.attempts,
          dlqRedrives: parsed.dlqRedrives + 1,
          delaySeconds,
        });
        log.warn('processing failed, not the order: sent back to order_queue', {
          outcome: 'SENT_BACK',
          attempts: order.attempts,
          receive_count: parsed.receiveCount,
          dlq_redrives: parsed.dlqRedrives + 1,
          delay_seconds: delaySeconds,
        });
        return 'SENT_BACK';
      }
      item.reason = `processing failed ${parsed.dlqRedrives + 1} time(s) with ${order.attempts} fulfilment attempt(s) recorded; redrive budget spent`;
    }
    const result = await deps.failedOrders.recordDeadLetter(item, order?.status, processingFailed ? PUBLIC_REASONS.NOT_PROCESSED : PUBLIC_REASONS.FULFILMENT_FAILED);
    // Counted once per order: a later copy finds the order FAILED already (or its archive written).
    if (result.recorded && result.orderStatus === 'FAILED' && order !== undefined && order.status !== 'FAILED') deps.metrics.count('OrdersFailed');
    // An order failed for good is a warning (logged at the deployed LOG_LEVEL warn); a repeat copy is not.
    (result.recorded ? log.warn : log.info).call(log, result.recorded ? 'dead letter archived' : 'dead letter already archived', {
      outcome: 'ARCHIVED',
      archive_key: item.order_id,
      recorded: result.recorded,
      order_status: result.orderStatus,
      attempts: item.attempts,
      reason: item.reason,
    });
    return 'ARCHIVED';
  } catch (error) {
    log.error('dead letter not handled: reported for redelivery', { outcome: 'BATCH_ITEM_FAILURE', error });
    throw error;
  }
}
