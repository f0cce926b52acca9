import fc from 'fast-check';
import {
  BUSINESS_RULES,
  LIMITS,
  evaluateBusinessRules,
  validateCreateOrder,
  type CreateOrderRequest,
  type FieldError,
} from '../src';

const firstItem = { sku: 'SKU-1', quantity: 2, unit_price_cents: 1999 };
const valid: CreateOrderRequest = {
  customer_id: 'c-123',
  items: [firstItem],
  currency: 'USD',
};

function errorsOf(input: unknown): FieldError[] {
  const result = validateCreateOrder(input);
  if (result.ok) throw new Error(`expected errors for ${JSON.stringify(input)}`);
  return result.errors;
}

function paths(input: unknown): string[] {
  return errorsOf(input).map((e) => e.path).sort();
}

describe('validateCreateOrder', () => {
  it('accepts the reference order and returns it typed', () => {
    expect(validateCreateOrder(valid)).toEqual({ ok: true, value: valid });
  });

  it('returns a normalised copy, not the caller object', () => {
    const result = validateCreateOrder(valid);
    expect(result.ok && result.value).not.toBe(valid);
  });

  it.each([null, 'order', 42, true, [], [valid]])('rejects a body that is not an object: %p', (input) => {
    expect(errorsOf(input)).toEqual([{ path: '', message: 'request body must be a JSON object' }]);
  });

  it('names every missing field', () => {
    expect(paths({})).toEqual(['/currency', '/customer_id', '/items']);
    expect(errorsOf({}).every((e) => e.message === 'is required')).toBe(true);
  });

  it('names unknown fields, at the top and inside items', () => {
    expect(paths({ ...valid, coupon: 'X' })).toEqual(['/coupon']);
    expect(paths({ ...valid, items: [{ ...valid.items[0], colour: 'red' }] })).toEqual(['/items/0/colour']);
    expect(errorsOf({ ...valid, coupon: 'X' })[0]?.message).toBe('is not an allowed field');
  });

  it('reports every bad field at once, each by its path', () => {
    const errors = errorsOf({
      customer_id: '',
      items: [
        { sku: 'ok', quantity: 0, unit_price_cents: 10 },
        { sku: 'ok2', quantity: 1, unit_price_cents: 1.5 },
      ],
      currency: 'usd',
    });
    expect(errors.map((e) => e.path).sort()).toEqual(['/currency', '/customer_id', '/items/0/quantity', '/items/1/unit_price_cents']);
  });

  describe('limits that are part of the schema', () => {
    const item = (over: Partial<CreateOrderRequest['items'][number]>) => ({ ...valid, items: [{ ...firstItem, ...over }] });

    it('quantity is an integer in 1..1000', () => {
      expect(validateCreateOrder(item({ quantity: LIMITS.MIN_QUANTITY })).ok).toBe(true);
      expect(validateCreateOrder(item({ quantity: LIMITS.MAX_QUANTITY })).ok).toBe(true);
      expect(errorsOf(item({ quantity: 0 }))).toEqual([{ path: '/items/0/quantity', message: 'must be at least 1' }]);
      expect(errorsOf(item({ quantity: 1001 }))).toEqual([{ path: '/items/0/quantity', message: 'must be at most 1000' }]);
      expect(errorsOf(item({ quantity: 2.5 }))).toEqual([{ path: '/items/0/quantity', message: 'must be an integer' }]);
      expect(errorsOf(item({ quantity: '2' as unknown as number }))).toEqual([{ path: '/items/0/quantity', message: 'must be an integer' }]);
    });

    it('unit price is an integer number of minor units, never a float', () => {
      expect(validateCreateOrder(item({ unit_price_cents: 0 })).ok).toBe(true);
      expect(validateCreateOrder(item({ unit_price_cents: LIMITS.MAX_UNIT_PRICE_CENTS })).ok).toBe(true);
      expect(paths(item({ unit_price_cents: 19.99 }))).toEqual(['/items/0/unit_price_cents']);
      expect(paths(item({ unit_price_cents: -1 }))).toEqual(['/items/0/unit_price_cents']);
      expect(paths(item({ unit_price_cents: LIMITS.MAX_UNIT_PRICE_CENTS + 1 }))).toEqual(['/items/0/unit_price_cents']);
    });

    it('has 1..100 items', () => {
      expect(errorsOf({ ...valid, items: [] })).toEqual([{ path: '/items', message: 'must have at least 1 item(s)' }]);
      const many = Array.from({ length: LIMITS.MAX_ITEMS }, (_, i) => ({ sku: `S-${i}`, quantity: 1, unit_price_cents: 1 }));
      expect(validateCreateOrder({ ...valid, items: many }).ok).toBe(true);
      const tooMany = [...many, { sku: 'S-extra', quantity: 1, unit_price_cents: 1 }];
      expect(errorsOf({ ...valid, items: tooMany })).toEqual([{ path: '/items', message: 'must have at most 100 items' }]);
    });

    it('bounds the lengths and alphabets of identifiers', () => {
      expect(validateCreateOrder({ ...valid, customer_id: 'c'.repeat(LIMITS.CUSTOMER_ID_MAX_LENGTH) }).ok).toBe(true);
      expect(paths({ ...valid, customer_id: 'c'.repeat(LIMITS.CUSTOMER_ID_MAX_LENGTH + 1) })).toEqual(['/customer_id']);
      expect(paths({ ...valid, customer_id: ' c-1' })).toEqual(['/customer_id']);
      expect(paths({ ...valid, customer_id: 'c 1' })).toEqual(['/customer_id']);
      expect(paths(item({ sku: 'S'.repeat(LIMITS.SKU_MAX_LENGTH + 1) }))).toEqual(['/items/0/sku']);
      expect(paths(item({ sku: '<script>' }))).toEqual(['/items/0/sku']);
    });

    it('wants a three-letter upper-case currency code, and says so', () => {
      for (const currency of ['usd', 'US', 'USDX', '', '$$$']) {
        expect(errorsOf({ ...valid, currency })).toEqual([
          { path: '/currency', message: 'must be a three-letter upper-case ISO 4217 code such as "USD"' },
        ]);
      }
    });
  });

  it('rejects the same sku on two lines, pointing at the repeat', () => {
    const repeated = { ...valid, items: [firstItem, { sku: 'SKU-2', quantity: 1, unit_price_cents: 5 }, { ...firstItem, quantity: 1 }] };
    expect(errorsOf(repeated)).toEqual([
      { path: '/items/2/sku', message: 'repeats the sku of /items/0; put the whole quantity on one line' },
    ]);
  });

  it('never throws, whatever JSON it is given', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (input) => {
        const result = validateCreateOrder(input);
        return result.ok || (result.errors.length > 0 && result.errors.every((e) => typeof e.path === 'string' && e.message.length > 0));
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on near-miss orders (valid shape, arbitrary field values)', () => {
    const anything = fc.jsonValue();
    fc.assert(
      fc.property(
        fc.record({ customer_id: anything, items: fc.oneof(fc.array(fc.record({ sku: anything, quantity: anything, unit_price_cents: anything })), anything), currency: anything }, { requiredKeys: [] }),
        (input) => {
          const result = validateCreateOrder(input);
          return result.ok || result.errors.length > 0;
        },
      ),
      { numRuns: 2000 },
    );
  });

  const identifier = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,20}$/);
  const validOrder = fc.record({
    customer_id: identifier,
    items: fc.uniqueArray(
      fc.record({ sku: identifier, quantity: fc.integer({ min: 1, max: 1000 }), unit_price_cents: fc.integer({ min: 0, max: 100_000_000 }) }),
      { minLength: 1, maxLength: 100, selector: (i) => i.sku },
    ),
    currency: fc.stringMatching(/^[A-Z]{3}$/),
  });

  it('accepts every generated valid order, unchanged', () => {
    fc.assert(
      fc.property(validOrder, (order) => {
        const result = validateCreateOrder(order);
        return result.ok && JSON.stringify(result.value) === JSON.stringify(order);
      }),
      { numRuns: 500 },
    );
  });
});

