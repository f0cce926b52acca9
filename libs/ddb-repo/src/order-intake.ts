import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { StoredOrder } from '@dofs/order-domain';
import { isConditionalCheckFailed } from './condition-failure';
import { STATUS_NAME } from './constants';
import { createDocumentClient } from './document-client';
import { IdempotencyConflictError, IntakeNotCommittedError } from './errors';
import { orderItem, readOrder } from './orders-table';

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

/**
 * What the intake did, and what the caller does next:
 * - `start-now`: the order was stored now; start its workflow.
 * - `nothing-to-do`: the same request was accepted before, under the same key: nothing is kept, and
 *   its workflow has moved the order on (or most likely is about to).
 * - `start-again`: a replay whose order is still RECEIVED `RESTART_RECEIVED_AFTER_MS` after its
 *   intake: its first start may have failed, so the caller starts it again (harmless if it runs).
 * A replay's `order` is as stored now; `leftTentative` when this request's own tentative order could
 * not be deleted (the reconciler removes it: its key stands for another order).
 */
export type IntakeOutcome =
  | { next: 'start-now'; order: StoredOrder }
  | { next: 'nothing-to-do' | 'start-again'; record: IdempotencyRecord; order: StoredOrder; leftTentative?: true };

/**
 * A replayed order still RECEIVED this long after its intake is started again: its first start may
 * have failed. Sooner, the first execution is most likely still on its way (a second one would be
 * harmless, every task is idempotent, but wasteful).
 */
export const RESTART_RECEIVED_AFTER_MS = 10_000;

/**
 * Epoch milliseconds (real time: they are the function's own deadline) after which a call is
 * abandoned (its AbortSignal fires). Each call also keeps its SDK timeouts.
 */
export interface IntakeDeadlines {
  /** The order put, the key put. */
  commitBy?: number;
  /** What settles a failed key put: reading the key, removing the tentative order. */
  settleBy?: number;
}

/**
 * What a RECEIVED order with an idempotency key is, decided from the key (`resolveReceived`):
 * - `committed`: the key stands for it (or it has no key): a 202 may have promised it.
 * - `removed`: it was tentative and its key is free: its intake failed (the client was told 503,
 *   nothing accepted), so it was deleted. A tentative order is never claimed.
 * - `superseded`: the key stands for another order: it was tentative, no 202 named it, and it was
 *   deleted. It must not be started.
 * - `changed`: it changed while being decided: left for the next run.
 */
export type ReceivedResolution = 'committed' | 'removed' | 'superseded' | 'changed';

/**
 * Rounds of "put the key, find who holds it" in one intake or resolution. A round is repeated only
 * when the holder went away in between (expired, or an orphan released), so two are the usual most.
 */
const MAX_KEY_ROUNDS = 4;

const RECORD_FIELDS = ['idempotency_id', 'order_id', 'request_hash', 'created_at', 'expires_at'] as const;

/** The record from a wire-format item returned with a failed condition (the document client does not convert those). */
function recordOfRawItem(item: Record<string, AttributeValue> | undefined): IdempotencyRecord | undefined {
  const [id, orderId, hash, created, expires] = RECORD_FIELDS.map((k) => item?.[k]);
  if (!id?.S || !orderId?.S || !hash?.S || !created?.S || !expires?.N) return undefined;
  return { idempotency_id: id.S, order_id: orderId.S, request_hash: hash.S, created_at: created.S, expires_at: Number(expires.N) };
}

const epochSeconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

/** Send options that abandon a call at `by` (epoch ms), if given. */
function until(by: number | undefined): { abortSignal: AbortSignal } | undefined {
  return by === undefined ? undefined : { abortSignal: AbortSignal.timeout(Math.max(1, by - Date.now())) };
}

