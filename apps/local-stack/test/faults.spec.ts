// Fault injection and supervision, without the servers: the faults object, its command-line
// options, the Lambda runtime and the Step Functions endpoint under injected faults, and the
// supervisor's restart policy (with stand-in servers). stack-faults.spec.ts runs them on the real stack.
import path from 'node:path';
import { SFNClient, StartExecutionCommand, DescribeStateMachineCommand } from '@aws-sdk/client-sfn';
import { parseCli, USAGE, UsageError } from '../src/cli';
import { Faults, INJECTED_ERROR_TYPE, seededRandom } from '../src/faults';
import { LambdaService, type InvokeResult } from '../src/lambda/runtime';
import { startSfnEndpoint } from '../src/sfn/endpoint';
import type { StepFunctionsService } from '../src/sfn/service';
import { supervise, type SupervisedServer } from '../src/supervision';

const fixture = (name: string) => path.join(__dirname, 'fixtures', name);

/** A random source that answers the given draws in order (then 0.99). */
const draws = (...values: number[]) => () => values.shift() ?? 0.99;

describe('Faults: Lambda invocations', () => {
  it('applies a fault at its rate, with the injected random source deciding each invocation', () => {
    const faults = new Faults({ random: draws(0.1, 0.5, 0.29, 0.3) });
    faults.injectLambda({ functionName: 'store-order', action: 'timeout', rate: 0.3 });
    expect(faults.lambdaFaultFor('store-order')).toEqual({ action: 'timeout' });
    expect(faults.lambdaFaultFor('store-order')).toBeUndefined();
    expect(faults.lambdaFaultFor('store-order')).toEqual({ action: 'timeout' });
    expect(faults.lambdaFaultFor('store-order')).toBeUndefined();
    expect(faults.lambdaFaultFor('validate-order')).toBeUndefined();
    expect(faults.injected.get('store-order:timeout')).toBe(2);
  });

  it('describes delays and errors, and removes a fault again', () => {
    const faults = new Faults({ random: () => 0 });
    const remove = faults.injectLambda({ functionName: 'fulfill-order', action: 'delay', delayMs: 250 });
    expect(faults.lambdaFaultFor('fulfill-order')).toEqual({ action: 'delay', delayMs: 250 });
    remove();
    expect(faults.lambdaFaultFor('fulfill-order')).toBeUndefined();
    faults.injectLambda({ functionName: 'fulfill-order', action: 'error' });
    expect(faults.lambdaFaultFor('fulfill-order')).toMatchObject({ action: 'error', error: { errorType: INJECTED_ERROR_TYPE } });
    faults.clearLambda('fulfill-order');
    expect(faults.lambdaFaultFor('fulfill-order')).toBeUndefined();
    expect(() => faults.injectLambda({ functionName: 'x', action: 'error', rate: 2 })).toThrow(RangeError);
  });

  it('a seed gives the same draws every time', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const first = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(Array.from({ length: 5 }, seededRandom(43))).not.toEqual(first);
  });

  it('StartExecution fails for a window, then answers again', () => {
    const faults = new Faults();
    expect(faults.startExecutionFault()).toBeUndefined();
    faults.failStartExecution(600_000, 'InternalFailure');
    expect(faults.startExecutionFault()).toMatchObject({ statusCode: 500, code: 'InternalFailure' });
    faults.clearStartExecution();
    expect(faults.startExecutionFault()).toBeUndefined();
    faults.failStartExecution(0);
    expect(faults.startExecutionFault()).toBeUndefined();
  });
});

