import type { InvokeResult } from '../src/lambda/runtime';
import { startReconcileTimer } from '../src/reconciler';

// The timer with jest's fake clock: ticks are driven by the test, never by wall-clock time.
describe('reconcile timer', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const ok = (payload: unknown): InvokeResult => ({ ok: true, payload, requestId: 'r', durationMs: 1 });
  const logger = () => ({ event: jest.fn(), warn: jest.fn() });

  it('invokes the function with an empty event every interval and reports a run that acted', async () => {
    const invoke = jest.fn(async () => ok({ scanned: 2, redriven: 1, requeued: 1, gaveUp: 0, errors: 0 }));
    const log = logger();
    const timer = startReconcileTimer({ fn: { invoke }, intervalSeconds: 5, logger: log });
    await jest.advanceTimersByTimeAsync(4999);
    expect(invoke).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(invoke).toHaveBeenCalledWith({});
    await jest.advanceTimersByTimeAsync(10_000);
    expect(invoke).toHaveBeenCalledTimes(3);
    expect(log.event).toHaveBeenCalledWith('reconcile', 'magenta', expect.stringContaining('1 workflow(s) started again, 1 re-enqueued'));
    await timer.stop();
  });

  it('stays quiet when a run did nothing and warns when it failed', async () => {
    const results = [ok({ scanned: 0, redriven: 0, requeued: 0, gaveUp: 0, errors: 0 }), { ok: false, error: { errorType: 'Boom', errorMessage: 'down', trace: [] }, requestId: 'r', durationMs: 1 } as InvokeResult];
    const invoke = jest.fn(async () => results.shift() as InvokeResult);
    const log = logger();
    const timer = startReconcileTimer({ fn: { invoke }, intervalSeconds: 1, logger: log });
    await jest.advanceTimersByTimeAsync(2000);
    expect(log.event).not.toHaveBeenCalled();
    expect(log.warn).toHaveBeenCalledWith('reconcile-orders failed: Boom: down');
    await timer.stop();
  });

  it('skips a tick while the previous run is still going, and starts none after stop', async () => {
    let finish: () => void = () => undefined;
    const invoke = jest.fn(() => new Promise<InvokeResult>((resolve) => (finish = () => resolve(ok({})))));
    const timer = startReconcileTimer({ fn: { invoke }, intervalSeconds: 1, logger: logger() });
    await jest.advanceTimersByTimeAsync(3000);
    expect(invoke).toHaveBeenCalledTimes(1);
    finish();
    await jest.advanceTimersByTimeAsync(1000);
    expect(invoke).toHaveBeenCalledTimes(2);
    finish();
    await timer.stop();
    await jest.advanceTimersByTimeAsync(5000);
    expect(invoke).toHaveBeenCalledTimes(2);
  });
});
