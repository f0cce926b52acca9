import { isTerminal, openShardKey, type OrderStatus, type StatusChange } from '@dofs/order-domain';
import { STATUS_NAME } from './constants';

/** The parts of an UpdateExpression that move an order's status, shared by every status write. */
export interface StatusWriteParts {
  sets: string[];
  removes: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/**
 * The status, `updated_at`, one appended `status_history` entry and the `open-orders` index key,
 * all in the caller's one conditional update: the history can never disagree with the status, and
 * an order leaves the index in the same write that makes it terminal.
 */
export function statusWrite(orderId: string, change: StatusChange): StatusWriteParts {
  const sets = [`${STATUS_NAME} = :to`, 'updated_at = :now', 'status_history = list_append(if_not_exists(status_history, :no_history), :change)'];
  const removes: string[] = [];
  const values: Record<string, unknown> = { ':to': change.to, ':now': change.at, ':no_history': [], ':change': [change] };
  if (isTerminal(change.to as OrderStatus)) {
    removes.push('open_shard');
  } else {
    sets.push('open_shard = :open_shard');
    values[':open_shard'] = openShardKey(change.to, orderId);
  }
  return { sets, removes, names: { [STATUS_NAME]: 'status' }, values };
}

/** `SET a, b REMOVE c` from parts. */
export function updateExpression(sets: readonly string[], removes: readonly string[]): string {
  return [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : ''].filter(Boolean).join(' ');
}
