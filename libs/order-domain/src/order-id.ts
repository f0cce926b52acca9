import { randomBytes } from 'node:crypto';

const ORDER_ID_PREFIX = 'ord_';

/**
 * A fresh random order id: `ord_` + 128 random bits in hex. Never derived from client input, so
 * knowing a customer id and an idempotency key tells nothing about an order id.
 */
export function newOrderId(): string {
  return ORDER_ID_PREFIX + randomBytes(16).toString('hex');
}
