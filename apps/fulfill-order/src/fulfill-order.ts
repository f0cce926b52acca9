import type { SQSRecord } from 'aws-lambda';
import { AttemptRaceError, DuplicateAttemptError, StaleStatusError, type OrdersRepository } from '@dofs/ddb-repo';
import { correlationIdFromSqsAttributes, type Logger, type Metrics } from '@dofs/handler-kit';
import { attemptsThisRound, isTerminal, type OrderStatus, type StoredOrder } from '@dofs/order-domain';
import { MalformedMessageError, parseOrderRecord, type ParsedOrderRecord } from '@dofs/queue-client';
import { AttemptsUsedUpError, FulfilmentFailedError, StatusRaceError, UnknownOrderError } from './errors';

export type OrdersStore = Pick<OrdersRepository, 'get' | 'transition' | 'recordFailedAttempt'>;

export interface FulfilOrderDeps {
  orders: OrdersStore;
  logger: Logger;
  /** Probability (0..1) that the simulated fulfilment succeeds. */
  successRate: number;
  /** Fulfilment attempts a round allows (order_queue's maxReceiveCount): once made, a copy makes none. */
  attemptsPerRound: number;
  /** A number in [0, 1); Math.random in production. */
  random: () => number;
  /** FulfilmentAttempts (each attempt written, success or failure), OrdersFulfilled and IntakeToTerminalMs. */
  metrics: Pick<Metrics, 'count' | 'sample'>;
  now: () => Date;
}

/** How often a lost status race is re-read and decided again before the record is left to redelivery. */
const MAX_STATUS_RACES = 3;

export type RecordOutcome = 'FULFILLED' | 'ALREADY_TERMINAL';

function attemptError(attempt: number): string {
  return `simulated fulfilment failure on attempt ${attempt}`;
}

/**
 * One order_queue record. Resolves when the record may be deleted (fulfilled, or the order was
 * already terminal); rejects when it must come back (the attempt failed, the message is malformed,
 * the order is unknown, DynamoDB failed), which the partial-batch middleware reports as a batch
 * item failure. An attempt is one draw of the simulated fulfilment, counted on the order
 * (`attempts`), not an SQS receive: a receive that dies before its draw costs the order nothing.
 * A round allows `attemptsPerRound` attempts; after them a copy only waits for the dead-letter
 * queue, where dlq-handler ends the order. A lost status race re-reads the order and writes the
 * same outcome from its new status.
 */
export async function fulfilRecord(record: SQSRecord, deps: FulfilOrderDeps): Promise<RecordOutcome> {
  let parsed: ParsedOrderRecord;
  try {
    parsed = parseOrderRecord(record);
  } catch (error) {
    if (error instanceof MalformedMessageError) {
      deps.logger.child({ message_id: record.messageId, correlation_id: correlationIdFromSqsAttributes(record) }).warn('malformed message: reported as failed so that it reaches the DLQ', {
        reason: error.reason,
        outcome: 'BATCH_ITEM_FAILURE',
      });
    }
    throw error;
  }
  const orderId = parsed.message.order_id;
  const log = deps.logger.child({ message_id: parsed.messageId, order_id: orderId, correlation_id: parsed.correlationId, receive_count: parsed.receiveCount });
  // Drawn before any I/O, so the draws of a batch follow the order of its records (reproducible
  // with an injected random source). Unused when the order turns out to be terminal already.
  const succeeded = deps.random() < deps.successRate;

  try {
    let order: StoredOrder | undefined = await deps.orders.get(orderId);
    for (let race = 0; race <= MAX_STATUS_RACES; race += 1) {
      if (order === undefined) throw new UnknownOrderError(`order ${orderId} does not exist`);
      const from: OrderStatus = order.status;
      if (isTerminal(from)) {
        log.info('order already terminal: acknowledged without change', { order_status: from, outcome: 'ALREADY_TERMINAL' });
        return 'ALREADY_TERMINAL';
      }
      if (attemptsThisRound(order) >= deps.attemptsPerRound) throw new AttemptsUsedUpError(`order ${orderId} has made the ${deps.attemptsPerRound} attempt(s) of its round`);
      const attempt = order.attempts + 1;
      try {
        if (succeeded) {
          await deps.orders.transition(orderId, from, 'FULFILLED', { attempts: attempt, attempt });
          log.info('order fulfilled', { from, attempt, outcome: 'FULFILLED' });
          deps.metrics.count('FulfilmentAttempts');
          deps.metrics.count('OrdersFulfilled');
          const sinceIntake = deps.now().getTime() - Date.parse(order.received_at);
          if (Number.isFinite(sinceIntake)) deps.metrics.sample('IntakeToTerminalMs', Math.max(0, sinceIntake), 'Milliseconds');
          return 'FULFILLED';
        }
        await deps.orders.recordFailedAttempt(orderId, { from, recordedAttempts: order.attempts, receive: parsed.receive, error: attemptError(attempt) });
        deps.metrics.count('FulfilmentAttempts');
        throw new FulfilmentFailedError(attemptError(attempt));
      } catch (error) {
        if (!(error instanceof StaleStatusError) && !(error instanceof AttemptRaceError)) throw error;
        log.debug('order changed meanwhile: deciding again', { error_message: error.message });
        order = await deps.orders.get(orderId);
      }
    }
    throw new StatusRaceError(`order ${orderId} kept changing`);
  } catch (error) {
    if (error instanceof FulfilmentFailedError) {
      log.info('fulfilment attempt failed: recorded, reported for redelivery', { outcome: 'BATCH_ITEM_FAILURE', error_message: error.message });
    } else if (error instanceof DuplicateAttemptError) {
      log.info('fulfilment attempt failed: already recorded by an earlier copy, reported for redelivery', { outcome: 'BATCH_ITEM_FAILURE' });
    } else if (error instanceof AttemptsUsedUpError) {
      log.info('the attempts of this round are used up: reported, so that the message reaches the dead-letter queue', { outcome: 'BATCH_ITEM_FAILURE' });
    } else {
      log.warn('record failed: reported for redelivery', { outcome: 'BATCH_ITEM_FAILURE', error });
    }
    throw error;
  }
}
