import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DescribeTableCommand, GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueUrlCommand, ListQueuesCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  ensureQueues,
  ensureTables,
  guardedPids,
  localDynamoDbClient,
  localSqsClient,
  settings,
  startDynamoDbLocal,
  startSqsServer,
  type DynamoDbLocalExit,
  type RunningDynamoDbLocal,
  type RunningSqsServer,
} from '../src';

/**
 * Faults of the local servers: pause / resume / freeze, kill / restart. Nothing here measures
 * time: "a request hangs while paused" is asserted as an order of events (its answer can only come
 * after the resume), and every wait is for a condition, bounded by jest's timeout.
 */

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The process state letter from /proc (T = stopped by a signal). */
function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs `request` and records whether it settled before `resume()` was called. */
function track<T>(request: Promise<T>, resumed: () => boolean): Promise<{ value: T; settledWhilePaused: boolean }> {
  return request.then((value) => ({ value, settledWhilePaused: !resumed() }));
}

const TABLE = settings.tables.orders;

describe('DynamoDB Local faults (persisted under a folder)', () => {
  let dbPath: string;
  let server: RunningDynamoDbLocal;
  let ddb: DynamoDBClient;

  beforeAll(async () => {
    dbPath = await mkdtemp(join(tmpdir(), 'dofs-ddb-faults-'));
    server = await startDynamoDbLocal({ dbPath });
    ddb = localDynamoDbClient(server.endpoint);
    await ensureTables(ddb);
    await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { order_id: { S: 'kept' }, status: { S: 'PENDING' } } }));
  });

  afterAll(async () => {
    ddb?.destroy();
    await server?.stop();
    await rm(dbPath, { recursive: true, force: true });
  });

  it('pause() stops the JVM: a request made meanwhile hangs and is answered after resume()', async () => {
    // Open a kept-alive connection first: requests on an open connection hang too.
    await ddb.send(new DescribeTableCommand({ TableName: TABLE }));
    server.pause();
    expect(server.paused).toBe(true);
    // Signals are delivered asynchronously: wait until the kernel shows the JVM stopped.
    await waitFor(() => processState(server.pid) === 'T', 'the JVM to stop');
    let resumed = false;
    const pending = track(ddb.send(new GetItemCommand({ TableName: TABLE, Key: { order_id: { S: 'kept' } } })), () => resumed);
    // Let the request reach the socket (and sit there) before resuming.
    await new Promise((resolve) => setTimeout(resolve, 200));
    resumed = true;
    server.resume();
    const { value, settledWhilePaused } = await pending;
    expect(settledWhilePaused).toBe(false);
    expect(value.Item?.['status']).toEqual({ S: 'PENDING' });
    expect(server.paused).toBe(false);
    expect(processState(server.pid)).not.toBe('T');
  });

  it('freeze(ms) is bounded: it resumes by itself, and the hung request completes', async () => {
    let resumed = false;
    const frozen = server.freeze(300).then(() => (resumed = true));
    expect(server.paused).toBe(true);
    const pending = track(ddb.send(new GetItemCommand({ TableName: TABLE, Key: { order_id: { S: 'kept' } } })), () => resumed);
    await frozen;
    expect(server.paused).toBe(false);
    const { value, settledWhilePaused } = await pending;
    expect(settledWhilePaused).toBe(false);
    expect(value.Item).toBeDefined();
  });

  it('resume() during freeze() ends the freeze at once', async () => {
    const frozen = server.freeze(600_000);
    server.resume();
    await frozen;
    expect(server.paused).toBe(false);
  });

  it('kill() is a crash: exit listeners hear SIGKILL; restart() serves the same data on the same port', async () => {
    const exits: DynamoDbLocalExit[] = [];
    const unsubscribe = server.onExit((exit) => exits.push(exit));
    const { pid, port, endpoint } = server;
    await server.kill();
    expect(isAlive(pid)).toBe(false);
    expect(server.alive).toBe(false);
    expect(exits).toEqual([{ pid, code: null, signal: 'SIGKILL' }]);
    expect(guardedPids()).not.toContain(pid);

    await server.restart();
    expect(server.port).toBe(port);
    expect(server.endpoint).toBe(endpoint);
    expect(server.pid).not.toBe(pid);
    expect(server.alive).toBe(true);
    expect(guardedPids()).toContain(server.pid);
    const { Item } = await ddb.send(new GetItemCommand({ TableName: TABLE, Key: { order_id: { S: 'kept' } } }));
    expect(Item?.['status']).toEqual({ S: 'PENDING' });
    // A restart is asked for: it is not reported as an exit.
    await server.restart();
    expect(exits).toHaveLength(1);
    unsubscribe();
  });

  it('stop() of a paused JVM ends it (no stopped JVM is left behind)', async () => {
    const other = await startDynamoDbLocal();
    try {
      const frozen = other.freeze(600_000);
      await waitFor(() => processState(other.pid) === 'T', 'the JVM to stop');
      await other.stop();
      await frozen;
      expect(isAlive(other.pid)).toBe(false);
    } finally {
      await other.stop();
    }
  });
});