describe('fault options on the command line', () => {
  it('reads every fault option (repeatable) into one plan', () => {
    const options = parseCli(
      [
        '--lambda-fault', 'store-order:timeout:0.3',
        '--lambda-fault', 'fulfill-order:delay=2000',
        '--lambda-fault', 'validate-order:error:0',
        '--fault-seed', '7',
        '--dynamodb-freeze', '20@5',
        '--dynamodb-kill', '30',
        '--sqs-stall', '2.5',
        '--start-execution-fault', 'InternalFailure:10@1',
        '--start-execution-fault', '4',
      ],
      {},
    );
    expect(options.faults).toEqual({
      lambda: [
        { functionName: 'store-order', action: 'timeout', rate: 0.3 },
        { functionName: 'fulfill-order', action: 'delay', delayMs: 2000 },
        { functionName: 'validate-order', action: 'error', rate: 0 },
      ],
      scheduled: [
        { target: 'dynamodb', action: 'freeze', seconds: 20, afterSeconds: 5 },
        { target: 'dynamodb', action: 'kill', afterSeconds: 30 },
        { target: 'sqs', action: 'stall', seconds: 2.5, afterSeconds: 0 },
        { target: 'sfn', action: 'start-execution', code: 'InternalFailure', seconds: 10, afterSeconds: 1 },
        { target: 'sfn', action: 'start-execution', code: 'ThrottlingException', seconds: 4, afterSeconds: 0 },
      ],
      seed: 7,
    });
    expect(parseCli([], {}).faults).toBeUndefined();
    for (const option of ['--lambda-fault', '--fault-seed', '--dynamodb-freeze', '--dynamodb-kill', '--sqs-stall', '--start-execution-fault']) {
      expect(USAGE).toContain(option);
    }
  });

  it.each([
    [['--lambda-fault', 'nobody:error']],
    [['--lambda-fault', 'store-order:explode']],
    [['--lambda-fault', 'store-order:error:1.5']],
    [['--lambda-fault', 'store-order:delay=x']],
    [['--lambda-fault', 'store-order:error:0.5:extra']],
    [['--dynamodb-freeze', 'ten']],
    [['--dynamodb-freeze', '10@']],
    [['--dynamodb-freeze', '1@2@3']],
    [['--dynamodb-kill', '-1']],
    [['--sqs-stall', '']],
    [['--start-execution-fault', 'Teapot:5']],
    [['--fault-seed', '1.5']],
  ])('rejects %j with a usage error', (args) => {
    expect(() => parseCli(args, {})).toThrow(UsageError);
  });
});

describe('injected Lambda faults in the local runtime', () => {
  const service = new LambdaService();
  const faults = new Faults({ random: () => 0 });
  service.setFaults(faults);
  const fn = service.register({ name: 'fn-faulty', bundlePath: fixture('handler.js'), timeoutSeconds: 1, memoryMb: 128, environment: {} });

  afterEach(() => faults.clearLambda());
  afterAll(() => service.close());

  const timedOut = (result: InvokeResult) => {
    expect(result).toMatchObject({ ok: false, error: { errorType: 'Sandbox.Timedout', trace: [] } });
    if (!result.ok) expect(result.error.errorMessage).toMatch(new RegExp(`^RequestId: ${result.requestId} Error: Task timed out after \\d+\\.\\d\\d seconds$`));
  };

  it('an injected timeout surfaces as the same error as a real one, and the next invocation is a cold start', async () => {
    const real = await fn.invoke({ action: 'sleep', ms: 60_000 });
    timedOut(real);
    faults.injectLambda({ functionName: 'fn-faulty', action: 'timeout' });
    const coldStarts = fn.coldStarts;
    const injected = await fn.invoke({ action: 'count' });
    timedOut(injected);
    if (!real.ok && !injected.ok) expect(Object.keys(injected.error)).toEqual(Object.keys(real.error));
    faults.clearLambda();
    const next = await fn.invoke({ action: 'count' });
    expect(next).toMatchObject({ ok: true, payload: { invocations: 1 } });
    expect(fn.coldStarts).toBeGreaterThan(coldStarts);
  });

  it('an injected error fails the invocation without running the handler', async () => {
    const before = await fn.invoke({ action: 'count' });
    faults.injectLambda({ functionName: 'fn-faulty', action: 'error', errorType: 'Lambda.Unknown' });
    expect(await fn.invoke({ action: 'count' })).toMatchObject({ ok: false, error: { errorType: 'Lambda.Unknown' } });
    faults.clearLambda();
    const after = await fn.invoke({ action: 'count' });
    expect((after as { payload: { invocations: number } }).payload.invocations).toBe((before as { payload: { invocations: number } }).payload.invocations + 1);
  });

  it('a delay runs before the handler and counts toward the timeout', async () => {
    faults.injectLambda({ functionName: 'fn-faulty', action: 'delay', delayMs: 300 });
    const result = await fn.invoke({ action: 'echo' });
    expect(result.ok).toBe(true);
    // The deadline was set when the invocation began; the handler saw it about 300 ms later (of 1000).
    // Not `<= 700`: the deadline and the handler's clock are whole milliseconds taken in two threads,
    // and a timer may fire a millisecond before Date.now() shows its full delay (701 was seen in CI).
    expect((result as { payload: { context: { remaining: number } } }).payload.context.remaining).toBeLessThan(750);
    faults.clearLambda();
    faults.injectLambda({ functionName: 'fn-faulty', action: 'delay', delayMs: 5_000 });
    timedOut(await fn.invoke({ action: 'count' }));
  });
});

