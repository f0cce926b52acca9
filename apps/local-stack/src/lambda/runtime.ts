// Local Lambda service: runs the built handler bundles in execution environments that behave like
// Lambda's, one worker thread per environment.
//
// - Each function gets its own environment variables (process.env is per worker), module cache
//   (cold start = loading the bundle) and heap limit (memoryMb).
// - An environment serves one invocation at a time; a function scales out to `maxConcurrency`
//   environments and queues invocations beyond that (Lambda would throttle instead); a caller
//   that gives up (`waitUntil`) takes its queued invocation with it.
// - The function timeout is enforced: the invocation fails with `Sandbox.Timedout` and the
//   environment is destroyed (worker.terminate stops even a busy loop), so the next invocation
//   is a cold start, as on Lambda.
// - Errors come back in the runtime's shape `{ errorType, errorMessage, trace }`.
// - Injected faults (faults.ts) act inside that contract: a delay runs before the handler and
//   counts toward the timeout; an injected timeout never hands the event to the handler, so the
//   same timer ends it with the same `Sandbox.Timedout` and the same destroyed environment.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { ACCOUNT_ID, REGION } from '../constants';
import type { LambdaFaultSource } from '../faults';
import type { LambdaErrorPayload } from './error-payload';
import { findWorkspaceRoot } from '../paths';

export type { LambdaErrorPayload } from './error-payload';

export type InvokeResult =
  | { ok: true; payload: unknown; requestId: string; durationMs: number }
  | { ok: false; error: LambdaErrorPayload; requestId: string; durationMs: number };

export interface LambdaFunctionConfig {
  /** Function name, e.g. `fulfill-order`. */
  name: string;
  /** Absolute path of the bundle (`dist/apps/<name>/main.js`). */
  bundlePath: string;
  /** Exported handler name (`handler` for Lambda's `main.handler`). */
  handlerName?: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** The function's configured environment variables (Lambda adds its reserved ones). */
  environment: Record<string, string>;
  /** Most environments this function runs at once (default 4). */
  maxConcurrency?: number;
}

export interface LambdaLogLine {
  functionName: string;
  stream: 'stdout' | 'stderr';
  line: string;
}

export interface InvocationReport {
  functionName: string;
  requestId: string;
  durationMs: number;
  initDurationMs?: number;
  error?: LambdaErrorPayload;
}

export interface LambdaServiceOptions {
  /** Receives every line a handler writes to stdout/stderr. */
  onLog?: (line: LambdaLogLine) => void;
  /** Called after every invocation (like Lambda's REPORT line). */
  onReport?: (report: InvocationReport) => void;
}

const SANDBOX_SCRIPT = () => path.join(findWorkspaceRoot(), 'apps/local-stack/src/lambda/sandbox.cjs');

