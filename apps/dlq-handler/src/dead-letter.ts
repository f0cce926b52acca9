import type { SQSRecord } from 'aws-lambda';
import { DispatchRaceError, isRetryableDynamoError, StaleStatusError, UNPARSEABLE_KEY_PREFIX, type FailedOrdersRepository, type OrdersRepository } from '@dofs/ddb-repo';
import { correlationIdFromSqsAttributes, type Logger, type LoggerLike, type Metrics } from '@dofs/handler-kit';
import { attemptsThisRound, isSuperseded, nextDispatch, PUBLIC_REASONS, type FailedOrderRecord, type StoredOrder } from '@dofs/order-domain';
import { MalformedMessageError, parseOrderRecord, receiveCountOf, sentAtOf, type OrderDispatcher, type ParsedOrderRecord } from '@dofs/queue-client';

export type OrdersReader = Pick<OrdersRepository, 'get' | 'recordDispatch'>;
export type DeadLetterArchive = Pick<FailedOrdersRepository, 'recordDeadLetter'>;
export type OrderSender = Pick<OrderDispatcher, 'enqueueOrder'>;

export interface TriageSettings {
  /** order_queue's maxReceiveCount: the fulfilment attempts one round of delivery allows. */
  maxReceiveCount: number;
  /** How often an order whose processing failed goes back to order_queue before it is FAILED. */
  redriveBudget: number;
  /** Delay of the first send back; doubled each time, at most 900 s (SQS's maximum). */
  redriveDelaySeconds: number;
  /** How long a send-back's SendMessage may take once its dispatch is written (the SQS client's worst case). */
  sendWithinSeconds: number;
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
export type DeadLetterOutcome = 'ARCHIVED' | 'SENT_BACK' | 'ALREADY_DONE' | 'SUPERSEDED';

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
 * What failed_orders keeps of one dead-lettered message. `attempts` is the order's recorded
 * fulfilment attempts (the message's receive count when there is no order); `reason` the order's
 * last_error when known.
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
    // Attempts are fulfilment draws, counted on the order; the receive count also counts receives that drew nothing.
    if (order) attempts = order.attempts;
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
 * Did the order's fulfilment itself fail a round? Attempts are counted on the order by
 * fulfill-order, one per draw; a round allows `maxReceiveCount`. Fewer means receives ended without
 * a draw (DynamoDB unreachable, a timeout, a crash): processing failed, not the order.
 */
function fulfilmentFailed(order: StoredOrder, triage: TriageSettings): boolean {
  return attemptsThisRound(order) >= triage.maxReceiveCount;
}

/** How many times the same dead letter may find the order's dispatch changed under it before it is left for redelivery. */
const MAX_DISPATCH_RACES = 2;

/**
 * One order_dlq record, triaged by what the order says (never by the message's own counters, which
 * a stale copy would carry wrongly):
 * - the order is FULFILLED or REJECTED: nothing to do (a late duplicate);
 * - the message is superseded (the order has a newer dispatch, i.e. a newer message carries it):
 *   acknowledged, nothing written;
 * - the order made every fulfilment attempt of its round: archived in failed_orders and set FAILED,
 *   in one transaction (idempotent, see FailedOrdersRepository.recordDeadLetter);
 * - otherwise processing failed, not the order: sent back to order_queue with a doubling delay under
 *   a new dispatch (written first, then sent; a retry of this dead letter resends the same one),
 *   within the round's redrive budget; once it is spent, FAILED with a public "not processed" reason;
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
    for (let race = 0; ; race += 1) {
      const { item, order } = await deadLetterRecord(record, parsed, malformedReason, deps);
      if (parsed && order && (order.status === 'FULFILLED' || order.status === 'REJECTED')) {
        log.info('order already terminal: dead letter acknowledged without change', { order_status: order.status, outcome: 'ALREADY_DONE' });
        return 'ALREADY_DONE';
      }
      const open = parsed && order && order.status !== 'FAILED' ? { parsed, order } : undefined;
      // A copy of an earlier carrier: a newer message carries the order (and if that one is lost, the reconciler sees it).
      if (open && isSuperseded(open.order, open.parsed.message.dispatch) && open.order.dispatch?.source !== record.messageId) {
        log.warn('dead letter superseded by a newer message of the order: acknowledged, nothing written', {
          outcome: 'SUPERSEDED',
          message_dispatch: open.parsed.message.dispatch ?? null,
          order_dispatch: open.order.dispatch?.seq,
          body: record.body,
        });
        return 'SUPERSEDED';
      }
      // An open order whose processing failed (not its fulfilment): back to the queue, or FAILED when the budget is spent.
      const processingFailed = open && !fulfilmentFailed(open.order, deps.triage) ? open : undefined;
      if (processingFailed) {
        const sentBack = await sendBack(record, processingFailed.order, deps, log);
        if (sentBack === 'SENT_BACK') return sentBack;
        if (sentBack === 'RACED' && race < MAX_DISPATCH_RACES) continue;
        if (sentBack === 'RACED') throw new Error(`order ${processingFailed.order.order_id} kept changing while its dead letter was triaged`);
        item.reason = `processing failed ${(processingFailed.order.dlq_redrives ?? 0) + 1} time(s) with ${attemptsThisRound(processingFailed.order)} fulfilment attempt(s) recorded this round; redrive budget spent`;
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
    }
  } catch (error) {
    log.error('dead letter not handled: reported for redelivery', { outcome: 'BATCH_ITEM_FAILURE', error });
    throw error;
  }
}

/**
 * Sends an order whose processing failed back to order_queue under a new dispatch, written before
 * the send (so the reconciler never takes the message for lost). A retry of the same dead letter
 * (its send failed after the write) finds its own dispatch (`source`) and writes a fresh one
 * without counting the send-back again. 'BUDGET_SPENT' when the round's send-backs are used up;
 * 'RACED' when the order changed meanwhile.
 */
async function sendBack(record: SQSRecord, order: StoredOrder, deps: DeadLetterDeps, log: LoggerLike): Promise<'SENT_BACK' | 'BUDGET_SPENT' | 'RACED'> {
  const now = deps.now();
  const resumed = order.dispatch?.source === record.messageId;
  const redrives = order.dlq_redrives ?? 0;
  if (!resumed && redrives >= deps.triage.redriveBudget) return 'BUDGET_SPENT';
  const delaySeconds = resumed
    ? Math.max(0, Math.ceil((Date.parse(order.dispatch?.visible_at ?? '') - now.getTime()) / 1000) || 0)
    : Math.min(900, deps.triage.redriveDelaySeconds * 2 ** redrives);
  const dispatch = nextDispatch(order.dispatch, { at: now, sendWithinSeconds: deps.triage.sendWithinSeconds, delaySeconds, by: 'dlq-handler', source: record.messageId });
  try {
    await deps.orders.recordDispatch(order.order_id, { from: order.status, expectedSeq: order.dispatch?.seq ?? 0, dispatch, dlqRedrives: resumed ? redrives : redrives + 1 });
  } catch (error) {
    if (error instanceof DispatchRaceError || error instanceof StaleStatusError) return 'RACED';
    throw error;
  }
  await deps.queue.enqueueOrder(order, dispatch.seq, { delaySeconds });
  log.warn('processing failed, not the order: sent back to order_queue', {
    outcome: 'SENT_BACK',
    attempts: order.attempts,
    dispatch: dispatch.seq,
    dlq_redrives: resumed ? redrives : redrives + 1,
    delay_seconds: delaySeconds,
  });
  return 'SENT_BACK';
}
