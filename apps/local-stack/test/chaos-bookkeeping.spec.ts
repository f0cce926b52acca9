// The fault suite's own bookkeeping: what counts as a double transition.
const { hasDoubleTransition, isBad } = require('../chaos/scenarios.cjs') as typeof import('../chaos/scenarios.cjs');

const at = '2026-01-01T00:00:00.000Z';
const step = (from: string | undefined, to: string) => ({ ...(from ? { from } : {}), to, at, by: 'x' });

describe('double transitions', () => {
  it('accepts the history of an order moved once per step, RETRYING repeated', () => {
    const history = [step(undefined, 'RECEIVED'), step('RECEIVED', 'PENDING'), step('PENDING', 'RETRYING'), step('RETRYING', 'RETRYING'), step('RETRYING', 'FULFILLED')];
    expect(hasDoubleTransition({ status: 'FULFILLED', status_history: history })).toBe(false);
  });

  it('finds a status entered twice, a move from a status the order had left, and a history that disagrees with the status', () => {
    expect(hasDoubleTransition({ status: 'PENDING', status_history: [step(undefined, 'RECEIVED'), step('RECEIVED', 'PENDING'), step('RECEIVED', 'PENDING')] })).toBe(true);
    expect(hasDoubleTransition({ status: 'FAILED', status_history: [step(undefined, 'RECEIVED'), step('RECEIVED', 'PENDING'), step('RECEIVED', 'FAILED')] })).toBe(true);
    expect(hasDoubleTransition({ status: 'FULFILLED', status_history: [step(undefined, 'RECEIVED'), step('RECEIVED', 'PENDING')] })).toBe(true);
  });

  it('calls a scenario bad on any lost, stuck, doubly moved, unarchived or wrongly failed order, or none accepted', () => {
    const clean = { scenario: 's', sent: 1, accepted: 1, refused: 0, FULFILLED: 1, FAILED: 0, REJECTED: 0, lost: 0, stuck: 0, doubleTransitions: 0, failedNotArchived: 0, wronglyFailed: 0, seconds: 1 };
    expect(isBad(clean)).toBe(false);
    for (const field of ['lost', 'stuck', 'doubleTransitions', 'failedNotArchived', 'wronglyFailed'] as const) expect(isBad({ ...clean, [field]: 1 })).toBe(true);
    expect(isBad({ ...clean, accepted: 0, FULFILLED: 0 })).toBe(true);
  });
});
