import fc from 'fast-check';
import { Value } from 'typebox/value';
import { Errors } from 'typebox/schema';
import { CreateOrderRequestSchema, PATTERNS, validateCreateOrder, type CreateOrderRequest, type FieldError } from '../src';
import { CREATE_ORDER_REQUEST_JSON_SCHEMA } from '../src/generated/create-order-request.validator';

// validateCreateOrder lists errors with a small walker of the plain JSON Schema instead of
// typebox/schema's reporter (kept out of the bundles for size). This is the version it replaced,
// on typebox/value and typebox/schema; the two must give the same answer for every input.
const PATTERN_HINTS: Record<string, string> = {
  [PATTERNS.CUSTOMER_ID]: 'must start with a letter or digit and use only letters, digits and _ . : -',
  [PATTERNS.CURRENCY]: 'must be a three-letter upper-case ISO 4217 code such as "USD"',
};

interface RawError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

function referenceFieldErrors(error: RawError): FieldError[] {
  const path = error.instancePath;
  const params = error.params;
  switch (error.keyword) {
    case 'required':
      return ((params['requiredProperties'] as string[] | undefined) ?? []).map((name) => ({ path: `${path}/${name}`, message: 'is required' }));
    case 'additionalProperties':
      return ((params['additionalProperties'] as string[] | undefined) ?? []).map((name) => ({ path: `${path}/${name}`, message: 'is not an allowed field' }));
    case 'boolean':
      return [];
    case 'type':
      return [{ path, message: `must be ${params['type'] === 'integer' ? 'an integer' : `of type ${String(params['type'])}`}` }];
    case 'minimum':
      return [{ path, message: `must be at least ${String(params['limit'])}` }];
    case 'maximum':
      return [{ path, message: `must be at most ${String(params['limit'])}` }];
    case 'minLength':
      return [{ path, message: `must be at least ${String(params['limit'])} characters long` }];
    case 'maxLength':
      return [{ path, message: `must be at most ${String(params['limit'])} characters long` }];
    case 'minItems':
      return [{ path, message: `must have at least ${String(params['limit'])} item(s)` }];
    case 'maxItems':
      return [{ path, message: `must have at most ${String(params['limit'])} items` }];
    case 'pattern':
      return [{ path, message: PATTERN_HINTS[String(params['pattern'])] ?? 'must use only letters, digits and _ . : -, starting with a letter or digit' }];
    default:
      return [{ path, message: error.message }];
  }
}

function reference(input: unknown): ReturnType<typeof validateCreateOrder> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, errors: [{ path: '', message: 'request body must be a JSON object' }] };
  }
  if (!Value.Check(CreateOrderRequestSchema, input)) {
    const raw = Errors(CREATE_ORDER_REQUEST_JSON_SCHEMA, input)[1] as unknown as RawError[];
    const seen = new Set<string>();
    const errors = raw.flatMap(referenceFieldErrors).filter((e) => !seen.has(e.path) && seen.add(e.path));
    return { ok: false, errors: errors.length > 0 ? errors : [{ path: '', message: 'request body does not match the schema' }] };
  }
  const request = input as CreateOrderRequest;
  const first = new Map<string, number>();
  const duplicates: FieldError[] = [];
  request.items.forEach((item, index) => {
    const at = first.get(item.sku);
    if (at === undefined) first.set(item.sku, index);
    else duplicates.push({ path: `/items/${index}/sku`, message: `repeats the sku of /items/${at}; put the whole quantity on one line` });
  });
  if (duplicates.length > 0) return { ok: false, errors: duplicates };
  return {
    ok: true,
    value: {
      customer_id: request.customer_id,
      items: request.items.map((i) => ({ sku: i.sku, quantity: i.quantity, unit_price_cents: i.unit_price_cents })),
      currency: request.currency,
    },
  };
}

const same = (input: unknown) => {
  expect(validateCreateOrder(input)).toEqual(reference(input));
  return true;
};

// Values near every limit of the schema, so that most generated orders break a few rules at once.
const text = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,70}$/),
  fc.string({ unit: 'grapheme', maxLength: 70 }),
  fc.string({ unit: 'binary', maxLength: 140 }),
  fc.constantFrom('', ' ', 'USD', 'usd', 'EUR1', '\u{1F600}'.repeat(64), '\u{1F600}'.repeat(65), 'a'.repeat(64), 'a'.repeat(65), '\ud800x'),
);
const number = fc.oneof(fc.integer({ min: -2, max: 1002 }), fc.integer({ min: 99_999_998, max: 100_000_002 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0, 1.5));
const anything = fc.oneof(text, number, fc.jsonValue({ maxDepth: 2 }));
const field = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: arb as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: anything });
const item = fc.record(
  { sku: field(text), quantity: field(number), unit_price_cents: field(number), colour: anything, '~/x': anything },
  { requiredKeys: [] },
);
const order = fc.record(
  {
    customer_id: field(text),
    items: field(fc.array(field(item), { maxLength: 12 })),
    currency: field(text),
    coupon: anything,
    __proto__x: anything,
  },
  { requiredKeys: [] },
);

describe('validateCreateOrder answers as the typebox/value + typebox/schema version did', () => {
  it('on arbitrary JSON', () => {
    fc.assert(fc.property(fc.jsonValue(), same), { numRuns: 3000 });
  });

  it('on near-miss orders (every field near or beyond its limits, unknown fields, many errors)', () => {
    fc.assert(fc.property(order, same), { numRuns: 12000 });
  });

  it('on orders with many items (the 100-item limit and the cap on listed errors)', () => {
    const many = fc.array(field(item), { minLength: 95, maxLength: 105 });
    fc.assert(fc.property(fc.record({ customer_id: field(text), items: many, currency: field(text) }), same), { numRuns: 300 });
  });

  it('on valid orders, including repeated skus', () => {
    const identifier = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,20}$/);
    const validItem = fc.record({ sku: fc.constantFrom('A', 'B', 'C'), quantity: fc.integer({ min: 1, max: 1000 }), unit_price_cents: fc.integer({ min: 0, max: 100_000_000 }) });
    fc.assert(fc.property(fc.record({ customer_id: identifier, items: fc.array(validItem, { minLength: 1, maxLength: 5 }), currency: fc.constantFrom('USD', 'EUR') }), same), { numRuns: 2000 });
  });

  // Not compared: an object whose field is inherited from its prototype (JSON.parse never makes one),
  // which typebox/value accepts and the generated Check, counting own properties, does not.
  it('on hand-picked edge cases', () => {
    const valid = { customer_id: 'c-1', items: [{ sku: 'S', quantity: 1, unit_price_cents: 0 }], currency: 'USD' };
    for (const input of [
      {},
      { ...valid, items: {} },
      { ...valid, items: [null, 1, 'x', [], {}] },
      { ...valid, customer_id: undefined },
      { ...valid, extra: undefined },
      { ...valid, items: Array.from({ length: 20 }, () => ({ sku: '', quantity: 0, unit_price_cents: -1, extra: 1 })) },
      { ...valid, quantity: Number.POSITIVE_INFINITY },
      { ...valid, items: [{ sku: 'S', quantity: Number.NaN, unit_price_cents: 10n }] },
    ]) {
      same(input);
    }
  });
});
