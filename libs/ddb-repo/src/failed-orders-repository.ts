import { createHash, randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isTerminal, PATTERNS, PUBLIC_REASONS, type FailedOrderRecord, type OrderStatus, type PublicReason } from '@dofs/order-domain';
import { isConditionalCheckFailed, isTransactionCanceled, viewOfRawItem } from './condition-failure';
import { CLIENT_REQUEST_TOKEN_LENGTH, DEAD_LETTER_TOKEN_DOMAIN, STATUS_NAME } from './constants';
import { createDocumentClient } from './document-client';
import { readOrder } from './orders-table';
import { statusWrite, updateExpression } from './status-write';

export interface FailedOrdersRepositoryOptions {
  /** The failed_orders table (e.g. `FAILED_ORDERS_TABLE`). */
  failedOrdersTable: string;
  /** The orders table (e.g. `ORDERS_TABLE`), whose order is set FAILED in the same transaction. */
  ordersTable: string;
  /** The function that writes, recorded as `by` in the order's status history. */
  writer: string;
  client?: DynamoDBDocumentClient;
  /** Clock for the order's `updated_at`; injectable for tests. */
  now?: () => Date;
}

/** How often a dead letter's order is re-read when its status changed under the write. */
const MAX_STATUS_RACES = 3;

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
  private readonly writer: string;
  private readonly client: DynamoDBDocumentClient;
  private readonly now: () => Date;

  public constructor(opts: FailedOrdersRepositoryOptions) {
    this.failedOrdersTable = opts.failedOrdersTable;
    this.ordersTable = opts.ordersTable;
    this.writer = opts.writer;
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
  public async recordDeadLetter(record: FailedOrderRecord, expected: OrderStatus | undefined, statusReason: PublicReason = PUBLIC_REASONS.FULFILMENT_FAILED): Promise<DeadLetterResult> {
    if (!ORDER_ID.test(record.order_id)) {
      return { recorded: await this.putRecord(record), orderStatus: 'MISSING' };
    }
    if (expected === undefined || isTerminal(expected)) {
      const status = await this.orderStatus(record.order_id, undefined);
      if (status === 'MISSING' || isTerminal(status)) return { recorded: await this.putRecord(record), orderStatus: status };
      expected = status;
    }
    try {
      await this.transact(record, expected, statusReason, clientRequestTokenFor(record.message_id));
      return { recorded: true, orderStatus: 'FAILED' };
    } catch (err) {
      return this.afterCancellation(record, statusReason, err);
    }
  }

  /** The archived record for an order id (or `unparseable#<message_id>`), strongly consistent. */
  public async get(orderId: string): Promise<FailedOrderRecord | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.failedOrdersTable, Key: { order_id: orderId }, ConsistentRead: true }));
    return Item as FailedOrderRecord | undefined;
  }

  private async transact(record: FailedOrderRecord, from: OrderStatus, statusReason: PublicReason, token: string): Promise<void> {
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
          { Update: { ...this.failOrderUpdate(record, from, statusReason), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
        ],
      }),
    );
  }

  /** The order update: `from` -> FAILED with the reasons (public and internal), only if still in `from`. */
  private failOrderUpdate(record: FailedOrderRecord, from: OrderStatus, statusReason: PublicReason) {
    const parts = statusWrite({ from, to: 'FAILED', at: this.now().toISOString(), by: this.writer });
    parts.sets.push('failure_reason = :reason', 'status_reason = :status_reason');
    return {
      TableName: this.ordersTable,
      Key: { order_id: record.order_id },
      UpdateExpression: updateExpression(parts.sets, parts.removes),
      ConditionExpression: `attribute_exists(order_id) AND ${STATUS_NAME} = :from`,
      ExpressionAttributeNames: parts.names,
      ExpressionAttributeValues: { ...parts.values, ':from': from, ':reason': record.reason, ':status_reason': statusReason },
    };
  }

  /**
   * Decides from the cancellation reasons (in TransactItems order: [archive put, order update])
   * what is already true, then writes whatever part is still missing on its own.
   */
  private async afterCancellation(record: FailedOrderRecord, statusReason: PublicReason, err: unknown): Promise<DeadLetterResult> {
    if (!isTransactionCanceled(err)) throw err;
    const [archive, order] = err.CancellationReasons ?? [];
    // Throttling, a conflicting transaction, a validation error...: not ours to judge here.
    if (archive === undefined || order === undefined || !CONDITION_CODES.has(archive.Code ?? '') || !CONDITION_CODES.has(order.Code ?? '')) throw err;

    const archived = archive.Code === 'ConditionalCheckFailed';
    const orderMoved = order.Code === 'ConditionalCheckFailed';
    // The order is terminal, missing or in another open status now; or it was archived earlier.
    const recorded = archived ? false : await this.putRecord(record);
    const status = orderMoved ? await this.orderStatus(record.order_id, order.Item) : await this.orderStatus(record.order_id, undefined);
    return { recorded, orderStatus: status === 'MISSING' || isTerminal(status) ? status : await this.markFailed(record, status, statusReason) };
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

  /** Sets an open order FAILED on its own (following its status if it moves meanwhile); returns the status it ends in. */
  private async markFailed(record: FailedOrderRecord, from: OrderStatus, statusReason: PublicReason): Promise<OrderStatus | 'MISSING'> {
    let expected: OrderStatus | 'MISSING' = from;
    for (let race = 0; race <= MAX_STATUS_RACES && expected !== 'MISSING' && !isTerminal(expected); race += 1) {
      try {
        await this.client.send(new UpdateCommand({ ...this.failOrderUpdate(record, expected, statusReason), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
        return 'FAILED';
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
        expected = await this.orderStatus(record.order_id, err.Item);
      }
    }
    if (expected === 'MISSING' || isTerminal(expected)) return expected;
    throw new Error(`order ${record.order_id} kept changing status while being marked FAILED`);
  }

  /** The order's status from a returned old item, or read when DynamoDB returned none. */
  private async orderStatus(orderId: string, raw: Parameters<typeof viewOfRawItem>[0]): Promise<OrderStatus | 'MISSING'> {
    const fromFailure = viewOfRawItem(raw)?.status;
    if (fromFailure !== undefined) return fromFailure;
    return (await readOrder(this.client, this.ordersTable, orderId))?.status ?? 'MISSING';
  }
}
