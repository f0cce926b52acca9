// The CLI as a person runs it (`bin/dofs.cjs`, what `npx dofs` starts) against the real local stack
// (dist/apps/local-stack/main.js), found through its local-stack.json: an order fails at success
// rate 0, the stack restarts on the same data at success rate 1, and `dofs failed redrive` gives the
// order another round, which ends FULFILLED through the normal path. The API calls carry the token
// `dofs token` prints, as the banner's curl does.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Value } from 'typebox/value';
import { OrderViewSchema, type StatusChange, type StoredOrder } from '@dofs/order-domain';

const ROOT = path.resolve(__dirname, '../../../..');
const MAIN = path.join(ROOT, 'dist/apps/local-stack/main.js');
const BIN = path.join(ROOT, 'tools/dofs-cli/bin/dofs.cjs');
const run = promisify(execFile);

jest.setTimeout(240_000);

interface Stack {
  child: ChildProcess;
  apiUrl: string;
  stateFile: string;
  output: () => string;
  stop(): Promise<void>;
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function launch(dataDir: string, args: string[]): Promise<Stack> {
  const stateFile = path.join(dataDir, 'local-stack.json');
  const child = spawn(process.execPath, [MAIN, '--data-dir', dataDir, '--port', '0', '--dynamodb-port', '0', '--sqs-port', '0', '--sfn-port', '0', '--cloudwatch-port', '0', ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const state = await until('the local stack', 120_000, async () => {
    if (child.exitCode !== null) throw new Error(`the local stack exited with ${child.exitCode}:\n${output}`);
    if (!existsSync(stateFile) || !output.includes('DOFS local stack is up')) return undefined;
    const parsed = JSON.parse(readFileSync(stateFile, 'utf8')) as { pid: number; apiUrl: string };
    return parsed.pid === child.pid ? parsed : undefined;
  });
  return {
    child,
    apiUrl: state.apiUrl,
    stateFile,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** `dofs <args> --stack-file <file>` in a child process; resolves its exit code and output. */
async function dofs(stack: Stack, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args, '--stack-file', stack.stateFile], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function orderOf(stack: Stack, id: string): Promise<StoredOrder> {
  const { code, stdout, stderr } = await dofs(stack, 'orders', 'get', id, '--json');
  if (code !== 0) throw new Error(`dofs orders get failed: ${stderr}`);
  return JSON.parse(stdout) as StoredOrder;
}

describe('dofs against the local stack', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dofs-cli-e2e-'));
  let stack: Stack | undefined;

  afterAll(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('gets, lists and redrives a FAILED order, which then ends FULFILLED at success rate 1', async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npx nx run-many -t build" (the test target depends on it)`);
    stack = await launch(dataDir, ['--success-rate', '0', '--visibility-timeout', '1', '--fresh', '--quiet']);

    // The OpenAPI document the stack serves is the committed one.
    const served = await fetch(`${stack.apiUrl}/openapi.json`);
    expect(await served.text()).toBe(readFileSync(path.join(ROOT, 'docs/openapi.json'), 'utf8'));

    const token = await dofs(stack, 'token');
    expect(token).toMatchObject({ code: 0, stderr: '' });
    expect(token.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const posted = await fetch(`${stack.apiUrl}/order`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token.stdout.trim()}` },
      body: JSON.stringify({ customer_id: 'c-e2e', items: [{ sku: 'SKU-1', quantity: 1, unit_price_cents: 100 }], currency: 'USD' }),
    });
    expect(posted.status).toBe(202);
    const { order_id: id } = (await posted.json()) as { order_id: string };

    const failed = await until('the order to fail', 120_000, async () => {
      const order = await orderOf(stack as Stack, id);
      return order.status === 'FAILED' ? order : undefined;
    });
    expect(failed.attempts).toBe(3);

    const get = await dofs(stack, 'orders', 'get', id);
    expect(get.code).toBe(0);
    expect(get.stdout).toMatch(/RETRYING -> FAILED\s+dlq-handler/);
    const list = await dofs(stack, 'failed', 'list', '--json');
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ order_id: id, order_status: 'FAILED', attempts: 3 })]);
    const terminal = await dofs(stack, 'orders', 'list', '--status', 'FULFILLED');
    expect(terminal.code).toBe(1);
    expect(terminal.stderr.trim().split('\n')).toHaveLength(1);

    // Same data, success rate 1.
    await stack.stop();
    stack = await launch(dataDir, ['--success-rate', '1', '--quiet']);
    const redrive = await dofs(stack, 'failed', 'redrive', id);
    expect(redrive).toMatchObject({ code: 0, stderr: '' });
    expect(redrive.stdout).toMatch(new RegExp(`${id}\\s+redriven`));

    const fulfilled = await until('the redriven order to be fulfilled', 60_000, async () => {
      const order = await orderOf(stack as Stack, id);
      return order.status === 'FULFILLED' ? order : undefined;
    });
    const moves = fulfilled.status_history.map((c: StatusChange) => `${c.from ?? ''}>${c.to}:${c.by}`);
    expect(moves.slice(-3)).toEqual(['RETRYING>FAILED:dlq-handler', 'FAILED>RETRYING:dofs-cli', 'RETRYING>FULFILLED:fulfill-order']);
    const show = await dofs(stack, 'failed', 'show', id, '--json');
    expect((JSON.parse(show.stdout) as { failed: { operator_redrives: unknown[] } }).failed.operator_redrives).toEqual([{ at: expect.any(String), by: 'dofs-cli', attempts: 3 }]);

    // What GET answers is what the OpenAPI document says it answers. The stack runs on another
    // port now, so its issuer is another one: a new token (the customer's own, this time).
    const customerToken = (await dofs(stack, 'token', '--customer', 'c-e2e')).stdout.trim();
    const view = (await (await fetch(`${stack.apiUrl}/orders/${id}`, { headers: { authorization: `Bearer ${customerToken}` } })).json()) as unknown;
    expect([...Value.Errors(OrderViewSchema, view)]).toEqual([]);
  });
});
