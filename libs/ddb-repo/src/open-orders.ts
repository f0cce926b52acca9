import { randomUUID } from 'node:crypto';
import { BatchGetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isTerminal, orderMessageFor, PUBLIC_REASONS, type Dispatch, type FailedOrderRecord, type OrderStatus, type StatusChange, type StoredOrder } from '@dofs/order-domain';
import { isConditionalCheckFailed, isTransactionCanceled } from './condition-failure';
import { CLIENT_REQUEST_TOKEN_LENGTH, STATUS_NAME } from './constants';
import { createDocumentClient } from './document-client';
import { OPEN_ORDER_SHARDS, OPEN_ORDERS_INDEX, openShardPartition, readOrder, type OrderItem } from './orders-table';
import { statusWrite, updateExpression } from './status-write';

/**
 * What the KEYS_ONLY `open-orders` index tells about an order: its id and since when it is open.
 * Not its status nor `updated_at` (they are not index keys, so that the index is not rewritten when
 * they change): callers re-read the order for those.
 */
export interface OpenOrderKey {
  order_id: string;
  open_since: string;
}

/** An open order as re-read from the table: what the operator tools list and count. */
export interface OpenOrderRow {
  order_id: string;
  status: OrderStatus;
  updated_at: string;
  open_since: string;
}

/** Keys one BatchGetItem may ask for. */
const BATCH_GET_MAX_KEYS = 100;
/** Rounds of retrying the keys a BatchGetItem left unprocessed (throttling) before giving up. */
const BATCH_GET_MAX_ROUNDS = 8;

/**
 * Keys of the `open-orders` index whose `open_since` is before `cutoff` (every key when absent), at
 * most `limit`: one paginated Query per shard, shards in order, oldest first within a shard. The
 * index is eventually consistent: a key may be stale (the order just ended), so callers re-read.
 */
export async function openOrderKeys(client: DynamoDBDocumentClient, ordersTable: string, opts: { cutoff?: string; limit?: number } = {}): Promise<OpenOrderKey[]> {
  const limit = opts.limit ?? Number.POSITIVE_INFINITY;
  const found: OpenOrderKey[] = [];
  for (let shard = 0; shard < OPEN_ORDER_SHARDS && found.length < limit; shard += 1) {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: ordersTable,
          IndexName: OPEN_ORDERS_INDEX,
          KeyConditionExpression: opts.cutoff === undefined ? 'open_shard = :key' : 'open_shard = :key AND open_since < :cutoff',
          ExpressionAttributeValues: { ':key': openShardPartition(shard), ...(opts.cutoff === undefined ? {} : { ':cutoff': opts.cutoff }) },
          ...(Number.isFinite(limit) ? { Limit: limit - found.length } : {}),
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) found.push({ order_id: String(item['order_id']), open_since: String(item['open_since']) });
      start = page.LastEvaluatedKey;
    } while (start !== undefined && found.length < limit);
  }
  return found;
}

/**
 * The open orders (status, `updated_at`, `open_since`) of the index keys `keys`, re-read from the
 * table with consistent BatchGetItem (100 keys a request, unprocessed keys asked again). Orders that
 * are gone or already terminal (a stale index key) are left out; the order of `keys` is kept.
 */
export async function readOpenOrders(client: DynamoDBDocumentClient, ordersTable: string, keys: readonly OpenOrderKey[]): Promise<OpenOrderRow[]> {
  const byId = new Map<string, OpenOrderRow>();
  for (let i = 0; i < keys.length; i += BATCH_GET_MAX_KEYS) {
    let pending: Record<string, unknown>[] = keys.slice(i, i + BATCH_GET_MAX_KEYS).map((k) => ({ order_id: k.order_id }));
    for (let round = 0; pending.length > 0; round += 1) {
      if (round === BATCH_GET_MAX_ROUNDS) throw new Error(`BatchGetItem on ${ordersTable} left ${pending.length} key(s) unprocessed after ${round} rounds`);
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** round));
      const { Responses, UnprocessedKeys } = await client.send(
        new BatchGetCommand({
          RequestItems: {
            [ordersTable]: {
              Keys: pending,
              ConsistentRead: true,
              ProjectionExpression: 'order_id, #status, updated_at, open_since',
              ExpressionAttributeNames: { '#status': 'status' },
            },
          },
        }),
      );
      for (const item of Responses?.[ordersTable] ?? []) {
        const status = item['status'] as OrderStatus;
        if (isTerminal(status)) continue;
        byId.set(String(item['order_id']), { order_id: String(item['order_id']), status, updated_at: String(item['updated_at']), open_since: String(item['open_since']) });
      }
      pending = (UnprocessedKeys?.[ordersTable]?.Keys ?? []) as Record<string, unknown>[];
    }
  }
  return keys.flatMap((k) => byId.get(k.order_id) ?? []);
}

