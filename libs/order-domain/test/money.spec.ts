import fc from 'fast-check';
import { formatMinorUnits, orderTotalCents } from '../src';

describe('money in integer minor units', () => {
  it('sums quantity x unit price exactly', () => {
    expect(orderTotalCents([{ quantity: 2, unit_price_cents: 1999 }, { quantity: 3, unit_price_cents: 1 }])).toBe(4001);
    expect(orderTotalCents([])).toBe(0);
  });

  it('adds amounts that break floating point decimals exactly (0.1 + 0.2)', () => {
    expect(orderTotalCents([{ quantity: 1, unit_price_cents: 10 }, { quantity: 1, unit_price_cents: 20 }])).toBe(30);
    expect(formatMinorUnits(30)).toBe('0.30');
  });

  it('always gives a safe integer equal to the BigInt sum within the schema limits', () => {
    const line = fc.record({ quantity: fc.integer({ min: 1, max: 1000 }), unit_price_cents: fc.integer({ min: 0, max: 100_000_000 }) });
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 100 }), (items) => {
        const total = orderTotalCents(items);
        const exact = items.reduce((sum, i) => sum + BigInt(i.quantity) * BigInt(i.unit_price_cents), 0n);
        return Number.isSafeInteger(total) && BigInt(total) === exact;
      }),
    );
  });

  it('refuses totals beyond the safe integer range instead of rounding', () => {
    expect(() => orderTotalCents([{ quantity: 2, unit_price_cents: Number.MAX_SAFE_INTEGER }])).toThrow(RangeError);
  });

  it('formats minor units with two places and no float arithmetic', () => {
    expect(formatMinorUnits(0)).toBe('0.00');
    expect(formatMinorUnits(5)).toBe('0.05');
    expect(formatMinorUnits(123456)).toBe('1234.56');
    expect(formatMinorUnits(-250)).toBe('-2.50');
    expect(() => formatMinorUnits(1.5)).toThrow(RangeError);
  });
});
