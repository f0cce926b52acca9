/**
 * The order status model (DESIGN.md §3) as data.
 *
 *   RECEIVED -> PENDING | REJECTED | FAILED   (intake; FAILED only when the reconciler gives up)
 *   PENDING  -> FULFILLED | RETRYING | FAILED
 *   RETRYING -> FULFILLED | RETRYING | FAILED
 *   REJECTED, FULFILLED, FAILED are terminal.
 *
 * Orders are created RECEIVED by api-handler, and every later status is a conditional write on the
 * status the writer read. No function moves an order out of a terminal status; only an operator
 * may (OPERATOR_TRANSITIONS).
 */
export const ORDER_STATUSES = ['RECEIVED', 'PENDING', 'RETRYING', 'FULFILLED', 'FAILED', 'REJECTED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const TERMINAL_STATUSES: readonly OrderStatus[] = ['FULFILLED', 'FAILED', 'REJECTED'];

/** Statuses an order is open in: the reconciler looks for orders that stay in one too long. */
export const OPEN_STATUSES: readonly OrderStatus[] = ['RECEIVED', 'PENDING', 'RETRYING'];

/** Legal transitions: from -> allowed next statuses. */
export const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  RECEIVED: ['PENDING', 'REJECTED', 'FAILED'],
  PENDING: ['FULFILLED', 'RETRYING', 'FAILED'],
  RETRYING: ['FULFILLED', 'RETRYING', 'FAILED'],
  FULFILLED: [],
  FAILED: [],
  REJECTED: [],
};

/**
 * Moves only an operator makes, never a function: `dofs failed redrive` gives a FAILED order whose
 * fulfilment failed another round (FAILED -> RETRYING, then the normal fulfilment path). Kept apart
 * from TRANSITIONS so that `canTransition` still says no status leaves a terminal one.
 */
export const OPERATOR_TRANSITIONS: Readonly<Partial<Record<OrderStatus, readonly OrderStatus[]>>> = {
  FAILED: ['RETRYING'],
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

/** Whether an operator may move an order from `from` to `to` (OPERATOR_TRANSITIONS). */
export function canOperatorTransition(from: OrderStatus, to: OrderStatus): boolean {
  return OPERATOR_TRANSITIONS[from]?.includes(to) ?? false;
}
