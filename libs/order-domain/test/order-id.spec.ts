import fc from 'fast-check';
import { PATTERNS, canonicalJson, executionNameFor, idempotencyKeyHash, newOrderId, requestHash } from '../src';

const ORDER_ID = new RegExp(PATTERNS.ORDER_ID);
const request = { customer_id: 'c-1', items: [{ sku: 'SKU-1', quantity: 2, unit_price_cents: 1999 }], currency: 'USD' };

describe('order ids', () => {
  it('makes fresh random ids in the documented format', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newOrderId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(ORDER_ID);
  });

  it('is a valid Step Functions execution name, also for re-driven executions', () => {
    for (const redrive of [0, 1, 99]) {
      const name = executionNameFor(newOrderId(), redrive);
      expect(name.length).toBeLessThanOrEqual(80);
      expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
    }
    const id = newOrderId();
    expect(executionNameFor(id)).toBe(id);
    expect(executionNameFor(id, 2)).not.toBe(executionNameFor(id, 1));
  });
});

describe('idempotency record keys', () => {
  it('derives the same key from the same customer and idempotency key', () => {
    expect(idempotencyKeyHash('c-1', 'key-1')).toBe(idempotencyKeyHash('c-1', 'key-1'));
    expect(idempotencyKeyHash('c-1', 'key-1')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('scopes keys per customer and keeps the parts apart', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), fc.string(), (customer, key, other) => {
        fc.pre(other !== customer);
        return idempotencyKeyHash(customer, key) !== idempotencyKeyHash(other, key);
      }),
    );
    expect(idempotencyKeyHash('c-1', 'key-1')).not.toBe(idempotencyKeyHash('c-1', 'key-2'));
    // "ab"+"c" must not collide with "a"+"bc"
    expect(idempotencyKeyHash('ab', 'c')).not.toBe(idempotencyKeyHash('a', 'bc'));
  });
});

describe('request fingerprint', () => {
  it('ignores key order and is stable', () => {
    const reordered = { currency: 'USD', items: [{ unit_price_cents: 1999, quantity: 2, sku: 'SKU-1' }], customer_id: 'c-1' };
    expect(requestHash(reordered)).toBe(requestHash(request));
    expect(requestHash(request)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when any value changes', () => {
    expect(requestHash({ ...request, currency: 'EUR' })).not.toBe(requestHash(request));
    expect(requestHash({ ...request, items: [{ sku: 'SKU-1', quantity: 3, unit_price_cents: 1999 }] })).not.toBe(requestHash(request));
  });

  it('serialises canonically at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}');
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });
});
