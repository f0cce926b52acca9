import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { canTransition, type FieldError, type OrderStatus, type PublicReason, type StatusChange, type StoredOrder } from '@dofs/order-domain';
import { isConditionalCheckFailed, viewOfRawItem, type OldItemView } from './condition-failure';
import { STATUS_NAME } from './constants';
import { createDocumentClient } from './document-client';
import { DuplicateAttemptError, IllegalTransitionError, OrderNotFoundError, StaleStatusError } from './errors';
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
  /** The fulfilment attempt, recorded in the history entry. */
  attempt?: number;
}

const CHANGE_FIELDS = ['attempts', 'last_error', 'failure_reason', 'status_reason', 'total_cents', 'rejection_reasons'] as const;

export interface FailedAttempt {
  /** The status the caller read and expects the order to still have. */
  from: OrderStatus;
  /** The attempt number: the SQS `ApproximateReceiveCount` of the message being processed. */
  attempt: number;
  error: string;
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
  public async get(orderId: string): Promise<StoredOrder | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { order_id: orderId }, ConsistentRead: true }));
    return Item as StoredOrder | undefined;
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
   * Records a failed fulfilment attempt: status RETRYING, `attempts = attempt`, `last_error`. Only
   * if the order is still in `from` and fewer attempts are recorded, so a redelivered copy of the
   * same SQS receive cannot count twice. The status is checked first: `StaleStatusError` when it
   * differs, else `DuplicateAttemptError` when this attempt (or a later one) is already recorded;
   * `OrderNotFoundError` when the order is absent.
   */
  public async recordFailedAttempt(orderId: string, attempt: FailedAttempt): Promise<StoredOrder> {
    const to: OrderStatus = 'RETRYING';
    if (!canTransition(attempt.from, to)) throw new IllegalTransitionError(orderId, attempt.from, to);
    if (!Number.isSafeInteger(attempt.attempt) || attempt.attempt < 1) throw new RangeError(`attempt must be a positive integer, got ${attempt.attempt}`);
    const parts = statusWrite(this.change(attempt.from, to, attempt.attempt));
    parts.sets.push('attempts = :attempt', 'last_error = :error');
    const outcome = await this.updateFrom(
      orderId,
      attempt.from,
      updateExpression(parts.sets, parts.removes),
      { ...parts.values, ':attempt': attempt.attempt, ':error': attempt.error },
      '(attribute_not_exists(attempts) OR attempts < :attempt)',
    );
    if ('updated' in outcome) return outcome.updated;
    if (outcome.old.status !== attempt.from) throw new StaleStatusError(orderId, attempt.from, outcome.old.status);
    throw new DuplicateAttemptError(orderId, attempt.attempt, outcome.old.attempts ?? 0);
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
  ): Promise<{ updated: StoredOrder } | { old: OldItemView & { status: OrderStatus } }> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { order_id: orderId },
          UpdateExpression: updateExpression,
          ConditionExpression: `attribute_exists(order_id) AND ${STATUS_NAME} = :from${extraCondition ? ` AND ${extraCondition}` : ''}`,
          ExpressionAttributeNames: { [STATUS_NAME]: 'status' },
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
    return current === undefined ? undefined : { status: current.status, attempts: current.attempts };
  }
}
