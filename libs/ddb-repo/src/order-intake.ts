import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { StoredOrder } from '@dofs/order-domain';
import { isConditionalCheckFailed, isTransactionCanceled } from './condition-failure';
import { createDocumentClient } from './document-client';
import { IdempotencyConflictError } from './errors';

/** An item of the `idempotency_keys` table: what one `Idempotency-Key` of one customer stands for. */
export interface IdempotencyRecord {
  /** `idempotencyKeyHash(customer_id, key)`. */
  idempotency_id: string;
  order_id: string;
  request_hash: string;
  created_at: string;
  /** Epoch seconds; DynamoDB TTL deletes the item some time after it (up to days later). */
  expires_at: number;
}

export interface OrderIntakeOptions {
  ordersTable: string;
  idempotencyTable: string;
  /** How long a key stands for its order (`idempotency.windowSeconds` in infra/settings.json). */
  windowSeconds: number;
  client?: DynamoDBDocumentClient;
  now?: () => Date;
}

export type IntakeOutcome =
  /** The order was written now. */
  | { outcome: 'created'; order: StoredOrder }
  /** The same request was accepted before, under the same key: nothing was written. `order` is as stored now. */
  | { outcome: 'replayed'; record: IdempotencyRecord; order: StoredOrder };

/**
 * Concurrent identical requests race for the same idempotency record. The losers see a cancelled
 * transaction (the winner's condition or a TransactionConflict) and read the winner's record; a
 * conflict seen before the winner committed is tried again, a few times, with jittered backoff.
 */
const MAX_TRANSACTION_ATTEMPTS = 8;
const CONFLICT_BACKOFF_MS = 25;

/** The record from a wire-format item returned with a failed condition (the document client does not convert those). */
function recordOfRawItem(item: Record<string, AttributeValue> | undefined): IdempotencyRecord | undefined {
  const [id, orderId, hash, created, expires] = ['idempotency_id', 'order_id', 'request_hash', 'created_at', 'expires_at'].map((k) => item?.[k]);
  if (!id?.S || !orderId?.S || !hash?.S || !created?.S || !expires?.N) return undefined;
  return { idempotency_id: id.S, order_id: orderId.S, request_hash: hash.S, created_at: created.S, expires_at: Number(expires.N) };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Order intake: the durable write that a 202 stands for. The order is written RECEIVED on
 * `attribute_not_exists`; with an `Idempotency-Key` the idempotency record is written in the same
 * TransactWriteItems, so there is never a key without its order or an order without its key.
 * Semantics of Powertools' idempotency utility on our own record (always COMPLETE: the record and
 * the order are one commit, and the response it stands for is derived from the order id): the same
 * key and body replay, another body is an `IdempotencyConflictError`, and after the window (checked
 * on read, because TTL deletes late) the key is free for a new order.
 */
export class OrderIntake {
  private readonly opts: OrderIntakeOptions;
  private readonly client: DynamoDBDocumentClient;
  private readonly now: () => Date;

  public constructor(opts: OrderIntakeOptions) {
    this.opts = opts;
    this.client = opts.client ?? createDocumentClient();
    this.now = opts.now ?? (() => new Date());
  }

