import { ConfigError } from '@dofs/handler-kit';
import { captureLogs, lambdaContext, sampleOrder } from '@dofs/handler-kit/testing';
import { InvalidExecutionInput, type OrderVerdict } from '@dofs/order-domain';
import { createHandler } from '../src/handler';
import { executionInput } from './helpers/execution';

function reasonsOf(verdict: OrderVerdict) {
  if (verdict.valid) throw new Error('expected a rejection');
  return verdict.reasons;
}

describe('validate-order handler (Step Functions task input)', () => {
  const logs = captureLogs();
  const handler = createHandler({ env: {}, logSink: logs.sink });
  beforeEach(() => logs.clear());

  it('returns a valid verdict with the normalised order and its total', async () => {
    const input = executionInput(sampleOrder({ items: [{ unit_price_cents: 1999, quantity: 2, sku: 'SKU-1' }] }));
    const result = await handler(input, lambdaContext());
    expect(result).toEqual({ valid: true, order: sampleOrder({ items: [{ sku: 'SKU-1', quantity: 2, unit_price_cents: 1999 }] }), total_cents: 3998 });
    expect(logs.lines()).toEqual([
      expect.objectContaining({ level: 'INFO', message: 'order validated', order_id: input.order_id, correlation_id: 'corr-validate-1', total_cents: 3998 }),
    ]);
  });

  it('returns a rejection, not an error, for an order that breaks the schema, with every bad field', async () => {
    const input = executionInput({ customer_id: '', items: [{ sku: 'SKU-1', quantity: 0, unit_price_cents: 1 }], currency: 'usd' });
    const reasons = reasonsOf(await handler(input, lambdaContext()));
    expect(reasons.map((r) => r.path).sort()).toEqual(['/currency', '/customer_id', '/items/0/quantity']);
    expect(logs.lines()).toEqual([expect.objectContaining({ level: 'INFO', message: 'order rejected: it does not match the schema' })]);
  });

  it('returns a rejection for an order that breaks a business rule (unsupported currency, total over the limit)', async () => {
    const input = executionInput(sampleOrder({ currency: 'JPY', items: [{ sku: 'BIG', quantity: 1000, unit_price_cents: 100_000 }] }));
    expect(reasonsOf(await handler(input, lambdaContext()))).toEqual([
      { path: '/currency', message: expect.stringContaining('JPY is not supported') },
      { path: '/items', message: expect.stringContaining('exceeds the limit') },
    ]);
    // A business outcome: logged as INFO, never as an error (the Errors metric means faults only).
    expect(logs.lines()).toEqual([expect.objectContaining({ level: 'INFO', order_id: input.order_id })]);
  });

  it('rejects an execution whose order is missing altogether', async () => {
    const input = { ...executionInput(), order: undefined };
    expect(reasonsOf(await handler(input, lambdaContext()))).toEqual([{ path: '', message: 'request body must be a JSON object' }]);
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
