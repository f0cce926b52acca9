import { createHash, randomBytes } from 'node:crypto';
import type { CreateOrderRequest } from './schemas';

const ORDER_ID_PREFIX = 'ord_';
/** Bumping this changes every derived id: only do it with a migration plan. */
const DERIVATION_DOMAIN = 'dofs:order-id:v1';

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A fresh random order id: `ord_` + 128 random bits in hex. */
export function newOrderId(): string {
  return ORDER_ID_PREFIX + randomBytes(16).toString('hex');
}

/**
 * The order id for a request carrying an `Idempotency-Key`: the same customer and key always give
 * the same id (and so the same Step Functions execution name). Keys are scoped per customer, so two
 * customers choosing the same key never collide.
 */
export function orderIdForIdempotencyKey(customerId: string, idempotencyKey: string): string {
  const digest = sha256Hex(`${DERIVATION_DOMAIN}\u0000${customerId}\u0000${idempotencyKey}`);
  return ORDER_ID_PREFIX + digest.slice(0, 32);
}

/** The Step Functions execution name for an order: the order id itself (valid: <= 80 chars of [A-Za-z0-9_-]). */
export function executionNameFor(orderId: string): string {
  return orderId;
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