/**
 * Order intake: the durable write that a 202 stands for. Two conditional puts, the order first:
 * 1. the order, RECEIVED, under its fresh random id (`attribute_not_exists`);
 * 2. with an `Idempotency-Key`, the key's record pointing at that order (absent or expired only).
 * The key is the commit point. Until it is written the order is tentative: no 202 names it and no
 * workflow runs for it. A request that finds the key held replays (or, with another body, refuses)
 * the holder's order and deletes its own tentative one; because every key is written after its
 * order, the holder's order always exists. A tentative order left by a crash between the two puts
 * is settled by `resolveReceived`, which the reconciler asks before it starts a RECEIVED order.
 * Semantics of Powertools' idempotency utility on our own record (always COMPLETE: the record is
 * written once its order is, and the response it stands for is derived from the order id); after
 * the window (checked on read, because TTL deletes late) the key is free for a new order.
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

  /**
   * Writes a RECEIVED order, then (when it has `idempotency_key_hash`) its idempotency record.
   * A key put that fails or times out may still have been applied, so before answering it is
   * settled: the key is read, and if it stands for this order the order is committed; if it is
   * free the tentative order is deleted and `IntakeNotCommittedError` says nothing was accepted
   * (`removed: false` when even that could not be done: the reconciler then removes the order,
   * since its key is free). Any other failure of the order put is thrown as it is.
   */
  public async accept(order: StoredOrder, deadlines: IntakeDeadlines = {}): Promise<IntakeOutcome> {
    await this.writeOrder(order, deadlines.commitBy);
    const keyHash = order.idempotency_key_hash;
    if (keyHash === undefined) return { next: 'start-now', order };
    for (let round = 1; round <= MAX_KEY_ROUNDS; round += 1) {
      let put: Awaited<ReturnType<OrderIntake['putKey']>>;
      try {
        put = await this.putKey(keyHash, this.recordFor(order, keyHash), deadlines.commitBy);
      } catch (error) {
        put = await this.settleFailedKeyPut(order, keyHash, error, deadlines.settleBy);
      }
      // Written now, or by an earlier attempt of this same put that the SDK retried.
      if (put.written || put.holder?.order_id === order.order_id) return { next: 'start-now', order };
      const holder = put.holder;
      if (holder === undefined) continue;
      const existing = await this.orderOf(holder.order_id, deadlines.settleBy);
      if (existing) {
        const discarded = await this.discardTentative(order, deadlines.settleBy);
        if (holder.request_hash !== order.request_hash) throw new IdempotencyConflictError(holder.order_id);
        return { next: this.replayNext(existing), record: holder, order: existing, ...(discarded ? {} : { leftTentative: true as const }) };
      }
      // A key whose order is missing: keys are written after their orders and a held key's order
      // is never deleted, so only a store that lost a write (DynamoDB Local killed mid-write) can
      // show this. Free the key and take it, rather than replay an order GET would answer 404 for.
      await this.releaseOrphan(holder);
    }
    throw new Error(`idempotency key of order ${order.order_id} changed hands ${MAX_KEY_ROUNDS} times while it was being written`);
  }

  /** A replay starts its order again only if it is still RECEIVED well after its intake. */
  private replayNext(order: StoredOrder): 'nothing-to-do' | 'start-again' {
    if (order.status !== 'RECEIVED') return 'nothing-to-do';
    return this.now().getTime() - Date.parse(order.received_at) >= RESTART_RECEIVED_AFTER_MS ? 'start-again' : 'nothing-to-do';
  }

  /**
   * After a key put that failed without an answer about its condition: who holds the key now? This
   * order (the put was applied after all), another (as if the condition had failed), or nobody: then
   * the tentative order goes and `IntakeNotCommittedError` is thrown.
   */
  private async settleFailedKeyPut(order: StoredOrder, keyHash: string, failure: unknown, settleBy: number | undefined): Promise<{ written: false; holder: IdempotencyRecord }> {
    let holder: IdempotencyRecord | undefined;
    try {
      holder = await this.liveRecord(keyHash, settleBy);
    } catch {
      throw new IntakeNotCommittedError(order.order_id, await this.discardTentative(order, settleBy), failure);
    }
    if (holder) return { written: false, holder };
    throw new IntakeNotCommittedError(order.order_id, await this.discardTentative(order, settleBy), failure);
  }

  /**
   * Step 1 of `accept` alone: the order, RECEIVED, with its `open-orders` index key (`orderItem`), on `attribute_not_exists`. A failed condition
   * on our own fresh random id means the SDK retried a put whose first attempt was applied but
   * answered too late: the item is then ours (same request hash and receipt time). Public so that
   * tests can leave an order without its key, as a crash between the two puts does.
   */
  public async writeOrder(order: StoredOrder, by?: number): Promise<void> {
    if (order.status !== 'RECEIVED') throw new Error(`order ${order.order_id} must be accepted as RECEIVED, not ${order.status}`);
    try {
      await this.client.send(new PutCommand({ TableName: this.opts.ordersTable, Item: orderItem(order), ConditionExpression: 'attribute_not_exists(order_id)' }), until(by));
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      if (!(await this.isOurs(order, by))) throw new Error(`order id ${order.order_id} is taken`, { cause: error });
    }
  }

  /**
   * api-handler's StartExecution was refused (not timed out): no execution of this RECEIVED order
   * runs, so the reconciler may start one as soon as its threshold allows. False when the order is no
   * longer RECEIVED or was marked already.
   */
  public async markNotStarted(order: Pick<StoredOrder, 'order_id'>, by?: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.opts.ordersTable,
          Key: { order_id: order.order_id },
          UpdateExpression: 'SET workflow_until = :now',
          ConditionExpression: `${STATUS_NAME} = :received AND attribute_not_exists(workflow_until)`,
          ExpressionAttributeNames: { [STATUS_NAME]: 'status' },
          ExpressionAttributeValues: { ':now': this.now().toISOString(), ':received': 'RECEIVED' },
        }),
        until(by),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /**
   * Decides whether a RECEIVED order may be started (see `ReceivedResolution`); the reconciler asks
   * this before it re-drives one. An order without a key, or whose key stands for it, is
   * `committed`. Otherwise the order is tentative, and its intake never reached the commit point:
   * - a record that held the key at some time within this order's window (live, or expired but
   *   overlapping it) stands for the request that won: this order is `superseded` and deleted;
   * - no record, or one that had expired before this order came in: the key put failed and the
   *   client was told so (503): the order is `removed`, never claimed.
   * Two cases count as `committed` although the key does not name the order, because the key's
   * history is gone: a record created after this order's window ended (this order may have been
   * committed under a record since replaced), and no record at all once the order is older than
   * its window (TTL may have deleted the record that stood for it). An accepted order must never be
   * deleted; a tentative one started by mistake is at worst an order the client was told failed.
   */
  public async resolveReceived(order: StoredOrder): Promise<ReceivedResolution> {
    const keyHash = order.idempotency_key_hash;
    if (keyHash === undefined) return 'committed';
    const receivedAt = epochSeconds(order.received_at);
    const windowEnd = receivedAt + this.opts.windowSeconds;
    const record = await this.recordOf(keyHash);
    if (record?.order_id === order.order_id) return 'committed';
    if (record !== undefined && epochSeconds(record.created_at) >= windowEnd) return 'committed';
    if (record === undefined && this.nowSeconds() >= windowEnd) return 'committed';
    const superseded = record !== undefined && record.expires_at > receivedAt;
    if (!(await this.removeTentative(order))) return 'changed';
    return superseded ? 'superseded' : 'removed';
  }

  /**
   * Deletes a tentative order on condition that it is still as written (RECEIVED, same request,
   * never updated). True when deleted; false when it changed (or is gone); other errors are thrown.
   */
  private async removeTentative(order: StoredOrder, by?: number): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.opts.ordersTable,
          Key: { order_id: order.order_id },
          ConditionExpression: `${STATUS_NAME} = :received AND request_hash = :hash AND updated_at = :updated_at`,
          ExpressionAttributeNames: { [STATUS_NAME]: 'status' },
          ExpressionAttributeValues: { ':received': 'RECEIVED', ':hash': order.request_hash, ':updated_at': order.updated_at },
        }),
        until(by),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /**
   * Puts `record` if the key is free: absent, or past its window even while TTL has not deleted it.
   * When it is not, `holder` is the live record that holds it, or absent if that went away (expired)
   * before it could be read: then the caller tries again.
   */
  private async putKey(keyHash: string, record: IdempotencyRecord, by?: number): Promise<{ written: true } | { written: false; holder?: IdempotencyRecord }> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.opts.idempotencyTable,
          Item: record,
          ConditionExpression: 'attribute_not_exists(idempotency_id) OR expires_at <= :now',
          ExpressionAttributeValues: { ':now': this.nowSeconds() },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
        until(by),
      );
      return { written: true };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const fromFailure = recordOfRawItem(error.Item);
      const holder = fromFailure && this.isLive(fromFailure) ? fromFailure : await this.liveRecord(keyHash, by);
      return holder ? { written: false, holder } : { written: false };
    }
  }

  /**
   * Deletes an order this intake wrote but no 202 will name (its key stands for another order, or
   * for none). The answer to the client does not depend on it: false when it could not be done
   * (the caller logs it; the reconciler removes what is left, see `resolveReceived`).
   */
  private async discardTentative(order: StoredOrder, by?: number): Promise<boolean> {
    try {
      return await this.removeTentative(order, by);
    } catch {
      return false;
    }
  }

  private async orderOf(orderId: string, by?: number): Promise<StoredOrder | undefined> {
    return readOrder(this.client, this.opts.ordersTable, orderId, until(by));
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
  private async isOurs(order: StoredOrder, by?: number): Promise<boolean> {
    const stored = await this.orderOf(order.order_id, by);
    return stored?.request_hash === order.request_hash && stored?.received_at === order.received_at;
  }

  /** The record a key stands for now, or `undefined` when there is none or it has expired. */
  public async liveRecord(keyHash: string, by?: number): Promise<IdempotencyRecord | undefined> {
    const record = await this.recordOf(keyHash, by);
    return record && this.isLive(record) ? record : undefined;
  }

  /** The key's record, expired or not (TTL deletes late), or `undefined`. */
  private async recordOf(keyHash: string, by?: number): Promise<IdempotencyRecord | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.opts.idempotencyTable, Key: { idempotency_id: keyHash }, ConsistentRead: true }), until(by));
    return Item as IdempotencyRecord | undefined;
  }

  private isLive(record: IdempotencyRecord): boolean {
    return record.expires_at > this.nowSeconds();
  }

  private nowSeconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }

  /** The record the intake writes for `order`: its window starts now. */
  private recordFor(order: StoredOrder, keyHash: string): IdempotencyRecord {
    const created = this.now();
    return {
      idempotency_id: keyHash,
      order_id: order.order_id,
      request_hash: order.request_hash,
      created_at: created.toISOString(),
      expires_at: Math.floor(created.getTime() / 1000) + this.opts.windowSeconds,
    };
  }
}
