import type { OrderItem } from './schemas';

/** Total of an order's lines in integer minor units. Throws RangeError if the sum leaves the safe integer range. */
export function orderTotalCents(items: readonly Pick<OrderItem, 'quantity' | 'unit_price_cents'>[]): number {
  let total = 0;
  for (const item of items) {
    const line = item.quantity * item.unit_price_cents;
    if (!Number.isSafeInteger(line)) throw new RangeError('order line total is not a safe integer');
    total += line;
    if (!Number.isSafeInteger(total)) throw new RangeError('order total is not a safe integer');
  }
  return total;
}

/** Formats minor units as a decimal string with two places, without floating point ("12345" -> "123.45"). */
export function formatMinorUnits(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError('amount must be a safe integer');
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const major = Math.floor(abs / 100);
  const minor = String(abs % 100).padStart(2, '0');
  return `${sign}${major}.${minor}`;
}
