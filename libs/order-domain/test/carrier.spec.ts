import { attemptsThisRound, isSuperseded, messageDeadline, nextDispatch, orderMessageFor, workflowLiveUntil } from '../src';

describe('the carriers of an order', () => {
  const at = new Date('2026-05-01T10:00:00.000Z');

  it('numbers dispatches from 1 and records when the message can have been sent and seen at the latest', () => {
    const first = nextDispatch(undefined, { at, sendWithinSeconds: 300, by: 'store-order' });
    expect(first).toEqual({ seq: 1, at: at.toISOString(), sent_by: '2026-05-01T10:05:00.000Z', visible_at: at.toISOString(), by: 'store-order' });
    const back = nextDispatch(first, { at, sendWithinSeconds: 7, delaySeconds: 120, by: 'dlq-handler', source: 'm-9' });
    expect(back).toEqual({ seq: 2, at: at.toISOString(), sent_by: '2026-05-01T10:00:07.000Z', visible_at: '2026-05-01T10:02:00.000Z', by: 'dlq-handler', source: 'm-9' });
    // A delayed message is not in the queue's view until it is visible: the later of the two counts.
    expect(messageDeadline({ dispatch: back, updated_at: '2026-01-01T00:00:00.000Z' })).toBe('2026-05-01T10:02:00.000Z');
    expect(messageDeadline({ dispatch: first, updated_at: '2026-01-01T00:00:00.000Z' })).toBe('2026-05-01T10:05:00.000Z');
    // Without a dispatch, the order's last write stands in (every sender writes before it sends).
    expect(messageDeadline({ updated_at: '2026-01-01T00:00:00.000Z' })).toBe('2026-01-01T00:00:00.000Z');
  });

  it('tells a superseded message from the current one; an undated copy is older than any dispatch', () => {
    const order = { dispatch: nextDispatch(nextDispatch(undefined, { at, sendWithinSeconds: 1, by: 'a' }), { at, sendWithinSeconds: 1, by: 'b' }) };
    expect(isSuperseded(order, 1)).toBe(true);
    expect(isSuperseded(order, 2)).toBe(false);
    expect(isSuperseded(order, undefined)).toBe(true);
    expect(isSuperseded({}, undefined)).toBe(false);
  });

  it('counts the attempts of the current round only', () => {
    expect(attemptsThisRound({ attempts: 5, attempts_base: 3 })).toBe(2);
    expect(attemptsThisRound({ attempts: 2 })).toBe(2);
  });

  it('bounds the life of a workflow execution: the intake plus the deadline, or what a later start or a refusal recorded', () => {
    const bounds = { intakeSeconds: 60, workflowTimeoutSeconds: 300 };
    expect(workflowLiveUntil({ received_at: '2026-05-01T10:00:00.000Z' }, bounds)).toBe('2026-05-01T10:06:00.000Z');
    expect(workflowLiveUntil({ received_at: '2026-05-01T10:00:00.000Z', workflow_until: '2026-05-01T10:00:03.000Z' }, bounds)).toBe('2026-05-01T10:00:03.000Z');
  });

  it('builds every order message the same way: the correlation id falls back to the order id', () => {
    expect(orderMessageFor({ order_id: 'ord_1', correlation_id: 'c-1' }, 2)).toEqual({ order_id: 'ord_1', correlation_id: 'c-1', dispatch: 2 });
    expect(orderMessageFor({ order_id: 'ord_1' })).toEqual({ order_id: 'ord_1', correlation_id: 'ord_1' });
  });
});