describe('a paused JVM never outlives the process that started it', () => {
  const FIXTURE = join(__dirname, 'fixtures/start-dynamodb-local.ts');

  test.concurrent.each(['SIGTERM', 'SIGKILL'] as const)(
    'parent killed with %s while the JVM is paused: the JVM is gone',
    async (signal) => {
      const child = spawn(process.execPath, ['-r', require.resolve('@swc-node/register'), FIXTURE], {
        cwd: join(__dirname, '..'),
        env: { ...process.env, DOFS_FIXTURE_PAUSE: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const javaPid = await new Promise<number>((resolve, reject) => {
        createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (line) => resolve((JSON.parse(line) as { pid: number }).pid));
        void exited.then(() => reject(new Error('fixture exited before DynamoDB Local was up')));
      });
      await waitFor(() => processState(javaPid) === 'T', 'the JVM to stop');
      child.kill(signal);
      await exited;
      await waitFor(() => !isAlive(javaPid), `java ${javaPid} to end`, 15_000);
    },
    60_000,
  );
});

describe('SQS server faults', () => {
  let server: RunningSqsServer;
  let sqs: SQSClient;
  let queueUrl: string;

  beforeAll(async () => {
    server = await startSqsServer();
    sqs = localSqsClient(server.endpoint);
    ({ orderQueueUrl: queueUrl } = await ensureQueues(sqs));
  });

  afterAll(async () => {
    sqs?.destroy();
    await server?.stop();
  });

  it('pause() holds requests (the connection stays open) until resume()', async () => {
    server.pause();
    let resumed = false;
    const pending = track(sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'held' })), () => resumed);
    await new Promise((resolve) => setTimeout(resolve, 200));
    resumed = true;
    server.resume();
    const { value, settledWhilePaused } = await pending;
    expect(settledWhilePaused).toBe(false);
    expect(value.MessageId).toEqual(expect.any(String));
  });

  it('freeze(ms) resumes by itself', async () => {
    let resumed = false;
    const frozen = server.freeze(200).then(() => (resumed = true));
    const pending = track(sqs.send(new ListQueuesCommand({})), () => resumed);
    await frozen;
    const { settledWhilePaused } = await pending;
    expect(settledWhilePaused).toBe(false);
  });

  it('kill() drops the server and its queues; restart() serves on the same port with none', async () => {
    const reasons: string[] = [];
    server.onExit((reason) => reasons.push(reason));
    const { port } = server;
    await server.kill();
    expect(server.alive).toBe(false);
    expect(reasons).toEqual(['killed']);
    await expect(sqs.send(new ListQueuesCommand({}))).rejects.toThrow();

    await server.restart();
    expect(server.port).toBe(port);
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: settings.queues.orders }))).rejects.toThrow(/does not exist|NonExistentQueue/i);
    const urls = await ensureQueues(sqs);
    expect(urls.orderQueueUrl).toBe(queueUrl);
    expect(reasons).toEqual(['killed']);
  });
});