export interface OpenOrdersOptions {
  /** The orders table (`ORDERS_TABLE`). */
  ordersTable: string;
  /** The failed_orders table (`FAILED_ORDERS_TABLE`), written when the reconciler gives up. */
  failedOrdersTable: string;
  /** The function that writes, recorded as `by` in the status history. */
  writer: string;
  client?: DynamoDBDocumentClient;
  now?: () => Date;
}

/** What a claim wrote: the dispatch seq of a message to send, or the `workflow_until` of an execution to start. */
export type RedriveClaim = { kind: 'requeue'; seq: number } | { kind: 'redrive'; until: string };

export interface GiveUp {
  /** Internal reason, kept in the order's `failure_reason` and the failed_orders record (never shown by GET). */
  reason: string;
}

/** Cancellation codes that only say a condition was false (or that the item was not the cause). */
const CONDITION_CODES = new Set(['None', 'ConditionalCheckFailed']);

/** Key of the failed_orders record written when the reconciler gives up on an order. */
export function reconcilerMessageId(orderId: string): string {
  return `reconciler#${orderId}`;
}

/**
 * Open (non-terminal) orders as the reconciler sees them: found through the sparse `open-orders`
 * index (one Query per shard, never a Scan), re-read consistently, and changed only on
 * the condition that status and `updated_at` are still what was read, so of two overlapping runs
 * exactly one acts on an order.
 */
export class OpenOrders {
  private readonly ordersTable: string;
  private readonly failedOrdersTable: string;
  private readonly writer: string;
  private readonly client: DynamoDBDocumentClient;
  private readonly now: () => Date;

  public constructor(opts: OpenOrdersOptions) {
    this.ordersTable = opts.ordersTable;
    this.failedOrdersTable = opts.failedOrdersTable;
    this.writer = opts.writer;
    this.client = opts.client ?? createDocumentClient();
    this.now = opts.now ?? (() => new Date());
  }

  /**
   * Index keys of orders open since before `cutoff` (ISO), at most `limit`, shared fairly among the
   * shards: each shard gets an equal share (oldest first within it), and what a shard leaves unused
   * goes to the shards that have more. So a crowded shard cannot starve the others. Which of them
   * are due is for the caller to decide from a re-read (`readAll`).
   */
  public async openBefore(cutoff: string, limit: number): Promise<OpenOrderKey[]> {
    const shards = Array.from({ length: OPEN_ORDER_SHARDS }, (_, shard) => ({ shard, found: [] as OpenOrderKey[], next: undefined as Record<string, unknown> | undefined, done: false }));
    let budget = limit;
    while (budget > 0) {
      const open = shards.filter((s) => !s.done);
      if (open.length === 0) break;
      const share = Math.max(1, Math.floor(budget / open.length));
      const pages = await Promise.all(open.map((s) => this.queryShard(s.shard, cutoff, Math.min(share, budget), s.next)));
      open.forEach((s, i) => {
        const page = pages[i] as { keys: OpenOrderKey[]; next?: Record<string, unknown> };
        s.found.push(...page.keys);
        s.next = page.next;
        s.done = page.next === undefined;
        budget -= page.keys.length;
      });
    }
    return shards.flatMap((s) => s.found).slice(0, limit);
  }

