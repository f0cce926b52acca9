import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { canTransition, type Dispatch, type FieldError, type OrderStatus, type PublicReason, type StatusChange, type StoredOrder } from '@dofs/order-domain';
import { isConditionalCheckFailed, viewOfRawItem, type OldItemView } from './condition-failure';
import { STATUS_NAME } from './constants';
import { createDocumentClient } from './document-client';
import { readOrder, type OrderItem } from './orders-table';
import { AttemptRaceError, DispatchRaceError, DuplicateAttemptError, IllegalTransitionError, OrderNotFoundError, StaleStatusError } from './errors';
import { statusWrite, updateExpression } from './status-write';

export interface OrdersRepositoryOptions {
  /** The orders table (from configuration, e.g. `ORDERS_TABLE`). */
  tableName: string;
  /** The function that writes, recorded as `by` in the status history (e.g. `store-order`). */
  writer: string;
  client?: DynamoDBDocumentClient;
  /** Clock for `updated_at`; injectable for tests. */
  now?: () => Date;
}

/** Fields a transition may set besides the status. */
export interface TransitionChanges {
  attempts?: number;
  last_error?: string;
  failure_reason?: string;
  status_reason?: PublicReason;
  total_cents?: number;
  rejection_reasons?: FieldError[];
  /** The order's carrier from now on (store-order's RECEIVED -> PENDING records the workflow's message). */
  dispatch?: Dispatch;
  /** The fulfilment attempt, recorded in the history entry. */
  attempt?: number;
}

const CHANGE_FIELDS = ['attempts', 'last_error', 'failure_reason', 'status_reason', 'total_cents', 'rejection_reasons', 'dispatch'] as const;

export interface FailedAttempt {
  /** The status the caller read and expects the order to still have. */
  from: OrderStatus;
  /** The attempts the caller read: this failure is attempt `recordedAttempts + 1`. */
  recordedAttempts: number;
  /** The SQS receive that made the attempt (`<message id>#<receive count>`): a retried write of it is recognised. */
  receive: string;
  error: string;
}

/** A new carrier for an open order, written before its message is sent (dlq-handler's send-back). */
export interface Redispatch {
  /** The status the caller read. */
  from: OrderStatus;
  /** The dispatch seq the caller read (0 when the order had none): whoever writes the next one first sends it. */
  expectedSeq: number;
  dispatch: Dispatch;
  /** dlq-handler's send-backs in this round, counting this one. */
  dlqRedrives?: number;
}

/**
 * The `orders` table. Every status write is a conditional write on the status the caller expects,
 * so a redelivered message or a retried task can never move an order twice or overwrite a newer
 * status: the loser of a race gets a typed error and nothing is written.
 */
export class OrdersRepository {
  private readonly tableName: string;
  private readonly writer: string;
  private readonly client: DynamoDBDocumentClient;
  private readonly now: () => Date;

  public constructor(opts: OrdersRepositoryOptions) {
    this.tableName = opts.tableName;
    this.writer = opts.writer;
    this.client = opts.client ?? createDocumentClient();
    this.now = opts.now ?? (() => new Date());
  }

  /** The order as last written (strongly consistent read), or `undefined`. */
  public async get(orderId: string): Promise<OrderItem | undefined> {
    return readOrder(this.client, this.tableName, orderId);
  }

  /**
   * Moves an order from `from` to `to` (and sets the given fields and `updated_at`) only if it is
   * still in `from`. Throws `IllegalTransitionError` before any write when the status model forbids
   * the move, `StaleStatusError` when the order is in another status, `OrderNotFoundError` when absent.
   */
  public async transition(orderId: string, from: OrderStatus, to: OrderStatus, changes: TransitionChanges = {}): Promise<StoredOrder> {
    if (!canTransition(from, to)) throw new IllegalTransitionError(orderId, from, to);
    const parts = statusWrite(this.change(from, to, changes.attempt));
    for (const field of CHANGE_FIELDS) {
      if (changes[field] === undefined) continue;
      parts.sets.push(`${field} = :${field}`);
      parts.values[`:${field}`] = changes[field];
    }
    const outcome = await this.updateFrom(orderId, from, updateExpression(parts.sets, parts.removes), parts.values);
    if ('updated' in outcome) return outcome.updated;
    throw new StaleStatusError(orderId, from, outcome.old.status);
  }

  /** The history entry of a move made now by this repository's writer. */
  private change(from: OrderStatus, to: OrderStatus, attempt?: number): StatusChange {
    return { from, to, at: this.now().toISOString(), by: this.writer, ...(attempt === undefined ? {} : { attempt }) };
  }

