/**
 * The order status model (DESIGN.md §3) as data.
 *
 *   PENDING  -> FULFILLED | RETRYING | FAILED
 *   RETRYING -> FULFILLED | RETRYING | FAILED
 *   REJECTED, FULFILLED, FAILED are terminal.
 *
 * REJECTED is written once, by StoreOrder on the rejection path; no transition leads into it.
 */
export const ORDER_STATUSES = ['PENDING', 'RETRYING', 'FULFILLED', 'FAILED', 'REJECTED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const TERMINAL_STATUSES: readonly OrderStatus[] = ['FULFILLED', 'FAILED', 'REJECTED'];

/** Statuses an order may be created in. */
export const INITIAL_STATUSES: readonly OrderStatus[] = ['PENDING', 'REJECTED'];

/** Legal transitions: from -> allowed next statuses. */
export const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  PENDING: ['FULFILLED', 'RETRYING', 'FAILED'],
  RETRYING: ['FULFILLED', 'RETRYING', 'FAILED'],
  FULFILLED: [],
  FAILED: [],
  REJECTED: [],
};

export function isOrderStatus(value: unknown): value is OrderStatus {
  return typeof value === 'string' && (ORDER_STATUSES as readonly string[]).includes(value);
}

export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from]?.includes(to) ?? false;
}

/** The statuses from which `to` can be reached: what a conditional write must expect. */
export function predecessorsOf(to: OrderStatus): OrderStatus[] {
  return ORDER_STATUSES.filter((from) => canTransition(from, to));
}