describe('evaluateBusinessRules', () => {
  it('has nothing to say about an ordinary order', () => {
    expect(evaluateBusinessRules(valid)).toEqual([]);
  });

  it('rejects an unsupported currency with the ones that are', () => {
    expect(evaluateBusinessRules({ ...valid, currency: 'JPY' })).toEqual([
      { path: '/currency', message: 'currency JPY is not supported; use one of USD, EUR, GBP' },
    ]);
  });

  it('rejects a total above the limit and accepts one exactly at it', () => {
    const atLimit = { ...valid, items: [{ sku: 'BIG', quantity: 1, unit_price_cents: BUSINESS_RULES.MAX_ORDER_TOTAL_CENTS }] };
    expect(evaluateBusinessRules(atLimit)).toEqual([]);
    const over = { ...valid, items: [{ sku: 'BIG', quantity: 2, unit_price_cents: BUSINESS_RULES.MAX_ORDER_TOTAL_CENTS / 2 + 1 }] };
    expect(evaluateBusinessRules(over)).toEqual([{ path: '/items', message: 'order total 50000.02 exceeds the limit of 50000.00' }]);
  });

  it('reports every broken rule together', () => {
    const both = { ...valid, currency: 'JPY', items: [{ sku: 'BIG', quantity: 1000, unit_price_cents: 100_000_000 }] };
    expect(evaluateBusinessRules(both).map((r) => r.path)).toEqual(['/currency', '/items']);
  });
});