  /** One page of a shard: keys open since before `cutoff`, oldest first, at most `limit`. */
  private async queryShard(shard: number, cutoff: string, limit: number, start: Record<string, unknown> | undefined): Promise<{ keys: OpenOrderKey[]; next?: Record<string, unknown> }> {
    const keys: OpenOrderKey[] = [];
    let next = start;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.ordersTable,
          IndexName: OPEN_ORDERS_INDEX,
          KeyConditionExpression: 'open_shard = :key AND open_since < :cutoff',
          ExpressionAttributeValues: { ':key': openShardPartition(shard), ':cutoff': cutoff },
          Limit: limit - keys.length,
          ExclusiveStartKey: next,
        }),
      );
      for (const item of page.Items ?? []) keys.push({ order_id: String(item['order_id']), open_since: String(item['open_since']) });
      next = page.LastEvaluatedKey;
    } while (next !== undefined && keys.length < limit);
    return next === undefined ? { keys } : { keys, next };
  }

  /** The orders of `keys` as last written (consistent BatchGetItem, 100 keys a request); gone ones are left out. */
  public async readAll(keys: readonly Pick<OpenOrderKey, 'order_id'>[]): Promise<StoredOrder[]> {
    const chunks: Pick<OpenOrderKey, 'order_id'>[][] = [];
    for (let i = 0; i < keys.length; i += BATCH_GET_MAX_KEYS) chunks.push(keys.slice(i, i + BATCH_GET_MAX_KEYS));
    const byId = new Map<string, StoredOrder>();
    await Promise.all(
      chunks.map(async (chunk) => {
        let pending: Record<string, unknown>[] = chunk.map((k) => ({ order_id: k.order_id }));
        for (let round = 0; pending.length > 0; round += 1) {
          if (round === BATCH_GET_MAX_ROUNDS) throw new Error(`BatchGetItem on ${this.ordersTable} left ${pending.length} key(s) unprocessed after ${round} rounds`);
          if (round > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** round));
          const { Responses, UnprocessedKeys } = await this.client.send(new BatchGetCommand({ RequestItems: { [this.ordersTable]: { Keys: pending, ConsistentRead: true } } }));
          for (const item of Responses?.[this.ordersTable] ?? []) byId.set(String(item['order_id']), item as StoredOrder);
          pending = (UnprocessedKeys?.[this.ordersTable]?.Keys ?? []) as Record<string, unknown>[];
        }
      }),
    );
    return keys.flatMap((k) => byId.get(k.order_id) ?? []);
  }

  /** The order as last written (strongly consistent read), or `undefined`. */
  public async get(orderId: string): Promise<OrderItem | undefined> {
    return readOrder(this.client, this.ordersTable, orderId);
  }

  /**
   * Claims an order for sending its message again: records `dispatch` (written before the send, so
   * a message never exists without it) and moves `updated_at`, only if status and `updated_at` are
   * still those read. Returns the claimed order, or `undefined` when somebody changed it first
   * (another run, or the order's own progress): then the caller does nothing. The re-drive is not
   * counted here: `confirmRedrive` counts it once the send succeeded, so a run cut off between the
   * claim and the send spends nothing.
   */
  public async claimRequeue(order: Pick<StoredOrder, 'order_id' | 'status' | 'updated_at'>, dispatch: Dispatch): Promise<StoredOrder | undefined> {
    return this.claim(order, '#dispatch = :claim', { '#dispatch': 'dispatch' }, { ':claim': dispatch });
  }

  /** Claims a RECEIVED order for starting its workflow again: `workflow_until` = when that execution is over at the latest (see `claimRequeue`). */
  public async claimRedrive(order: Pick<StoredOrder, 'order_id' | 'status' | 'updated_at'>, until: string): Promise<StoredOrder | undefined> {
    return this.claim(order, 'workflow_until = :claim', {}, { ':claim': until });
  }

  private async claim(order: Pick<StoredOrder, 'order_id' | 'status' | 'updated_at'>, set: string, names: Record<string, string>, values: Record<string, unknown>): Promise<StoredOrder | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.ordersTable,
          Key: { order_id: order.order_id },
          UpdateExpression: `SET ${set}, updated_at = :now`,
          ConditionExpression: `${STATUS_NAME} = :status AND updated_at = :read_at`,
          ExpressionAttributeNames: { [STATUS_NAME]: 'status', ...names },
          ExpressionAttributeValues: { ...values, ':now': this.now().toISOString(), ':status': order.status, ':read_at': order.updated_at },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes as StoredOrder;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return undefined;
      throw err;
    }
  }

  /**
   * Counts one delivered re-drive of a claim (its send or start succeeded, or failed for a reason
   * that will not go away: `permanentError` is then kept in `last_redrive_error`), only while the
   * claim is still the order's latest. False when the order moved on meanwhile (then it needs no count).
   */
  public async confirmRedrive(orderId: string, claim: RedriveClaim, permanentError?: string): Promise<boolean> {
    const requeue = claim.kind === 'requeue';
    const names: Record<string, string> = requeue ? { '#dispatch': 'dispatch', '#seq': 'seq' } : {};
    const byClaim = { condition: requeue ? '#dispatch.#seq = :claim' : 'workflow_until = :claim', value: requeue ? claim.seq : claim.until };
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.ordersTable,
          Key: { order_id: orderId },
          UpdateExpression: `SET redrives = if_not_exists(redrives, :zero) + :one${permanentError === undefined ? '' : ', last_redrive_error = :error'}`,
          ConditionExpression: byClaim.condition,
          ...(requeue ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':claim': byClaim.value, ...(permanentError === undefined ? {} : { ':error': permanentError }) },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }

  /**
   * Gives back a RECEIVED claim whose StartExecution certainly did not start anything (refused, not
   * timed out): `workflow_until` becomes now, so the next run may start it again at once. False when
   * the order moved on meanwhile.
   */
  public async releaseRedrive(orderId: string, until: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.ordersTable,
          Key: { order_id: orderId },
          UpdateExpression: 'SET workflow_until = :now',
          ConditionExpression: `${STATUS_NAME} = :received AND workflow_until = :claim`,
          ExpressionAttributeNames: { [STATUS_NAME]: 'status' },
          ExpressionAttributeValues: { ':now': this.now().toISOString(), ':received': 'RECEIVED', ':claim': until },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }

  /**
   * Gives up on an order: in one TransactWriteItems, the order moves to FAILED (public reason
   * PROCESSING_FAILED, the internal `failure_reason`, the history entry, out of the index) on
   * condition that status and `updated_at` are still those of `order`, and its failed_orders record
   * (with the history) is put unless one exists. Returns false when the order changed first.
   * When an earlier dead letter already archived the order, the order is moved alone.
   */
  public async giveUp(order: StoredOrder, giveUp: GiveUp): Promise<boolean> {
    const at = this.now().toISOString();
    const change: StatusChange = { from: order.status, to: 'FAILED', at, by: this.writer };
    const parts = statusWrite(change);
    parts.sets.push('failure_reason = :reason', 'status_reason = :status_reason');
    const update = {
      TableName: this.ordersTable,
      Key: { order_id: order.order_id },
      UpdateExpression: updateExpression(parts.sets, parts.removes),
      ConditionExpression: `${STATUS_NAME} = :from AND updated_at = :read_at`,
      ExpressionAttributeNames: parts.names,
      ExpressionAttributeValues: { ...parts.values, ':from': order.status, ':read_at': order.updated_at, ':reason': giveUp.reason, ':status_reason': PUBLIC_REASONS.NOT_PROCESSED },
    };
    const record: FailedOrderRecord = {
      order_id: order.order_id,
      message_id: reconcilerMessageId(order.order_id),
      original_message: JSON.stringify(orderMessageFor(order, order.dispatch?.seq)),
      attempts: order.attempts ?? 0,
      reason: giveUp.reason,
      ...(order.correlation_id === undefined ? {} : { correlation_id: order.correlation_id }),
      failed_at: at,
      status_history: [...(order.status_history ?? []), change],
    };
    try {
      await this.client.send(
        new TransactWriteCommand({
          // One random token per call: an SDK retry of a commit whose answer was lost is recognised
          // as the same request, while another run's attempt is decided by the conditions.
          ClientRequestToken: randomUUID().slice(0, CLIENT_REQUEST_TOKEN_LENGTH),
          TransactItems: [{ Update: update }, { Put: { TableName: this.failedOrdersTable, Item: record, ConditionExpression: 'attribute_not_exists(order_id)' } }],
        }),
      );
      return true;
    } catch (err) {
      if (!isTransactionCanceled(err)) throw err;
      const [orderReason, archiveReason] = err.CancellationReasons ?? [];
      if (orderReason === undefined || archiveReason === undefined || !CONDITION_CODES.has(orderReason.Code ?? '') || !CONDITION_CODES.has(archiveReason.Code ?? '')) throw err;
      if (orderReason.Code === 'ConditionalCheckFailed') return false;
      // Only the archive existed (a dead letter recorded it, its order update lost): FAILED alone.
      try {
        await this.client.send(new UpdateCommand(update));
        return true;
      } catch (updateErr) {
        if (isConditionalCheckFailed(updateErr)) return false;
        throw updateErr;
      }
    }
  }
}