describe('injected StartExecution faults at the Step Functions endpoint', () => {
  it('answers the injected error to StartExecution only, in the protocol the SDK parses', async () => {
    const faults = new Faults();
    const service = {
      startExecution: () => ({ executionArn: 'arn:aws:states:us-east-1:000000000000:execution:m:x', startDate: 0 }),
      describeStateMachine: () => ({ name: 'm' }),
    } as unknown as StepFunctionsService;
    const endpoint = await startSfnEndpoint(service, { host: '127.0.0.1', port: 0, faults });
    const client = new SFNClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, maxAttempts: 1 });
    try {
      faults.failStartExecution(600_000, 'ThrottlingException');
      await expect(client.send(new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:m' }))).rejects.toMatchObject({
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 400 },
      });
      await expect(client.send(new DescribeStateMachineCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:m' }))).resolves.toMatchObject({ name: 'm' });
      faults.failStartExecution(600_000, 'ServiceUnavailable');
      await expect(client.send(new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:m' }))).rejects.toMatchObject({
        $metadata: { httpStatusCode: 503 },
      });
      faults.clearStartExecution();
      await expect(client.send(new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:m' }))).resolves.toMatchObject({
        executionArn: expect.stringContaining(':execution:'),
      });
    } finally {
      client.destroy();
      await endpoint.close();
    }
  });
});

describe('supervision policy', () => {
  /** A stand-in server whose death the test triggers and whose restarts fail as told. */
  function fakeServer(restartResults: Array<'ok' | 'fail'>) {
    let listener: ((detail: string) => void) | undefined;
    const server: SupervisedServer & { restarts: number; die(): void } = {
      name: 'Fake',
      where: 'on port 1',
      restarts: 0,
      onDeath: (fn) => {
        listener = fn;
        return () => (listener = undefined);
      },
      restart: async () => {
        server.restarts += 1;
        if ((restartResults.shift() ?? 'ok') === 'fail') throw new Error('port 1 is still in use');
      },
      afterRestart: async () => 'queues re-created',
      die: () => listener?.('signal SIGKILL'),
    };
    return server;
  }

  it('restarts a dead server, saying so in one line, and again after a failed first attempt', async () => {
    const lines: string[] = [];
    const fatal: Error[] = [];
    const server = fakeServer(['fail', 'ok']);
    const supervision = supervise({ servers: [server], log: (line) => lines.push(line), onFatal: (e) => fatal.push(e) });
    server.die();
    await supervision.idle();
    expect(server.restarts).toBe(2);
    expect(fatal).toEqual([]);
    expect(supervision.restarts.get('Fake')).toBe(1);
    expect(lines[0]).toBe('Fake died (signal SIGKILL): restarting it on port 1');
    expect(lines[1]).toMatch(/^Fake is back after \d+ ms \(queues re-created\)$/);
    supervision.close();
  });

  it('gives up (onFatal) when the restart fails twice', async () => {
    const fatal: Error[] = [];
    const server = fakeServer(['fail', 'fail']);
    const supervision = supervise({ servers: [server], log: () => undefined, onFatal: (e) => fatal.push(e) });
    server.die();
    await supervision.idle();
    expect(fatal.map((e) => e.message)).toEqual(['Fake died and could not be restarted: port 1 is still in use']);
    supervision.close();
  });

  it('gives up on a crash loop, and ignores deaths once closed', async () => {
    const fatal: Error[] = [];
    const server = fakeServer([]);
    const supervision = supervise({ servers: [server], log: () => undefined, onFatal: (e) => fatal.push(e) });
    for (let i = 0; i < 6; i += 1) {
      server.die();
      await supervision.idle();
    }
    expect(server.restarts).toBe(5);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]?.message).toMatch(/died 6 times within 60 s/);
    supervision.close();
    server.die();
    await supervision.idle();
    expect(server.restarts).toBe(5);
  });
});
