import { createHash, randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PATTERNS, type FailedOrderRecord, type OrderStatus, type StoredOrder } from '@dofs/order-domain';
import { isConditionalCheckFailed, isTransactionCanceled, viewOfRawItem } from './condition-failure';
import { CLIENT_REQUEST_TOKEN_LENGTH, DEAD_LETTER_OPEN_STATUSES, DEAD_LETTER_TOKEN_DOMAIN, STATUS_NAME } from './constants';
import { createDocumentClient } from './document-client';

export interface FailedOrdersRepositoryOptions {
  /** The failed_orders table (e.g. `FAILED_ORDERS_TABLE`). */
  failedOrdersTable: string;
  /** The orders table (e.g. `ORDERS_TABLE`), whose order is set FAILED in the same transaction. */
  ordersTable: string;
  client?: DynamoDBDocumentClient;
  /** Clock for the order's `updated_at`; injectable for tests. */
  now?: () => Date;
}

export interface DeadLetterResult {
  /** True when this call wrote the failed_orders item; false when it was already there. */
  recorded: boolean;
  /** The order's status afterwards, or MISSING when there is no such order (or no parseable id). */
  orderStatus: OrderStatus | 'MISSING';
}

/** Cancellation reason codes that only say a condition was false (or the item was not the cause). */
const CONDITION_CODES = new Set(['None', 'ConditionalCheckFailed']);

const ORDER_ID = new RegExp(PATTERNS.ORDER_ID);

/**
 * The transaction's ClientRequestToken: derived from the message id and one random value per
 * `recordDeadLetter` call. The SDK resends the same token when it retries a request, so a commit
 * whose answer was lost on the way back is recognised by DynamoDB (and reported as recorded)
 * instead of failing on our own condition. It is deliberately not the message id alone: DynamoDB
 * answers an identical request under a known token with the first answer for 10 minutes, so two
 * deliveries of the same message would both be told "recorded" (measured on DynamoDB Local);
 * with a token per call, a repeat is decided by the conditions and reports `recorded: false`.
 * sha256 keeps it within the 36 characters allowed whatever the message id looks like.
 */
function clientRequestTokenFor(messageId: string): string {
  return createHash('sha256').update(`${DEAD_LETTER_TOKEN_DOMAIN}\u0000${messageId}\u0000${randomUUID()}`).digest('hex').slice(0, CLIENT_REQUEST_TOKEN_LENGTH);
}

/**
 * The `failed_orders` table: one item per dead-lettered order message, written together with the
 * order's move to FAILED.
 */
export class FailedOrdersRepository {
  private readonly failedOrdersTable: string;
  private readonly ordersTable: string;
  private readonly client: DynamoDBDocumentClient;
  private readonly now: () => Date;

  public constructor(opts: FailedOrdersRepositoryOptions) {
    this.failedOrdersTable = opts.failedOrdersTable;
    this.ordersTable = opts.ordersTable;
    this.client = opts.client ?? createDocumentClient();
    this.now = opts.now ?? (() => new Date());
  }

  /**
   * Archives a dead-lettered message and marks its order FAILED in one TransactWriteItems, so
   * neither happens without the other. Idempotent: a repeat (redelivery, retry) returns
   * `recorded: false` and changes nothing. Every dead-lettered message lands in failed_orders:
   * when the order is already terminal (say FULFILLED by an earlier receive), missing, or the
   * message had no parseable id (`unparseable#<message_id>`), the item is written alone and the
   * order is left as it is. Any error other than a false condition is thrown, never swallowed.
   */
  public async recordDeadLetter(record: FailedOrderRecord): Promise<DeadLetterResult> {
    if (!ORDER_ID.test(record.order_id)) {
      return { recorded: await this.putRecord(record), orderStatus: 'MISSING' };
    }
    try {
      await this.transact(record, clientRequestTokenFor(record.message_id));
      return { recorded: true, orderStatus: 'FAILED' };
    } catch (err) {
      return this.afterCancellation(record, err);
    }
  }

