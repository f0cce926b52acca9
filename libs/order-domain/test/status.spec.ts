import {
  OPEN_STATUSES,
  OPERATOR_TRANSITIONS,
  ORDER_STATUSES,
  TERMINAL_STATUSES,
  TRANSITIONS,
  canOperatorTransition,
  canTransition,
  isOrderStatus,
  isTerminal,
  type OrderStatus,
} from '../src';

const predecessorsOf = (to: OrderStatus) => ORDER_STATUSES.filter((from) => canTransition(from, to));

const LEGAL: Array<[OrderStatus, OrderStatus]> = [
  ['RECEIVED', 'PENDING'],
  ['RECEIVED', 'REJECTED'],
  ['RECEIVED', 'FAILED'],
  ['PENDING', 'FULFILLED'],
  ['PENDING', 'RETRYING'],
  ['PENDING', 'FAILED'],
  ['RETRYING', 'FULFILLED'],
  ['RETRYING', 'RETRYING'],
  ['RETRYING', 'FAILED'],
];

describe('order status model', () => {
  it('allows exactly the transitions of the design, and no other', () => {
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) {
        const expected = LEGAL.some(([f, t]) => f === from && t === to);
        expect({ from, to, allowed: canTransition(from, to) }).toEqual({ from, to, allowed: expected });
      }
    }
  });

  it('has FULFILLED, FAILED and REJECTED as terminal, with no way out', () => {
    expect([...TERMINAL_STATUSES].sort()).toEqual(['FAILED', 'FULFILLED', 'REJECTED']);
    for (const terminal of TERMINAL_STATUSES) {
      expect(isTerminal(terminal)).toBe(true);
      expect(TRANSITIONS[terminal]).toEqual([]);
    }
    expect(isTerminal('PENDING')).toBe(false);
    expect(isTerminal('RETRYING')).toBe(false);
  });

  it('starts every order RECEIVED, and leads into REJECTED and PENDING only from there', () => {
    expect(predecessorsOf('RECEIVED')).toEqual([]);
    expect(predecessorsOf('REJECTED')).toEqual(['RECEIVED']);
    expect(predecessorsOf('PENDING')).toEqual(['RECEIVED']);
  });

  it('names the statuses a conditional write must expect', () => {
    expect(predecessorsOf('FULFILLED').sort()).toEqual(['PENDING', 'RETRYING']);
    expect(predecessorsOf('FAILED').sort()).toEqual(['PENDING', 'RECEIVED', 'RETRYING']);
    expect(predecessorsOf('RETRYING').sort()).toEqual(['PENDING', 'RETRYING']);
  });

  it('calls open exactly the statuses that are not terminal', () => {
    expect([...OPEN_STATUSES, ...TERMINAL_STATUSES].sort()).toEqual([...ORDER_STATUSES].sort());
    for (const open of OPEN_STATUSES) expect(isTerminal(open)).toBe(false);
  });

  it('recognises status strings and nothing else', () => {
    for (const s of ORDER_STATUSES) expect(isOrderStatus(s)).toBe(true);
    for (const v of ['pending', 'DONE', '', null, 3, undefined, {}]) expect(isOrderStatus(v)).toBe(false);
  });

  it('treats unknown statuses as unable to move', () => {
    expect(canTransition('BOGUS' as OrderStatus, 'FULFILLED')).toBe(false);
  });
});

describe('operator transitions', () => {
  it('let an operator re-open a FAILED order as RETRYING, and nothing else', () => {
    expect(OPERATOR_TRANSITIONS).toEqual({ FAILED: ['RETRYING'] });
    for (const from of ORDER_STATUSES) {
      for (const to of ORDER_STATUSES) expect(canOperatorTransition(from, to)).toBe(from === 'FAILED' && to === 'RETRYING');
    }
  });

  it('leave the functions\' model alone: FAILED -> RETRYING is not a transition any function may write', () => {
    expect(canTransition('FAILED', 'RETRYING')).toBe(false);
  });
});

describe('stored status schema', () => {
  it('lists exactly the statuses of the model', async () => {
    const { OrderStatusSchema } = await import('../src');
    const literals = (OrderStatusSchema as unknown as { anyOf: { const: string }[] }).anyOf.map((s) => s.const);
    expect([...literals].sort()).toEqual([...ORDER_STATUSES].sort());
  });
});