  /** Writes a RECEIVED order (and its idempotency record when it has `idempotency_key_hash`). */
  public async accept(order: StoredOrder): Promise<IntakeOutcome> {
    if (order.status !== 'RECEIVED') throw new Error(`order ${order.order_id} must be accepted as RECEIVED, not ${order.status}`);
    const keyHash = order.idempotency_key_hash;
    if (keyHash === undefined) {
      try {
        await this.client.send(new PutCommand({ TableName: this.opts.ordersTable, Item: order, ConditionExpression: 'attribute_not_exists(order_id)' }));
      } catch (error) {
        // The SDK retried a put whose first attempt was applied but timed out on the way back.
        if (!isConditionalCheckFailed(error) || !(await this.isOurs(order))) throw error;
      }
      return { outcome: 'created', order };
    }
    let lastError: unknown;
    // Built once: a retry with the same token must send the same request.
    const items = this.intakeItems(order, keyHash);
    for (let attempt = 1; attempt <= MAX_TRANSACTION_ATTEMPTS; attempt += 1) {
      try {
        // The token makes the SDK's own retry of a commit whose answer was lost succeed instead of
        // failing on our conditions; the order id is fresh and random, so it is unique per request.
        await this.client.send(new TransactWriteCommand({ ClientRequestToken: order.order_id.slice(-32), TransactItems: items }));
        return { outcome: 'created', order };
      } catch (error) {
        if (!isTransactionCanceled(error)) throw error;
        lastError = error;
        const [orderReason, keyReason] = error.CancellationReasons ?? [];
        if (orderReason?.Code === 'ConditionalCheckFailed') {
          if (await this.isOurs(order)) return { outcome: 'created', order };
          throw new Error(`order id ${order.order_id} is taken`, { cause: error });
        }
        const fromFailure = keyReason?.Code === 'ConditionalCheckFailed' ? recordOfRawItem(keyReason.Item) : undefined;
        const record = fromFailure && this.isLive(fromFailure) ? fromFailure : await this.liveRecord(keyHash);
        if (record) {
          if (record.request_hash !== order.request_hash) throw new IdempotencyConflictError(record.order_id);
          const existing = await this.orderOf(record.order_id);
          if (existing) return { outcome: 'replayed', record, order: existing };
          // A key whose order is missing: the two were written in one transaction, so only a store
          // that lost half of it (DynamoDB Local killed mid-commit) can show this. Free the key and
          // accept the request now, rather than replaying an order that GET would answer 404 for.
          await this.releaseOrphan(record);
          continue;
        }
        const conflict = error.CancellationReasons?.some((r) => r.Code === 'TransactionConflict') ?? false;
        if (!conflict && keyReason?.Code !== 'ConditionalCheckFailed') throw error;
        await sleep(Math.random() * CONFLICT_BACKOFF_MS * 2 ** Math.min(attempt, 5));
      }
    }
    throw lastError;
  }

  private async orderOf(orderId: string): Promise<StoredOrder | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.opts.ordersTable, Key: { order_id: orderId }, ConsistentRead: true }));
    return Item as StoredOrder | undefined;
  }

  /** Deletes a key record whose order does not exist, unless it changed meanwhile. */
  private async releaseOrphan(record: IdempotencyRecord): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.opts.idempotencyTable,
          Key: { idempotency_id: record.idempotency_id },
          ConditionExpression: 'order_id = :orphan',
          ExpressionAttributeValues: { ':orphan': record.order_id },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  /** True when the order under this (random, fresh) id is the one this call wrote. */
  private async isOurs(order: StoredOrder): Promise<boolean> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.opts.ordersTable, Key: { order_id: order.order_id }, ConsistentRead: true }));
    return Item?.['request_hash'] === order.request_hash && Item?.['received_at'] === order.received_at;
  }

  /** The record a key stands for now, or `undefined` when there is none or it has expired. */
  public async liveRecord(keyHash: string): Promise<IdempotencyRecord | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.opts.idempotencyTable, Key: { idempotency_id: keyHash }, ConsistentRead: true }));
    const record = Item as IdempotencyRecord | undefined;
    return record && this.isLive(record) ? record : undefined;
  }

  private isLive(record: IdempotencyRecord): boolean {
    return record.expires_at > this.nowSeconds();
  }

  private nowSeconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }

  private intakeItems(order: StoredOrder, keyHash: string) {
    const created = this.now();
    const record: IdempotencyRecord = {
      idempotency_id: keyHash,
      order_id: order.order_id,
      request_hash: order.request_hash,
      created_at: created.toISOString(),
      expires_at: Math.floor(created.getTime() / 1000) + this.opts.windowSeconds,
    };
    return [
      { Put: { TableName: this.opts.ordersTable, Item: order, ConditionExpression: 'attribute_not_exists(order_id)' } },
      {
        Put: {
          TableName: this.opts.idempotencyTable,
          Item: record,
          // A record past its window is free, even while TTL has not deleted it yet.
          ConditionExpression: 'attribute_not_exists(idempotency_id) OR expires_at <= :now',
          ExpressionAttributeValues: { ':now': this.nowSeconds() },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
        },
      },
    ];
  }
}
