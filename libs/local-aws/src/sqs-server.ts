import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequestHandler } from 'local-aws-sqs';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, LOOPBACK_HOST } from './constants';
import { LocalServerStartError } from './errors';
import { SqsMessageTracker } from './sqs-message-tracker';
import type { RunningServer } from './types';

const SERVER_NAME = 'SQS server';

export interface SqsServerOptions {
  /** Port to serve on. Default: any free port, chosen by the OS when listening (no race). */
  port?: number;
}

export interface RunningSqsServer extends RunningServer {
  /** True while requests are held by `pause()` / `freeze()`. */
  readonly paused: boolean;
  /** True while the server listens (false after `kill()` until `restart()`). */
  readonly alive: boolean;
  /**
   * Stalls the server: connections are still accepted, but every request (new or already read)
   * waits unanswered until `resume()`, like a process that stopped running. Prefer `freeze(ms)`.
   */
  pause(): void;
  /** Answers the held requests and serves again. */
  resume(): void;
  /** Pauses for `ms`, then resumes (also when the server is stopped or killed meanwhile). */
  freeze(ms: number): Promise<void>;
  /**
   * A crash: closes the listener and destroys every connection at once, and drops every queue and
   * message (they live in memory only). Exit listeners are told. `restart()` serves again.
   */
  kill(): Promise<void>;
  /** Serves again on the same port, with no queues: whoever needs them creates them again. */
  restart(): Promise<void>;
  /** Called when the server goes down without `stop()` asking it to (`kill()`, a listener error). */
  onExit(listener: (reason: string) => void): () => void;
  /**
   * The messages each queue holds now, with the time each entered its queue (for SQS's
   * ApproximateAgeOfOldestMessage, `queue-age.ts`). The same object across `restart()`.
   */
  readonly messages: SqsMessageTracker;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<unknown>;

function newHandler(port: number, tracker: SqsMessageTracker): { handler: Handler; setPort: (port: number) => void } {
  const { service, requestHandler } = createRequestHandler({
    port,
    hostname: LOOPBACK_HOST,
    region: LOCAL_REGION,
    // Deleting and recreating a queue at once is routine in tests; real SQS makes you wait 60 s.
    emulateQueueCreationLifecycle: false,
    validateDlqDestination: true,
    accountId: LOCAL_ACCOUNT_ID,
  });
  tracker.attach(service);
  return {
    handler: requestHandler as Handler,
    // Queue URLs are built from this, so it must be the port actually bound.
    setPort: (bound) => {
      service.PORT = bound;
    },
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(new LocalServerStartError(SERVER_NAME, err.message, '', { cause: err }));
    server.once('error', onError);
    server.listen(port, LOOPBACK_HOST, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise<void>((done) => {
    if (!server.listening) {
      server.closeAllConnections();
      done();
      return;
    }
    server.close(() => done());
    // Long polls and the SDK's keep-alive sockets would otherwise hold close() open.
    server.closeAllConnections();
  });
}

class SqsServerHandle implements RunningSqsServer {
  public readonly endpoint: string;
  private server: Server;
  private handler: Handler;
  private held: Array<() => void> = [];
  private isPaused = false;
  private up = true;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private readonly listeners = new Set<(reason: string) => void>();
  private readonly thaws = new Set<() => void>();

  public constructor(
    public readonly port: number,
    server: Server,
    handler: Handler,
    public readonly messages: SqsMessageTracker,
  ) {
    this.endpoint = `http://${LOOPBACK_HOST}:${port}`;
    this.server = server;
    this.handler = handler;
  }

  /** The function given to `createServer`: serves, or holds the request while paused. */
  public readonly serve = (req: IncomingMessage, res: ServerResponse): void => {
    const run = (): void => {
      this.handler(req, res).catch(() => {
        // The package answers every SQS error itself; this is only a last resort for a bug in it.
        if (!res.headersSent) res.statusCode = 500;
        res.end();
      });
    };
    if (this.isPaused) this.held.push(run);
    else run();
  };

  public get paused(): boolean {
    return this.isPaused;
  }

  public get alive(): boolean {
    return this.up;
  }

  public pause(): void {
    if (!this.up) throw new Error(`${SERVER_NAME} is not running`);
    this.isPaused = true;
  }

  public resume(): void {
    this.isPaused = false;
    const held = this.held;
    this.held = [];
    for (const run of held) run();
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

  private async goDown(reason: string, notify: boolean): Promise<void> {
    if (!this.up) return;
    this.up = false;
    this.messages.detach();
    // Held requests die with their connections; nobody answers them.
    this.held = [];
    this.isPaused = false;
    for (const thaw of [...this.thaws]) thaw();
    await close(this.server);
    if (notify && !this.stopped) for (const listener of [...this.listeners]) listener(reason);
  }

  public kill(): Promise<void> {
    return this.goDown('killed', true);
  }

  public async restart(): Promise<void> {
    if (this.stopped) throw new Error(`${SERVER_NAME} was stopped`);
    await this.goDown('restarted', false);
    const { handler, setPort } = newHandler(this.port, this.messages);
    setPort(this.port);
    this.handler = handler;
    const server = createServer(this.serve);
    await listen(server, this.port);
    this.server = server;
    this.watch(server);
    this.up = true;
  }

  public watch(server: Server): void {
    // A listener that fails after start (it should not) is a dead server, not a crash of this process.
    server.on('error', (err) => {
      if (server === this.server) void this.goDown(err.message, true);
    });
  }

  public onExit(listener: (reason: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  public stop(): Promise<void> {
    this.stopped = true;
    this.stopping ??= this.goDown('stopped', false);
    return this.stopping;
  }
}

/**
 * Starts the `local-aws-sqs` server in this process on loopback. It keeps queues in memory only.
 * Known differences from SQS (measured): it ignores `MessageSystemAttributeNames`, so ask for
 * `AttributeNames: ['All']` to get `ApproximateReceiveCount`; `ApproximateNumberOfMessages`
 * includes in-flight messages; a message moves to the dead-letter queue when the visibility
 * timeout of its `maxReceiveCount`-th receive runs out rather than on the next receive.
 *
 * The HTTP server is created here (not by the package's `createSqsServer`) so a failed listen
 * rejects instead of crashing the process, so `stop()` can close kept-alive connections, and so
 * requests can be held (`pause()`) for fault injection.
 */
export async function startSqsServer(opts: SqsServerOptions = {}): Promise<RunningSqsServer> {
  const tracker = new SqsMessageTracker();
  const { handler, setPort } = newHandler(opts.port ?? 0, tracker);
  const holder: { handle?: SqsServerHandle } = {};
  const server = createServer((req, res) => holder.handle?.serve(req, res));
  const port = await listen(server, opts.port ?? 0);
  setPort(port);
  const handle = new SqsServerHandle(port, server, handler, tracker);
  holder.handle = handle;
  handle.watch(server);
  return handle;
}
