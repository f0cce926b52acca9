import { isTerminal, type OrderStatus, type StatusChange } from '@dofs/order-domain';
import { STATUS_NAME } from './constants';
import { OPEN_INDEX_ATTRIBUTES } from './orders-table';

/** The parts of an UpdateExpression that move an order's status, shared by every status write. */
export interface StatusWriteParts {
  sets: string[];
  removes: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/**
 * The status, `updated_at` and one appended `status_history` entry, all in the caller's one
 * conditional update, so the history can never disagree with the status. A terminal status also
 * removes the `open-orders` index key (OPEN_INDEX_ATTRIBUTES): the order leaves the index in the
 * write that ends it; a non-terminal move leaves the key alone (set once, when the order opens).
 */
export function statusWrite(change: StatusChange): StatusWriteParts {
  const sets = [`${STATUS_NAME} = :to`, 'updated_at = :now', 'status_history = list_append(if_not_exists(status_history, :no_history), :change)'];
  const removes: string[] = isTerminal(change.to as OrderStatus) ? [...OPEN_INDEX_ATTRIBUTES] : [];
  const values: Record<string, unknown> = { ':to': change.to, ':now': change.at, ':no_history': [], ':change': [change] };
  return { sets, removes, names: { [STATUS_NAME]: 'status' }, values };
}

/** `SET a, b REMOVE c` from parts. */
export function updateExpression(sets: readonly string[], removes: readonly string[]): string {
  return [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : ''].filter(Boolean).join(' ');
}
