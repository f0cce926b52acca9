import { describeCaughtError, InvalidExecutionInput, readExecutionState, rejectionReasons, UNREADABLE_REJECTION } from '../src';

const reasons = [{ path: '/currency', message: 'currency JPY is not supported' }];

describe('rejectionReasons', () => {
  it('reads the reasons from a Lambda error Cause (errorMessage is the JSON of { reasons })', () => {
    const cause = JSON.stringify({ errorType: 'OrderRejected', errorMessage: JSON.stringify({ reasons }), trace: [] });
    expect(rejectionReasons({ Error: 'OrderRejected', Cause: cause })).toEqual(reasons);
  });

  it('accepts a Cause that is the message itself, and keeps only well-formed reasons', () => {
    expect(rejectionReasons({ Cause: JSON.stringify({ reasons: [...reasons, { path: 1 }, 'x'] }) })).toEqual(reasons);
  });

  it('falls back to a generic reason for anything unreadable', () => {
    for (const cause of [undefined, '', 'not json', '{"errorMessage":"not json"}', '{"reasons":[]}']) {
      expect(rejectionReasons(cause === undefined ? undefined : { Cause: cause })).toEqual([UNREADABLE_REJECTION]);
    }
  });
});

describe('describeCaughtError', () => {
  it('joins the error name and the Lambda error message or the raw cause', () => {
    expect(describeCaughtError({ Error: 'Lambda.Unknown', Cause: JSON.stringify({ errorMessage: 'boom' }) })).toBe('Lambda.Unknown: boom');
    expect(describeCaughtError({ Error: 'SQS.QueueDoesNotExist', Cause: 'no queue' })).toBe('SQS.QueueDoesNotExist: no queue');
    expect(describeCaughtError(undefined)).toBe('unknown error');
  });
});

describe('readExecutionState', () => {
  const valid = { order_id: `ord_${'a'.repeat(32)}`, correlation_id: 'c', request_hash: 'h', idempotency_key: null, received_at: 't', order: {} };

  it('accepts the execution input api-handler sends', () => {
    expect(readExecutionState(valid)).toBe(valid);
    expect(readExecutionState({ ...valid, idempotency_key: 'k' }).idempotency_key).toBe('k');
  });

  it('names every broken envelope field', () => {
    expect(() => readExecutionState({ ...valid, order_id: 'x', request_hash: '', idempotency_key: 5 })).toThrow(
      new InvalidExecutionInput('invalid execution input: order_id must be an order id; request_hash must be a non-empty string; idempotency_key must be a string or null'),
    );
    expect(() => readExecutionState([])).toThrow(InvalidExecutionInput);
  });
});
