import { ConfigError, captureLogs, InvalidExecutionInput, lambdaContext, rejectionReasons } from '@dofs/handler-kit';
import { createHandler } from '../src/handler';
import { OrderRejected } from '../src/errors';
import { executionInput, orderRequest } from './helpers/execution';

/** What Step Functions puts in `Cause` when the Lambda throws (the Node runtime's error JSON). */
function lambdaErrorCause(error: Error): string {
  return JSON.stringify({ errorType: error.name, errorMessage: error.message, trace: (error.stack ?? '').split('\n') });
}

async function rejectionOf(promise: Promise<unknown>): Promise<OrderRejected> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OrderRejected) return error;
    throw error;
  }
  throw new Error('expected OrderRejected');
}

describe('validate-order handler (Step Functions task input)', () => {
  const logs = captureLogs();
  const handler = createHandler({ env: {}, logSink: logs.sink });
  beforeEach(() => logs.clear());

  it('returns the normalised order and its total for a valid order', async () => {
    const input = executionInput({ ...orderRequest(), items: [{ unit_price_cents: 1999, quantity: 2, sku: 'SKU-1' }] });
    const result = await handler(input, lambdaContext());
    expect(result).toEqual({ order: { customer_id: 'c-123', items: [{ sku: 'SKU-1', quantity: 2, unit_price_cents: 1999 }], currency: 'USD' }, total_cents: 3998 });
    expect(logs.lines()).toEqual([
      expect.objectContaining({ level: 'INFO', message: 'order validated', order_id: input.order_id, correlation_id: 'corr-validate-1', total_cents: 3998 }),
    ]);
  });

  it('rejects an order that breaks the schema with every bad field, named OrderRejected', async () => {
    const input = executionInput({ customer_id: '', items: [{ sku: 'SKU-1', quantity: 0, unit_price_cents: 1 }], currency: 'usd' });
    const error = await rejectionOf(handler(input, lambdaContext()));
    expect(error.name).toBe('OrderRejected');
    expect(error.reasons.map((r) => r.path).sort()).toEqual(['/currency', '/customer_id', '/items/0/quantity']);
    expect(JSON.parse(error.message)).toEqual({ reasons: error.reasons });
  });

  it('rejects an order that breaks a business rule (unsupported currency, total over the limit)', async () => {
    const input = executionInput(orderRequest({ currency: 'JPY', items: [{ sku: 'BIG', quantity: 1000, unit_price_cents: 100_000 }] }));
    const error = await rejectionOf(handler(input, lambdaContext()));
    expect(error.reasons).toEqual([
      { path: '/currency', message: expect.stringContaining('JPY is not supported') },
      { path: '/items', message: expect.stringContaining('exceeds the limit') },
    ]);
    expect(logs.lines()).toEqual([expect.objectContaining({ level: 'INFO', error_name: 'OrderRejected', order_id: input.order_id })]);
  });

  it('rejects an execution whose order is missing altogether', async () => {
    const input = { ...executionInput(), order: undefined };
    const error = await rejectionOf(handler(input, lambdaContext()));
    expect(error.reasons).toEqual([{ path: '', message: 'request body must be a JSON object' }]);
  });

  it('gives store-order reasons it can read back from the Step Functions Cause', async () => {
    const error = await rejectionOf(handler(executionInput(orderRequest({ currency: 'EURO' })), lambdaContext()));
    expect(rejectionReasons({ Error: error.name, Cause: lambdaErrorCause(error) })).toEqual(error.reasons);
  });

  it('fails (not rejects) an execution input without a valid order id, logged as an error', async () => {
    await expect(handler({ ...executionInput(), order_id: 'nope' }, lambdaContext())).rejects.toBeInstanceOf(InvalidExecutionInput);
    await expect(handler('not an object', lambdaContext())).rejects.toBeInstanceOf(InvalidExecutionInput);
    expect(logs.lines().map((l) => l['level'])).toEqual(['ERROR', 'ERROR']);
  });

  it('checks LOG_LEVEL once, when the handler is built', () => {
    expect(() => createHandler({ env: { LOG_LEVEL: 'chatty' } })).toThrow(ConfigError);
    expect(() => createHandler({ env: { LOG_LEVEL: 'chatty' } })).toThrow(/LOG_LEVEL must be one of/);
  });
});
