import { executionInputFor, InvalidExecutionInput, readExecutionState, requestHash } from '../src';

describe('readExecutionState', () => {
  const valid = { order_id: `ord_${'a'.repeat(32)}`, correlation_id: 'c', request_hash: 'h', received_at: 't', order: {} };

  it('accepts the execution input api-handler sends', () => {
    expect(readExecutionState(valid)).toBe(valid);
  });

  it('names every broken envelope field', () => {
    expect(() => readExecutionState({ ...valid, order_id: 'x', request_hash: '', received_at: 5 })).toThrow(
      new InvalidExecutionInput('invalid execution input: order_id must be an order id; request_hash must be a non-empty string; received_at must be a string'),
    );
    expect(() => readExecutionState([])).toThrow(InvalidExecutionInput);
  });
});

describe('executionInputFor', () => {
  it('rebuilds from a stored order the input api-handler sent for it', () => {
    const order = { customer_id: 'c-1', items: [{ sku: 'SKU-1', quantity: 2, unit_price_cents: 1999 }], currency: 'USD' };
    const input = { order_id: `ord_${'b'.repeat(32)}`, correlation_id: 'corr-1', request_hash: requestHash(order), received_at: '2026-01-01T00:00:00.000Z', order };
    const stored = { ...order, ...input, status: 'RECEIVED', total_cents: 3998, attempts: 0, status_history: [], created_at: 'x', updated_at: 'y' };
    expect(executionInputFor(stored)).toEqual(input);
    expect(readExecutionState(executionInputFor(stored))).toEqual(input);
  });
});
