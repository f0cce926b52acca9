import { isTerminal, messageDeadline, workflowLiveUntil, type StoredOrder } from '@dofs/order-domain';

/** A start by the intake is sent within api-handler's timeout (10 s); this also covers clocks a little apart. */
export const INTAKE_START_SECONDS = 60;

export interface EvidenceRules {
  now: number;
  /** A RECEIVED order without a write for this long may be looked at. */
  receivedAfterSeconds: number;
  /** A PENDING / RETRYING order without a write for this long may be looked at. */
  stalledAfterSeconds: number;
  /** No execution outlives this (the workflow's top-level TimeoutSeconds). */
  workflowTimeoutSeconds: number;
  /** No message sent before this (epoch ms) is left in order_queue or order_dlq; absent: unknown. */
  clearBefore?: number;
  maxRedrives: number;
}

export type Assessment =
  | { due: false; why: 'ended' | 'recent' | 'workflow-may-run' | 'message-may-be-queued' }
  | { due: true; action: 'redrive' | 'requeue' | 'give-up' };

/**
 * Is `order` lost, i.e. can nothing carry it any more? Never by age alone:
 * - RECEIVED: no execution of it can still run (past `workflowLiveUntil`: its start failed, or the
 *   workflow's own deadline passed since the last start);
 * - PENDING / RETRYING: no message of it can still be queued (its current dispatch was sent and
 *   visible before `clearBefore`).
 * The age thresholds are only a floor on top: an order written to recently is left alone.
 * A lost order is re-driven (RECEIVED: started again; otherwise enqueued again), or given up on
 * once `maxRedrives` re-drives were delivered and it was lost again.
 */
export function assess(order: StoredOrder, rules: EvidenceRules): Assessment {
  if (isTerminal(order.status)) return { due: false, why: 'ended' };
  const quietSince = rules.now - (order.status === 'RECEIVED' ? rules.receivedAfterSeconds : rules.stalledAfterSeconds) * 1000;
  if (Date.parse(order.updated_at) >= quietSince) return { due: false, why: 'recent' };
  if (order.status === 'RECEIVED') {
    const liveUntil = workflowLiveUntil(order, { intakeSeconds: INTAKE_START_SECONDS, workflowTimeoutSeconds: rules.workflowTimeoutSeconds });
    if (Date.parse(liveUntil) > rules.now) return { due: false, why: 'workflow-may-run' };
  } else if (rules.clearBefore === undefined || Date.parse(messageDeadline(order)) >= rules.clearBefore) {
    return { due: false, why: 'message-may-be-queued' };
  }
  if ((order.redrives ?? 0) >= rules.maxRedrives) return { due: true, action: 'give-up' };
  return { due: true, action: order.status === 'RECEIVED' ? 'redrive' : 'requeue' };
}

/**
 * The index cut-off: only orders open since before it can be due. The time an order opened is never later than
 * `updated_at` nor than a dispatch, so a due RECEIVED order opened before now - receivedAfter, and a
 * due PENDING / RETRYING order before both clearBefore and now - stalledAfter. During a backlog
 * `clearBefore` lags far behind and the cut-off is the RECEIVED one.
 */
export function indexCutoff(rules: EvidenceRules): number {
  const received = rules.now - rules.receivedAfterSeconds * 1000;
  if (rules.clearBefore === undefined) return received;
  return Math.max(received, Math.min(rules.clearBefore, rules.now - rules.stalledAfterSeconds * 1000));
}
