// Runs the real local stack (the built dist/apps/local-stack/main.js) as a child process on free
// ports, for the end-to-end suites. One stack per suite. Its API needs a token, as deployed:
// postOrder / getOrder send a trusted backend's (minted with the stack's key, registered per API
// URL by launchStack or useToken) unless the headers name their own Authorization ('' = none).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { sampleOrder } from '@dofs/handler-kit/testing';
import { loadAuthMaterial, mintToken, type MintOptions } from '@dofs/local-aws/auth';
import type { EffectiveSettings } from '../../src/config';
import type { LocalAuth } from '../../src/stack';

export const ROOT = path.resolve(__dirname, '../../../..');
export const MAIN = path.join(ROOT, 'dist/apps/local-stack/main.js');

export interface StackState {
  pid: number;
  apiUrl: string;
  /** The local issuer and whether the API verifies its tokens (`mode: 'none'` with --no-auth). */
  auth: LocalAuth;
  workflowType: 'STANDARD' | 'EXPRESS';
  /** DynamoDB Local's JVM, for tests that stall it. */
  dynamodbPid: number;
  endpoints: { dynamodb: string; sqs: string; sfn: string; cloudwatch: string };
  clientEnv: Record<string, string>;
  stateMachineArn: string;
  queueUrls: { orderQueueUrl: string; deadLetterQueueUrl: string };
  settings: EffectiveSettings;
  startupMs: number;
}

export interface RunningStack {
  state: StackState;
  process: ChildProcess;
  dataDir: string;
  output(): string;
  /** SIGTERM, then waits for the exit; resolves the exit code. */
  stop(): Promise<number | null>;
}

/** A stored item (orders, failed_orders). */
export type Item = Record<string, unknown>;
/** A response body of the order API (202 body or error body). */
export interface ApiBody {
  order_id: string;
  status?: string;
  error?: { code: string; message: string; details: Array<{ path: string; message: string }> };
  [field: string]: unknown;
}

export const SAMPLE_ORDER = sampleOrder();

/** Long enough for any suite: a test about expiry mints its own. */
const TEST_TOKEN_SECONDS = 24 * 3600;

/** The Authorization header each API URL gets by default (a backend's token), set by launchStack / useToken. */
const defaultAuthorization = new Map<string, string>();

/** Makes `token` the one postOrder / getOrder / authHeaders send to `apiUrl` (undefined: none). */
export function useToken(apiUrl: string, token: string | undefined): void {
  if (token === undefined) defaultAuthorization.delete(apiUrl);
  else defaultAuthorization.set(apiUrl, `Bearer ${token}`);
}

/** A token of a launched stack's issuer, signed with its data directory's key (a backend's unless `options` say otherwise). */
export function mintFor(stack: Pick<RunningStack, 'state' | 'dataDir'>, options: Partial<MintOptions> = {}): Promise<string> {
  const material = loadAuthMaterial(stack.dataDir);
  return mintToken({ issuer: stack.state.auth.issuer, privateJwk: material.privateJwk, clientId: material.clientId, expiresInSeconds: TEST_TOKEN_SECONDS, ...options });
}

/** `headers` with the API URL's default Authorization unless they name one; an empty one is dropped (no token). */
export function authHeaders(apiUrl: string, headers: Record<string, string> = {}): Record<string, string> {
  const named = Object.keys(headers).find((name) => name.toLowerCase() === 'authorization');
  if (named === undefined) {
    const token = defaultAuthorization.get(apiUrl);
    return token ? { ...headers, Authorization: token } : headers;
  }
  if (headers[named] !== '') return headers;
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name !== named));
}

export function tempDataDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `dofs-${prefix}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Starts `node dist/apps/local-stack/main.js` with every port free and waits until it is ready. */
export async function launchStack(args: string[], dataDir: string, timeoutMs = 90_000): Promise<RunningStack> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npx nx run local-stack:build" (the test target depends on it)`);
  const stateFile = path.join(dataDir, 'local-stack.json');
  const bundleDir = process.env['LOCAL_STACK_E2E_BUNDLE_DIR'];
  const child = spawn(
    process.execPath,
    [
      '--enable-source-maps',
      MAIN,
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--dynamodb-port',
      '0',
      '--sqs-port',
      '0',
      '--sfn-port',
      '0',
      '--cloudwatch-port',
      '0',
      ...(bundleDir ? ['--bundle-dir', bundleDir] : []),
      ...args,
    ],
    { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + timeoutMs;
  let state: StackState | undefined;
  while (!state) {
    if (child.exitCode !== null) throw new Error(`the local stack exited with ${child.exitCode} before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the local stack was not ready within ${timeoutMs} ms:\n${output}`);
    }
    if (existsSync(stateFile) && output.includes('DOFS local stack is up')) {
      const parsed = JSON.parse(readFileSync(stateFile, 'utf8')) as StackState;
      if (parsed.pid === child.pid) state = parsed;
    }
    if (!state) await sleep(100);
  }
  const ready = state;
  useToken(ready.apiUrl, ready.auth.mode === 'jwt' ? await mintFor({ state: ready, dataDir }) : undefined);
  return {
    state,
    process: child,
    dataDir,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** True when something accepts TCP connections on the endpoint's port. */
export function listening(endpoint: string): Promise<boolean> {
  const url = new URL(endpoint);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function clients(state: StackState) {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: state.endpoints.dynamodb, region: 'us-east-1', credentials }));
  const sfn = new SFNClient({ endpoint: state.endpoints.sfn, region: 'us-east-1', credentials });
  return {
    ddb,
    sfn,
    destroy() {
      ddb.destroy();
      sfn.destroy();
    },
  };
}

