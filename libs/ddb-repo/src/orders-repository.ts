import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { canTransition, INITIAL_STATUSES, TRANSITIONS, type OrderStatus, type StoredOrder } from '@dofs/order-domain';
import { isConditionalCheckFailed, viewOfRawItem, type OldItemView } from './condition-failure';
import { STATUS_NAME } from './constants';
import { createDocumentClient } from './document-client';
import {
  DuplicateAttemptError,
  IllegalInitialStatusError,
  IllegalTransitionError,
  OrderConflictError,
  OrderNotFoundError,
  StaleStatusError,
} from './errors';

export interface OrdersRepositoryOptions {
  /** The orders table (from configuration, e.g. `ORDERS_TABLE`). */
  tableName: string;
  client?: DynamoDBDocumentClient;
  /** Clock for `updated_at`; injectable for tests. */
  now?: () => Date;
}

/** Fields a transition may set besides the status. */
export interface TransitionChanges {
  attempts?: number;
  last_error?: string;
  failure_reason?: string;
}

export interface FailedAttempt {
  /** The status the caller read and expects the order to still have. */
  from: OrderStatus;
  /** The attempt number: the SQS `ApproximateReceiveCount` of the message being processed. */
  attempt: number;
  error: string;
}

/** Statuses an order can reach from `from` by legal transitions (not including `from` itself). */
function reachableFrom(from: OrderStatus): Set<OrderStatus> {
  const seen = new Set<OrderStatus>();
  const queue = [...TRANSITIONS[from]];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (seen.has(next)) continue;
    seen.add(next);
    queue.push(...TRANSITIONS[next]);
  }
  return seen;
}

/**
 * The `orders` table. Every status write is a conditional write on the status the caller expects,
 * so a redelivered message or a retried task can never move an order twice or overwrite a newer
 * status: the loser of a race gets a typed error and nothing is written.
 */
export class OrdersRepository {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;
  private readonly now: () => Date;

  public constructor(opts: OrdersRepositoryOptions) {
    this.tableName = opts.tableName;
    this.client = opts.client ?? createDocumentClient();
    this.now = opts.now ?? (() => new Date());
  }

  /**
   * Stores a new order unless its id exists. Idempotent: when it exists from the same request
   * (same `request_hash`) and in the requested status, or in a status reachable from it (the
   * order was already processed further, e.g. a retried StoreOrder after fulfilment began), the
   * stored order is returned with `created: false`. Anything else is an `OrderConflictError`.
   */
  public async create(order: StoredOrder): Promise<{ created: boolean; order: StoredOrder }> {
    if (!INITIAL_STATUSES.includes(order.status)) throw new IllegalInitialStatusError(order.order_id, order.status);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: order,
          ConditionExpression: 'attribute_not_exists(order_id)',
        }),
      );
      return { created: true, order };
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
    const existing = await this.get(order.order_id);
    // Orders are never deleted, so a failed attribute_not_exists means it is there to read.
    if (existing === undefined) throw new Error(`order ${order.order_id} failed attribute_not_exists but cannot be read back`);
    const sameRequest = existing.request_hash === order.request_hash;
    const sameLineage = existing.status === order.status || reachableFrom(order.status).has(existing.status);
    if (sameRequest && sameLineage) return { created: false, order: existing };
    throw new OrderConflictError({
      orderId: order.order_id,
      existingRequestHash: existing.request_hash,
      requestHash: order.request_hash,
      existingStatus: existing.status,
      requestedStatus: order.status,
    });
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
    const sets = [`${STATUS_NAME} = :to`, 'updated_at = :now'];
    const values: Record<string, unknown> = { ':to': to, ':now': this.now().toISOString() };
    for (const field of ['attempts', 'last_error', 'failure_reason'] as const) {
      if (changes[field] === undefined) continue;
      sets.push(`${field} = :${field}`);
      values[`:${field}`] = changes[field];
    }
    const outcome = await this.updateFrom(orderId, from, `SET ${sets.join(', ')}`, values);
    if ('updated' in outcome) return outcome.updated;
    throw new StaleStatusError(orderId, from, outcome.old.status);
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
    const outcome = await this.updateFrom(
      orderId,
      attempt.from,
      `SET ${STATUS_NAME} = :to, attempts = :attempt, last_error = :error, updated_at = :now`,
      { ':to': to, ':attempt': attempt.attempt, ':error': attempt.error, ':now': this.now().toISOString() },
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