/** The variables Lambda itself sets in every execution environment. */
export function reservedLambdaEnvironment(config: LambdaFunctionConfig, logStreamName: string): Record<string, string> {
  const handlerName = config.handlerName ?? 'handler';
  const taskRoot = path.dirname(config.bundlePath);
  return {
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_LAMBDA_FUNCTION_NAME: config.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${config.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: taskRoot,
    _HANDLER: `${path.basename(config.bundlePath).replace(/\.[cm]?js$/, '')}.${handlerName}`,
    // Local stand-ins for the execution role's credentials: the local servers accept any.
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SESSION_TOKEN: 'local',
    LANG: 'en_US.UTF-8',
    PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
    NODE_PATH: path.join(findWorkspaceRoot(), 'node_modules'),
  };
}

export function functionArn(name: string): string {
  return `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${name}`;
}

interface Pending {
  resolve: (value: { payload?: string; error?: LambdaErrorPayload }) => void;
}

let sandboxCounter = 0;

/** One execution environment (a worker thread). */
class Sandbox {
  readonly worker: Worker;
  readonly ready: Promise<{ initDurationMs?: number; error?: LambdaErrorPayload }>;
  readonly logStreamName: string;
  busy = false;
  dead = false;
  /** Init duration, reported once with the first invocation (like Lambda's REPORT Init Duration). */
  pendingInitMs: number | undefined;
  private current: Pending | undefined;
  private exitError: LambdaErrorPayload | undefined;
  private delayTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: LambdaFunctionConfig,
    private readonly options: LambdaServiceOptions,
    private readonly onDeath: (sandbox: Sandbox) => void,
  ) {
    const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
    this.logStreamName = `${day}/[$LATEST]${randomUUID().replaceAll('-', '')}`;
    sandboxCounter += 1;
    const env = {
      ...reservedLambdaEnvironment(config, this.logStreamName),
      ...config.environment,
    };
    this.worker = new Worker(SANDBOX_SCRIPT(), {
      env,
      execArgv: [],
      argv: [],
      stdout: true,
      stderr: true,
      name: `${config.name}#${sandboxCounter}`,
      resourceLimits: { maxOldGenerationSizeMb: config.memoryMb },
      workerData: {
        bundlePath: config.bundlePath,
        handlerName: config.handlerName ?? 'handler',
        functionName: config.name,
        functionVersion: '$LATEST',
        memoryMb: config.memoryMb,
        invokedFunctionArn: functionArn(config.name),
        logStreamName: this.logStreamName,
      },
    });
    this.pipe(this.worker.stdout, 'stdout');
    this.pipe(this.worker.stderr, 'stderr');

    this.ready = new Promise((resolve) => {
      const onMessage = (message: { type: string; initDurationMs?: number; error?: LambdaErrorPayload }) => {
        if (message.type !== 'init') return;
        this.worker.off('message', onMessage);
        this.pendingInitMs = message.initDurationMs;
        resolve(message.error ? { error: message.error } : { initDurationMs: message.initDurationMs });
      };
      this.worker.on('message', onMessage);
      this.worker.once('exit', () =>
        resolve({ error: this.exitError ?? runtimeError('Runtime.ExitError', 'Runtime exited before init completed') }),
      );
    });

    this.worker.on('message', (message: { type: string; id?: string; payload?: string; error?: LambdaErrorPayload }) => {
      if (message.type === 'result' && this.current) {
        const pending = this.current;
        this.current = undefined;
        pending.resolve(message.error ? { error: message.error } : { payload: message.payload ?? 'null' });
      } else if (message.type === 'fatal') {
        this.exitError = message.error;
      }
    });
    this.worker.on('error', (error: Error & { code?: string }) => {
      this.exitError =
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? runtimeError('Runtime.OutOfMemory', `Runtime exited: out of memory (${config.memoryMb} MB)`)
          : { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
    });
    this.worker.on('exit', (code) => {
      this.dead = true;
      if (this.current) {
        const pending = this.current;
        this.current = undefined;
        pending.resolve({
          error:
            this.exitError ??
            runtimeError('Runtime.ExitError', `Runtime exited with error: exit status ${code}`),
        });
      }
      this.onDeath(this);
    });
  }

  private pipe(stream: Readable, name: 'stdout' | 'stderr'): void {
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on('line', (line) => this.options.onLog?.({ functionName: this.config.name, stream: name, line }));
  }

  /** Hands the event to the handler, `delayMs` late (an injected delay). */
  run(message: Record<string, unknown>, delayMs = 0): Promise<{ payload?: string; error?: LambdaErrorPayload }> {
    return new Promise((resolve) => {
      const pending = { resolve };
      this.current = pending;
      const post = () => {
        this.delayTimer = undefined;
        if (!this.dead && this.current === pending) this.worker.postMessage({ type: 'invoke', ...message });
      };
      if (delayMs > 0) this.delayTimer = setTimeout(post, delayMs);
      else post();
    });
  }

  /** An invocation whose handler never answers (an injected timeout): only the timeout ends it. */
  hang(): Promise<{ payload?: string; error?: LambdaErrorPayload }> {
    return new Promise((resolve) => {
      this.current = { resolve };
    });
  }

  /** Fails the current invocation now and destroys the environment. */
  kill(error: LambdaErrorPayload): void {
    clearTimeout(this.delayTimer);
    this.exitError = error;
    if (this.current) {
      const pending = this.current;
      this.current = undefined;
      pending.resolve({ error });
    }
    this.dead = true;
    void this.worker.terminate();
  }
}

function runtimeError(errorType: string, errorMessage: string): LambdaErrorPayload {
  return { errorType, errorMessage, trace: [] };
}

/** An invocation whose caller gave up while it waited for an environment. */
class AbandonedWhileWaitingError extends Error {
  constructor(functionName: string) {
    super(`${functionName}: the caller gave up before an environment was free`);
    this.name = 'AbandonedWhileWaitingError';
  }
}

/** A deployed function: its configuration and its pool of execution environments. */
export class LambdaFunction {
  readonly arn: string;
  private readonly sandboxes = new Set<Sandbox>();
  private readonly idle: Sandbox[] = [];
  private readonly waiting: Array<(sandbox: Sandbox) => void> = [];
  private starting = 0;
  private closed = false;
  invocations = 0;
  coldStarts = 0;
  /** Where injected faults come from (set by `LambdaService.setFaults`). */
  faults: LambdaFaultSource | undefined;

  constructor(
    readonly config: LambdaFunctionConfig,
    private readonly options: LambdaServiceOptions = {},
  ) {
    this.arn = functionArn(config.name);
  }

  get name(): string {
    return this.config.name;
  }

  get maxConcurrency(): number {
    return Math.max(1, this.config.maxConcurrency ?? 4);
  }

  /** Number of live execution environments. */
  get environments(): number {
    return this.sandboxes.size;
  }

  /** Starts one environment ahead of the first invocation (like provisioned concurrency). */
  async warm(): Promise<{ initDurationMs?: number; error?: LambdaErrorPayload }> {
    if (this.sandboxes.size > 0) return {};
    const sandbox = this.spawn();
    const result = await sandbox.ready;
    if (result.error) {
      sandbox.kill(result.error);
      return result;
    }
    this.release(sandbox);
    return result;
  }

  private spawn(): Sandbox {
    const sandbox = new Sandbox(this.config, this.options, (dead) => {
      this.sandboxes.delete(dead);
      const index = this.idle.indexOf(dead);
      if (index >= 0) this.idle.splice(index, 1);
      // A waiting invocation may now get a fresh environment.
      if (this.waiting.length > 0 && !this.closed && this.sandboxes.size < this.maxConcurrency) {
        const fresh = this.spawn();
        fresh.busy = true;
        this.release(fresh);
      }
    });
    this.sandboxes.add(sandbox);
    this.coldStarts += 1;
    return sandbox;
  }

  private acquire(waitUntil?: number): Promise<Sandbox> {
    if (this.closed) return Promise.reject(new Error(`${this.name} is shut down`));
    for (let sandbox = this.idle.pop(); sandbox; sandbox = this.idle.pop()) {
      if (!sandbox.dead) {
        sandbox.busy = true;
        return Promise.resolve(sandbox);
      }
    }
    if (this.sandboxes.size < this.maxConcurrency) {
      const sandbox = this.spawn();
      sandbox.busy = true;
      return Promise.resolve(sandbox);
    }
    if (waitUntil === undefined) return new Promise((resolve) => this.waiting.push(resolve));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.waiting.indexOf(take);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(new AbandonedWhileWaitingError(this.name));
      }, Math.max(0, waitUntil - Date.now()));
      const take = (sandbox: Sandbox) => {
        clearTimeout(timer);
        resolve(sandbox);
      };
      this.waiting.push(take);
    });
  }

  private release(sandbox: Sandbox): void {
    sandbox.busy = false;
    if (sandbox.dead) return;
    const next = this.waiting.shift();
    if (next) {
      sandbox.busy = true;
      next(sandbox);
    } else {
      this.idle.push(sandbox);
    }
  }

  /**
   * Synchronous (RequestResponse) invocation. Never throws: errors are in the result.
   * `waitUntil` (epoch ms): the caller gives up then (a workflow task's TimeoutSeconds). An
   * invocation still waiting for an environment at that moment is dropped, never run, and answers
   * `Lambda.TooManyRequestsException`: Lambda throttles a call over the concurrency instead of
   * queueing it, so a call its caller abandoned is never run late. Run late, each abandoned call
   * would take an environment from a live one, and a task's retries would pile up behind them.
   */
  async invoke(event: unknown, options: { clientContext?: unknown; waitUntil?: number } = {}): Promise<InvokeResult> {
    const requestId = randomUUID();
    const started = performance.now();
    this.invocations += 1;
    let sandbox: Sandbox;
    try {
      sandbox = await this.acquire(options.waitUntil);
    } catch (error) {
      if (error instanceof AbandonedWhileWaitingError) {
        return { ok: false, requestId, durationMs: performance.now() - started, error: runtimeError('Lambda.TooManyRequestsException', 'Rate Exceeded.') };
      }
      return {
        ok: false,
        requestId,
        durationMs: 0,
        error: runtimeError('Lambda.ServiceException', (error as Error).message),
      };
    }
    const init = await sandbox.ready;
    const initDurationMs = sandbox.pendingInitMs;
    sandbox.pendingInitMs = undefined;
    if (init.error) {
      sandbox.kill(init.error);
      const durationMs = performance.now() - started;
      this.options.onReport?.({ functionName: this.name, requestId, durationMs, initDurationMs, error: init.error });
      return { ok: false, requestId, durationMs, error: init.error };
    }
    const injected = this.faults?.lambdaFaultFor(this.name);
    if (injected?.action === 'error') {
      // FIS's invocation-error with preventExecution: the handler does not run.
      this.release(sandbox);
      const durationMs = performance.now() - started;
      this.options.onReport?.({ functionName: this.name, requestId, durationMs, initDurationMs, error: injected.error });
      return { ok: false, requestId, durationMs, error: injected.error };
    }
    const timeoutMs = this.config.timeoutSeconds * 1000;
    const invokeStarted = performance.now();
    const timer = setTimeout(() => {
      const seconds = ((performance.now() - invokeStarted) / 1000).toFixed(2);
      sandbox.kill(runtimeError('Sandbox.Timedout', `RequestId: ${requestId} Error: Task timed out after ${seconds} seconds`));
    }, timeoutMs);
    const message = { event, requestId, deadline: Date.now() + timeoutMs, clientContext: options.clientContext };
    const outcome =
      injected?.action === 'timeout' ? await sandbox.hang() : await sandbox.run(message, injected?.action === 'delay' ? injected.delayMs : 0);
    clearTimeout(timer);
    this.release(sandbox);
    const durationMs = performance.now() - invokeStarted;
    this.options.onReport?.({ functionName: this.name, requestId, durationMs, initDurationMs, error: outcome.error });
    if (outcome.error) return { ok: false, requestId, durationMs, error: outcome.error };
    let payload: unknown = null;
    try {
      payload = JSON.parse(outcome.payload ?? 'null');
    } catch {
      payload = null;
    }
    return { ok: true, requestId, durationMs, payload };
  }

  /** Destroys every environment (in-flight invocations fail). */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.sandboxes];
    this.idle.length = 0;
    await Promise.all(all.map((sandbox) => sandbox.worker.terminate()));
    this.sandboxes.clear();
  }
}

/** All local functions by name. */
export class LambdaService {
  private readonly functions = new Map<string, LambdaFunction>();
  private faults: LambdaFaultSource | undefined;

  constructor(private readonly options: LambdaServiceOptions = {}) {}

  register(config: LambdaFunctionConfig): LambdaFunction {
    const fn = new LambdaFunction(config, this.options);
    fn.faults = this.faults;
    this.functions.set(config.name, fn);
    return fn;
  }

  /** Injects faults into the invocations of every function, registered or to come (faults.ts). */
  setFaults(faults: LambdaFaultSource | undefined): void {
    this.faults = faults;
    for (const fn of this.functions.values()) fn.faults = faults;
  }

  get(name: string): LambdaFunction {
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`No local Lambda function named ${name}`);
    return fn;
  }

  has(name: string): boolean {
    return this.functions.has(name);
  }

  all(): LambdaFunction[] {
    return [...this.functions.values()];
  }

  /** Resolves a function name or ARN (optionally qualified) to a local function. */
  resolve(nameOrArn: string): LambdaFunction | undefined {
    const match = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/.exec(nameOrArn);
    return this.functions.get(match?.[1] ?? nameOrArn);
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((fn) => fn.close()));
  }
}