  /** The archived record for an order id (or `unparseable#<message_id>`), strongly consistent. */
  public async get(orderId: string): Promise<FailedOrderRecord | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.failedOrdersTable, Key: { order_id: orderId }, ConsistentRead: true }));
    return Item as FailedOrderRecord | undefined;
  }

  private async transact(record: FailedOrderRecord, token: string): Promise<void> {
    await this.client.send(
      new TransactWriteCommand({
        ClientRequestToken: token,
        TransactItems: [
          {
            Put: {
              TableName: this.failedOrdersTable,
              Item: record,
              ConditionExpression: 'attribute_not_exists(order_id)',
            },
          },
          { Update: { ...this.failOrderUpdate(record), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
        ],
      }),
    );
  }

  /** The order update: FAILED with the reason, only from an open status (PENDING, RETRYING). */
  private failOrderUpdate(record: FailedOrderRecord) {
    const open = DEAD_LETTER_OPEN_STATUSES.map((status, i) => [`:open${i}`, status] as const);
    return {
      TableName: this.ordersTable,
      Key: { order_id: record.order_id },
      UpdateExpression: `SET ${STATUS_NAME} = :failed, failure_reason = :reason, updated_at = :now`,
      ConditionExpression: `attribute_exists(order_id) AND ${STATUS_NAME} IN (${open.map(([name]) => name).join(', ')})`,
      ExpressionAttributeNames: { [STATUS_NAME]: 'status' },
      ExpressionAttributeValues: { ':failed': 'FAILED', ':reason': record.reason, ':now': this.now().toISOString(), ...Object.fromEntries(open) },
    };
  }

  /**
   * Decides from the cancellation reasons (in TransactItems order: [archive put, order update])
   * what is already true, then writes whatever part is still missing on its own.
   */
  private async afterCancellation(record: FailedOrderRecord, err: unknown): Promise<DeadLetterResult> {
    if (!isTransactionCanceled(err)) throw err;
    const [archive, order] = err.CancellationReasons ?? [];
    // Throttling, a conflicting transaction, a validation error...: not ours to judge here.
    if (archive === undefined || order === undefined || !CONDITION_CODES.has(archive.Code ?? '') || !CONDITION_CODES.has(order.Code ?? '')) throw err;

    const archived = archive.Code === 'ConditionalCheckFailed';
    const orderClosed = order.Code === 'ConditionalCheckFailed';
    if (!archived && orderClosed) {
      // The order is terminal or missing: archive the message anyway, leave the order alone.
      const status = await this.orderStatus(record.order_id, order.Item);
      return { recorded: await this.putRecord(record), orderStatus: status };
    }
    if (archived && !orderClosed) {
      // Archived earlier while the order was not open (e.g. not yet stored); it is open now: close it.
      return { recorded: false, orderStatus: await this.markFailed(record) };
    }
    return { recorded: false, orderStatus: await this.orderStatus(record.order_id, order.Item) };
  }

  /** Writes the failed_orders item unless present; true when this call wrote it. */
  private async putRecord(record: FailedOrderRecord): Promise<boolean> {
    try {
      await this.client.send(new PutCommand({ TableName: this.failedOrdersTable, Item: record, ConditionExpression: 'attribute_not_exists(order_id)' }));
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }

  /** Sets an open order FAILED on its own; returns the status it ends in. */
  private async markFailed(record: FailedOrderRecord): Promise<OrderStatus | 'MISSING'> {
    try {
      await this.client.send(
        new UpdateCommand({ ...this.failOrderUpdate(record), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
      );
      return 'FAILED';
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      return this.orderStatus(record.order_id, err.Item);
    }
  }

  /** The order's status from a returned old item, or read when DynamoDB returned none. */
  private async orderStatus(orderId: string, raw: Parameters<typeof viewOfRawItem>[0]): Promise<OrderStatus | 'MISSING'> {
    const fromFailure = viewOfRawItem(raw)?.status;
    if (fromFailure !== undefined) return fromFailure;
    const { Item } = await this.client.send(new GetCommand({ TableName: this.ordersTable, Key: { order_id: orderId }, ConsistentRead: true }));
    return (Item as StoredOrder | undefined)?.status ?? 'MISSING';
  }
}