  /**
   * Records a failed fulfilment attempt: status RETRYING, `attempts = recordedAttempts + 1`,
   * `last_error`, `last_attempt_receive`. Attempts count draws, not SQS receives, so a receive that
   * died before its draw costs none. Only if the order is still in `from` with the attempts the
   * caller read: `StaleStatusError` when the status differs, `DuplicateAttemptError` when this
   * receive's attempt is already recorded (a retried write, or a redelivered copy of the same
   * receive), `AttemptRaceError` when another receive recorded one meanwhile (the caller re-reads
   * and records its draw as the next attempt); `OrderNotFoundError` when the order is absent.
   */
  public async recordFailedAttempt(orderId: string, attempt: FailedAttempt): Promise<StoredOrder> {
    const to: OrderStatus = 'RETRYING';
    if (!canTransition(attempt.from, to)) throw new IllegalTransitionError(orderId, attempt.from, to);
    if (!Number.isSafeInteger(attempt.recordedAttempts) || attempt.recordedAttempts < 0) throw new RangeError(`recordedAttempts must be a non-negative integer, got ${attempt.recordedAttempts}`);
    const n = attempt.recordedAttempts + 1;
    const parts = statusWrite(this.change(attempt.from, to, n));
    parts.sets.push('attempts = :attempt', 'last_error = :error', 'last_attempt_receive = :receive');
    const outcome = await this.updateFrom(
      orderId,
      attempt.from,
      updateExpression(parts.sets, parts.removes),
      { ...parts.values, ':attempt': n, ':read_attempts': attempt.recordedAttempts, ':error': attempt.error, ':receive': attempt.receive },
      // Every order is written with attempts (0 at intake). A receive records at most one attempt.
      'attempts = :read_attempts AND (attribute_not_exists(last_attempt_receive) OR last_attempt_receive <> :receive)',
    );
    if ('updated' in outcome) return outcome.updated;
    if (outcome.old.status !== attempt.from) throw new StaleStatusError(orderId, attempt.from, outcome.old.status);
    if (outcome.old.last_attempt_receive === attempt.receive) throw new DuplicateAttemptError(orderId, n, outcome.old.attempts ?? 0);
    throw new AttemptRaceError(orderId, attempt.recordedAttempts, outcome.old.attempts ?? 0);
  }

  /**
   * Records a new carrier (`dispatch`) for an open order before its message is sent, on condition
   * that status and dispatch seq are still those read, so of two senders exactly one sends.
   * `StaleStatusError` when the status changed, `DispatchRaceError` when another dispatch was
   * written first.
   */
  public async recordDispatch(orderId: string, redispatch: Redispatch): Promise<StoredOrder> {
    const sets = ['#dispatch = :dispatch', 'updated_at = :now'];
    const values: Record<string, unknown> = { ':dispatch': redispatch.dispatch, ':now': this.now().toISOString() };
    if (redispatch.expectedSeq > 0) values[':seq'] = redispatch.expectedSeq;
    if (redispatch.dlqRedrives !== undefined) {
      sets.push('dlq_redrives = :dlq_redrives');
      values[':dlq_redrives'] = redispatch.dlqRedrives;
    }
    const outcome = await this.updateFrom(
      orderId,
      redispatch.from,
      updateExpression(sets, []),
      values,
      redispatch.expectedSeq > 0 ? '#dispatch.#seq = :seq' : 'attribute_not_exists(#dispatch)',
      redispatch.expectedSeq > 0 ? { '#dispatch': 'dispatch', '#seq': 'seq' } : { '#dispatch': 'dispatch' },
    );
    if ('updated' in outcome) return outcome.updated;
    if (outcome.old.status !== redispatch.from) throw new StaleStatusError(orderId, redispatch.from, outcome.old.status);
    throw new DispatchRaceError(orderId, redispatch.expectedSeq);
  }

  /**
   * One conditional update of an order still in `from` (plus `extraCondition`, if any). Returns the
   * updated order, or, when the condition failed, the item it was checked against; throws
   * `OrderNotFoundError` when there is no such order. `:from` is bound here.
   */
  private async updateFrom(
    orderId: string,
    from: OrderStatus,
    updateExpression: string,
    values: Record<string, unknown>,
    extraCondition?: string,
    extraNames: Record<string, string> = {},
  ): Promise<{ updated: StoredOrder } | { old: OldItemView & { status: OrderStatus } }> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { order_id: orderId },
          UpdateExpression: updateExpression,
          ConditionExpression: `attribute_exists(order_id) AND ${STATUS_NAME} = :from${extraCondition ? ` AND ${extraCondition}` : ''}`,
          ExpressionAttributeNames: { [STATUS_NAME]: 'status', ...extraNames },
          ExpressionAttributeValues: { ...values, ':from': from },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { updated: Attributes as StoredOrder };
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      const old = await this.oldItem(orderId, err.Item);
      if (old?.status === undefined) throw new OrderNotFoundError(orderId);
      return { old: { ...old, status: old.status } };
    }
  }

  /**
   * The item a condition was checked against: from the failure itself when DynamoDB returned it,
   * otherwise (no item, or a server that ignores ReturnValuesOnConditionCheckFailure) read again.
   */
  private async oldItem(orderId: string, raw: Parameters<typeof viewOfRawItem>[0]): Promise<OldItemView | undefined> {
    const view = viewOfRawItem(raw);
    if (view !== undefined) return view;
    const current = await this.get(orderId);
    return current === undefined
      ? undefined
      : { status: current.status, attempts: current.attempts, ...(current.last_attempt_receive === undefined ? {} : { last_attempt_receive: current.last_attempt_receive }) };
  }
}
