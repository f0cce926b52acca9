import path from 'node:path';
import { LambdaService, type LambdaFunction, type LambdaLogLine } from '../src/lambda/runtime';

const fixture = (name: string) => path.join(__dirname, 'fixtures', name);

/** What the fixture's `echo` action answers. */
interface Echo {
  coldStartEnv: Record<string, string>;
  invocations: number;
  context: Record<string, unknown> & { remaining: number };
}

describe('local Lambda runtime', () => {
  const logs: LambdaLogLine[] = [];
  const service = new LambdaService({ onLog: (line) => logs.push(line) });
  let a: LambdaFunction;
  let b: LambdaFunction;

  beforeAll(() => {
    a = service.register({
      name: 'fn-a',
      bundlePath: fixture('handler.js'),
      timeoutSeconds: 1,
      memoryMb: 128,
      environment: { ORDERS_TABLE: 'orders-a', FIXTURE_NAME: 'a' },
      maxConcurrency: 2,
    });
    b = service.register({
      name: 'fn-b',
      bundlePath: fixture('handler.js'),
      timeoutSeconds: 2,
      memoryMb: 128,
      environment: { ORDERS_TABLE: 'orders-b', FIXTURE_NAME: 'b' },
    });
  });

  afterAll(() => service.close());

  it('gives each function its own environment, read at cold start, and a Lambda-like context', async () => {
    const [ra, rb] = await Promise.all([a.invoke({ action: 'echo' }), b.invoke({ action: 'echo' })]);
    expect(ra.ok && rb.ok).toBe(true);
    const pa = (ra as { payload: Echo }).payload;
    const pb = (rb as { payload: Echo }).payload;
    expect(pa.coldStartEnv).toEqual({ ORDERS_TABLE: 'orders-a', FIXTURE_NAME: 'a', AWS_LAMBDA_FUNCTION_NAME: 'fn-a' });
    expect(pb.coldStartEnv).toEqual({ ORDERS_TABLE: 'orders-b', FIXTURE_NAME: 'b', AWS_LAMBDA_FUNCTION_NAME: 'fn-b' });
    expect(pa.context).toMatchObject({
      awsRequestId: ra.requestId,
      functionName: 'fn-a',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn-a',
      memoryLimitInMB: '128',
      logGroupName: '/aws/lambda/fn-a',
    });
    expect(pa.context.remaining).toBeGreaterThan(800);
    expect(pa.context.remaining).toBeLessThanOrEqual(1000);
    // The parent's process.env is untouched.
    expect(process.env['FIXTURE_NAME']).toBeUndefined();
  });

  it('reuses a warm environment between invocations', async () => {
    const first = await b.invoke({ action: 'count' });
    const second = await b.invoke({ action: 'count' });
    expect((second as { payload: Echo }).payload.invocations).toBe((first as { payload: Echo }).payload.invocations + 1);
  });

  it('reports a thrown error with the runtime error shape (errorType = error.name)', async () => {
    const result = await a.invoke({ action: 'reject', reasons: [{ path: '/items', message: 'empty' }] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.errorType).toBe('OrderRejected');
    expect(JSON.parse(result.error.errorMessage)).toEqual({ reasons: [{ path: '/items', message: 'empty' }] });
    expect(result.error.trace[0]).toContain('OrderRejected');
    const plain = await a.invoke({ action: 'throw-string' });
    expect(plain).toMatchObject({ ok: false, error: { errorType: 'string', errorMessage: 'plain string', trace: [] } });
  });

  it('enforces the timeout, even on a busy loop, and cold-starts the next invocation', async () => {
    const before = a.coldStarts;
    const started = Date.now();
    const result = await a.invoke({ action: 'spin', ms: 5_000 });
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(result).toMatchObject({ ok: false, error: { errorType: 'Sandbox.Timedout' } });
    if (!result.ok) expect(result.error.errorMessage).toMatch(/Task timed out after 1\.\d\d seconds/);
    const next = await a.invoke({ action: 'echo' });
    expect(next.ok).toBe(true);
    expect(a.coldStarts).toBeGreaterThan(before);
    expect((next as { payload: Echo }).payload.invocations).toBe(1);
  });

  it('runs at most maxConcurrency environments and queues the rest', async () => {
    const started = Date.now();
    const results = await Promise.all([1, 2, 3, 4].map(() => a.invoke({ action: 'sleep', ms: 300 })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(a.environments).toBeLessThanOrEqual(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
  });

  it('drops an invocation whose caller gave up while it waited, without running it: TooManyRequestsException', async () => {
    // fn-a runs two environments: both busy, a third call waits; its caller gives up first.
    const busy = [a.invoke({ action: 'sleep', ms: 600 }), a.invoke({ action: 'sleep', ms: 600 })];
    const before = logs.length;
    const abandoned = await a.invoke({ action: 'log', message: 'abandoned call ran' }, { waitUntil: Date.now() });
    expect(abandoned).toMatchObject({ ok: false, error: { errorType: 'Lambda.TooManyRequestsException' } });
    expect((await Promise.all(busy)).every((r) => r.ok)).toBe(true);
    // The environments freed afterwards never ran it, and the next call is served.
    await expect(a.invoke({ action: 'echo' })).resolves.toMatchObject({ ok: true });
    expect(logs.slice(before).some((l) => JSON.stringify(l).includes('abandoned call ran'))).toBe(false);
  });

  it('turns a process.exit into Runtime.ExitError and recovers', async () => {
    const result = await b.invoke({ action: 'exit', code: 3 });
    expect(result).toMatchObject({ ok: false, error: { errorType: 'Runtime.ExitError' } });
    expect((await b.invoke({ action: 'count' })).ok).toBe(true);
  });

  it('returns null for undefined and relays handler output lines', async () => {
    expect(await b.invoke({ action: 'undefined' })).toMatchObject({ ok: true, payload: null });
    await b.invoke({ action: 'log', message: 'hello' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(logs).toEqual(
      expect.arrayContaining([
        { functionName: 'fn-b', stream: 'stdout', line: JSON.stringify({ level: 'info', msg: 'hello' }) },
        { functionName: 'fn-b', stream: 'stderr', line: 'to stderr' },
      ]),
    );
  });

  it('supports callback-style handlers', async () => {
    const fn = service.register({
      name: 'fn-cb',
      bundlePath: fixture('callback-handler.js'),
      timeoutSeconds: 2,
      memoryMb: 128,
      environment: {},
    });
    expect(await fn.invoke({})).toMatchObject({ ok: true, payload: { ok: true } });
    expect(await fn.invoke({ fail: true })).toMatchObject({ ok: false, error: { errorType: 'TypeError', errorMessage: 'bad input' } });
  });

  it('reports init errors and a missing handler like the Node.js runtime', async () => {
    const broken = service.register({ name: 'fn-broken', bundlePath: fixture('broken-init.js'), timeoutSeconds: 2, memoryMb: 128, environment: {} });
    expect(await broken.invoke({})).toMatchObject({ ok: false, error: { errorType: 'RangeError', errorMessage: 'init failed on purpose' } });
    const missing = service.register({ name: 'fn-missing', bundlePath: fixture('no-handler.js'), timeoutSeconds: 2, memoryMb: 128, environment: {} });
    expect(await missing.invoke({})).toMatchObject({ ok: false, error: { errorType: 'Runtime.HandlerNotFound' } });
    const absent = service.register({ name: 'fn-absent', bundlePath: fixture('does-not-exist.js'), timeoutSeconds: 2, memoryMb: 128, environment: {} });
    expect(await absent.invoke({})).toMatchObject({ ok: false, error: { errorType: 'Runtime.ImportModuleError' } });
  });

  it('resolves function names and ARNs', () => {
    expect(service.resolve('fn-a')).toBe(a);
    expect(service.resolve('arn:aws:lambda:us-east-1:000000000000:function:fn-b')).toBe(b);
    expect(service.resolve('arn:aws:lambda:us-east-1:000000000000:function:fn-b:live')).toBe(b);
    expect(service.resolve('nope')).toBeUndefined();
  });
});
