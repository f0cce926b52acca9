import { createHash } from 'node:crypto';
import type { CreateOrderRequest } from './schemas';

/** Bumping this changes every idempotency record key: only do it with a migration plan. */
const IDEMPOTENCY_DOMAIN = 'dofs:idempotency:v1';

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

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The key of an idempotency record: a hash of the customer id and the `Idempotency-Key`, so keys are
 * scoped per customer and the raw key is never stored.
 */
export function idempotencyKeyHash(customerId: string, idempotencyKey: string): string {
  return sha256Hex(`${IDEMPOTENCY_DOMAIN}\u0000${customerId}\u0000${idempotencyKey}`);
}

/** Fingerprint of a request body: tells a repeated request from a different one under the same key. */
export function requestHash(request: CreateOrderRequest): string {
  return sha256Hex(canonicalJson(request));
}