export async function postOrder(
  apiUrl: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: ApiBody; headers: Headers }> {
  const response = await fetch(`${apiUrl}/order`, {
    method: 'POST',
    headers: authHeaders(apiUrl, { 'Content-Type': 'application/json', ...headers }),
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: response.status, body: parsed as ApiBody, headers: response.headers };
}

export async function getOrder(apiUrl: string, orderId: string, headers: Record<string, string> = {}): Promise<{ status: number; body: ApiBody }> {
  const response = await fetch(`${apiUrl}/orders/${orderId}`, { headers: authHeaders(apiUrl, headers) });
  return { status: response.status, body: (await response.json()) as ApiBody };
}

const TERMINAL = new Set(['FULFILLED', 'FAILED', 'REJECTED']);

/**
 * Reads the orders straight from DynamoDB until every one is terminal (or the timeout passes).
 * One paginated Scan per round (not a GetItem per order), so that watching costs the stack little.
 */
export async function waitForTerminal(
  ddb: DynamoDBDocumentClient,
  table: string,
  orderIds: string[],
  timeoutMs: number,
): Promise<Map<string, Item>> {
  const deadline = Date.now() + timeoutMs;
  const wanted = new Set(orderIds);
  for (;;) {
    const done = new Map<string, Item>();
    for (const item of await scanAll(ddb, table)) {
      const id = String(item['order_id']);
      if (wanted.has(id) && TERMINAL.has(String(item['status']))) done.set(id, item);
    }
    if (done.size === orderIds.length) return done;
    if (Date.now() > deadline) {
      throw new Error(`${orderIds.length - done.size} of ${orderIds.length} orders not terminal after ${timeoutMs} ms`);
    }
    await sleep(500);
  }
}

export async function scanAll(ddb: DynamoDBDocumentClient, table: string): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(new ScanCommand({ TableName: table, ExclusiveStartKey: startKey, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

export async function countExecutions(sfn: SFNClient, stateMachineArn: string): Promise<number> {
  let count = 0;
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1000, nextToken }));
    count += page.executions?.length ?? 0;
    nextToken = page.nextToken;
  } while (nextToken);
  return count;
}

/**
 * POST /order as a careful client does: with an Idempotency-Key, retrying a 503 (DynamoDB Local
 * on a loaded machine can be slower than the functions' request timeout) a bounded number of times.
 */
export async function postUntilAccepted(apiUrl: string, body: unknown, key: string, attempts = 5): Promise<{ status: number; body: ApiBody; headers: Headers }> {
  let response = await postOrder(apiUrl, body, { 'Idempotency-Key': key });
  // 503: DynamoDB was unavailable; 429: the stage's throttle (a faster machine may outrun it).
  for (let attempt = 1; attempt < attempts && (response.status === 503 || response.status === 429); attempt += 1) {
    await sleep(Number(response.headers.get('retry-after') ?? '1') * 1000);
    response = await postOrder(apiUrl, body, { 'Idempotency-Key': key });
  }
  return response;
}

/** Posts `count` orders with limited concurrency; returns their ids. */
export async function postMany(apiUrl: string, count: number, concurrency = 16): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        const response = await postUntilAccepted(apiUrl, { ...SAMPLE_ORDER, customer_id: `c-${index}` }, `many-${run}-${index}`);
        if (response.status !== 202) throw new Error(`order ${index}: ${response.status} ${JSON.stringify(response.body)}`);
        ids.push(response.body.order_id);
      }
    }),
  );
  return ids;
}

const frozenPids = new Set<number>();
process.once('exit', () => {
  for (const pid of frozenPids) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      /* gone */
    }
  }
});

/**
 * Freezes a process (SIGSTOP: its connections stay open, requests to it hang, as with a stalled
 * dependency) for `ms`, then resumes it. It is resumed in every case: after the time, if the wait
 * is cut short by an error, and when the test process exits.
 */
export async function freezeFor(pid: number, ms: number): Promise<void> {
  process.kill(pid, 'SIGSTOP');
  frozenPids.add(pid);
  try {
    await sleep(ms);
  } finally {
    process.kill(pid, 'SIGCONT');
    frozenPids.delete(pid);
  }
}
