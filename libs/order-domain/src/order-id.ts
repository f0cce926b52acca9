import { createHash, randomBytes } from 'node:crypto';
import { OPEN_ORDER_SHARDS, OPEN_SHARD_PREFIX } from './constants';
import type { CreateOrderRequest } from './schemas';

const ORDER_ID_PREFIX = 'ord_';
/** Bumping this changes every idempotency record key: only do it with a migration plan. */
const IDEMPOTENCY_DOMAIN = 'dofs:idempotency:v1';

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * A fresh random order id: `ord_` + 128 random bits in hex. Never derived from client input, so
 * knowing a customer id and an idempotency key tells nothing about an order id.
 */
export function newOrderId(): string {
  return ORDER_ID_PREFIX + randomBytes(16).toString('hex');
}

/**
 * The key of an idempotency record: a hash of the customer id and the `Idempotency-Key`, so keys are
 * scoped per customer and the raw key is never stored.
 */
export function idempotencyKeyHash(customerId: string, idempotencyKey: string): string {
  return sha256Hex(`${IDEMPOTENCY_DOMAIN}\u0000${customerId}\u0000${idempotencyKey}`);
}

/** The Step Functions execution name for an order's first run: the order id itself (valid: <= 80 chars of [A-Za-z0-9_-]). */
export function executionNameFor(orderId: string, redrive = 0): string {
  return redrive === 0 ? orderId : `${orderId}-redrive-${redrive}`;
}

/** The `open-orders` index shard of an order: stable, spread evenly by the random order id. */
export function openShardOf(orderId: string): number {
  return Number.parseInt(orderId.slice(-4), 16) % OPEN_ORDER_SHARDS;
}

/** The `open-orders` index partition `OPEN#<shard>`: what the reconciler queries, one per shard. */
export function openShardPartition(shard: number): string {
  return `${OPEN_SHARD_PREFIX}#${shard}`;
}

/** The `open-orders` index partition of an order: the same for every open status it has. */
export function openShardKey(orderId: string): string {
  return openShardPartition(openShardOf(orderId));
}

/** The attributes that put an order in the sparse `open-orders` index. */
export interface OpenIndexKey {
  /** Partition key: `OPEN#<shard>` (`openShardKey`). */
  open_shard: string;
  /** Sort key: when the order entered the index (intake, or an operator's redrive), ISO 8601. */
  open_since: string;
}

/**
 * The index key of an order that becomes open at `since`. Written only when an order enters the
 * index (intake, an operator's FAILED -> RETRYING) and removed by the write that makes it terminal:
 * no other write touches it, so the index entry is written twice in an open period.
 */
export function openIndexKey(orderId: string, since: string): OpenIndexKey {
  return { open_shard: openShardKey(orderId), open_since: since };
}

/** JSON with object keys sorted at every level, so equal values always serialise equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

/** Fingerprint of a request body: tells a repeated request from a different one under the same key. */
export function requestHash(request: CreateOrderRequest): string {
  return sha256Hex(canonicalJson(request));
}
