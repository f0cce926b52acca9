// Supervision of the stack's servers: when DynamoDB Local's JVM or the SQS server dies under a
// running stack, say so in one line at once (the child's 'exit' event, the server's close) and
// start it again on the same port and data; when that fails twice in a row, or the server keeps
// dying (a crash loop), give up through `onFatal` so `npm start` exits non-zero instead of running
// on without it.
import type { RunningDynamoDbLocal, RunningSqsServer } from '@dofs/local-aws';

/** Restart attempts per death before giving up. */
export const RESTART_ATTEMPTS = 2;
/** More deaths than this within `CRASH_LOOP_WINDOW_MS` is a crash loop. */
export const CRASH_LOOP_DEATHS = 5;
export const CRASH_LOOP_WINDOW_MS = 60_000;

export interface SupervisedServer {
  /** Name in log lines, e.g. `DynamoDB Local`. */
  name: string;
  /** Subscribes to deaths; returns the unsubscribe function. */
  onDeath(listener: (detail: string) => void): () => void;
  /** Starts it again on the same port (and data). */
  restart(): Promise<void>;
  /** Whatever must exist again after a restart (tables, queues, requeued orders). */
  afterRestart?: () => Promise<string | void>;
  /** Said in the first line, e.g. `on port 8000 with the data in .data/dynamodb`. */
  where: string;
}

export interface SupervisionOptions {
  servers: SupervisedServer[];
  log: (line: string) => void;
  onFatal: (error: Error) => void;
}

export interface Supervision {
  /** Restarts done, by server name. */
  readonly restarts: Map<string, number>;
  /** Resolves when no restart is in progress. */
  idle(): Promise<void>;
  close(): void;
}

export function supervise(options: SupervisionOptions): Supervision {
  const restarts = new Map<string, number>();
  const inProgress = new Set<Promise<void>>();
  const unsubscribers: Array<() => void> = [];
  let closed = false;

  for (const server of options.servers) {
    const deaths: number[] = [];
    const recover = async (detail: string): Promise<void> => {
      const now = performance.now();
      deaths.push(now);
      while (deaths.length > 0 && (deaths[0] ?? now) < now - CRASH_LOOP_WINDOW_MS) deaths.shift();
      if (deaths.length > CRASH_LOOP_DEATHS) {
        options.onFatal(new Error(`${server.name} died ${deaths.length} times within ${CRASH_LOOP_WINDOW_MS / 1000} s; giving up`));
        return;
      }
      options.log(`${server.name} died (${detail}): restarting it ${server.where}`);
      const started = performance.now();
      let lastError: Error | undefined;
      for (let attempt = 1; attempt <= RESTART_ATTEMPTS && !closed; attempt += 1) {
        try {
          await server.restart();
          const note = await server.afterRestart?.();
          restarts.set(server.name, (restarts.get(server.name) ?? 0) + 1);
          options.log(`${server.name} is back after ${Math.round(performance.now() - started)} ms${note ? ` (${note})` : ''}`);
          return;
        } catch (error) {
          lastError = error as Error;
        }
      }
      if (!closed) options.onFatal(new Error(`${server.name} died and could not be restarted: ${lastError?.message.split('\n')[0] ?? 'stopped'}`));
    };
    unsubscribers.push(
      server.onDeath((detail) => {
        if (closed) return;
        const work = recover(detail).finally(() => inProgress.delete(work));
        inProgress.add(work);
      }),
    );
  }

  return {
    restarts,
    idle: async () => {
      while (inProgress.size > 0) await Promise.allSettled([...inProgress]);
    },
    close: () => {
      closed = true;
      for (const unsubscribe of unsubscribers) unsubscribe();
    },
  };
}

/** DynamoDB Local as a supervised server. */
export function supervisedDynamoDb(dynamodb: RunningDynamoDbLocal, afterRestart?: () => Promise<string | void>): SupervisedServer {
  return {
    name: 'DynamoDB Local',
    where: `on port ${dynamodb.port}${dynamodb.dbPath ? ` with its data in ${dynamodb.dbPath}` : ' (in memory: it starts empty)'}`,
    onDeath: (listener) => dynamodb.onExit((exit) => listener(`pid ${exit.pid}, ${exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`}`)),
    restart: () => dynamodb.restart(),
    ...(afterRestart ? { afterRestart } : {}),
  };
}

/** The SQS server as a supervised server; its queues and messages are gone after a restart. */
export function supervisedSqs(sqs: RunningSqsServer, afterRestart?: () => Promise<string | void>): SupervisedServer {
  return {
    name: 'SQS server',
    where: `on port ${sqs.port} (its queues are re-created; messages in flight are put back from the orders table)`,
    onDeath: (listener) => sqs.onExit((reason) => listener(reason)),
    restart: () => sqs.restart(),
    ...(afterRestart ? { afterRestart } : {}),
  };
}
