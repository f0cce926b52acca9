// `npm start` supervising DynamoDB Local, as a person would meet it: the JVM dies under a running
// stack (by --dynamodb-kill, then by an outside kill -9), the stack says so in one line, starts it
// again on the same data, and orders placed before and after are there and fulfilled.
import { readdirSync, readFileSync } from 'node:fs';
import { getOrder, launchStack, postOrder, removeDir, SAMPLE_ORDER, sleep, tempDataDir, type RunningStack } from './harness';

jest.setTimeout(240_000);

/** Pids of the `java` children of a process (Linux /proc). */
function javaChildren(parentPid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parentPid && comm === 'java') pids.push(Number(entry));
    } catch {
      // The process ended meanwhile.
    }
  }
  return pids;
}

function occurrences(text: string, pattern: RegExp): number {
  return (text.match(new RegExp(pattern.source, 'g')) ?? []).length;
}

async function waitFor(condition: () => boolean, what: string, stack: RunningStack, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${stack.output()}`);
    if (stack.process.exitCode !== null) throw new Error(`the stack exited (${stack.process.exitCode}) while waiting for ${what}:\n${stack.output()}`);
    await sleep(100);
  }
}

describe('npm start supervises DynamoDB Local', () => {
  const dataDir = tempDataDir('supervision');
  let stack: RunningStack;

  beforeAll(async () => {
    stack = await launchStack(['--success-rate', '1', '--fresh', '--dynamodb-kill', '0'], dataDir);
  });

  afterAll(async () => {
    const code = await stack?.stop();
    removeDir(dataDir);
    expect(code).toBe(0);
  });

  const fulfilled = async (orderId: string) => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { body } = await getOrder(stack.state.apiUrl, orderId);
      if (body.status === 'FULFILLED') return;
      if (Date.now() > deadline) throw new Error(`order ${orderId} is ${body.status}:\n${stack.output()}`);
      await sleep(200);
    }
  };
  const place = async (customer: string) => {
    const response = await postOrder(stack.state.apiUrl, { ...SAMPLE_ORDER, customer_id: customer });
    expect(response.status).toBe(202);
    return response.body.order_id;
  };

  it('--dynamodb-kill: the banner names the fault, the death is one line, and the JVM is back on its port', async () => {
    expect(stack.output()).toMatch(/faults: .*DynamoDB Local killed 0 s after start/);
    await waitFor(() => /DynamoDB Local is back after \d+ ms/.test(stack.output()), 'the first restart', stack);
    const port = new URL(stack.state.endpoints.dynamodb).port;
    expect(stack.output()).toMatch(new RegExp(`DynamoDB Local died \\(pid \\d+, signal SIGKILL\\): restarting it on port ${port} with its data in `));
    await fulfilled(await place('c-after-fault'));
  });

  it('an outside kill -9 of the JVM: restarted on the same data, orders before and after are fulfilled', async () => {
    const before = await place('c-before-kill');
    await fulfilled(before);
    const [jvm, ...others] = javaChildren(stack.state.pid);
    expect(others).toEqual([]);
    if (jvm === undefined) throw new Error('no java child of the stack');
    const backs = occurrences(stack.output(), /DynamoDB Local is back/);
    process.kill(jvm, 'SIGKILL');
    await waitFor(() => occurrences(stack.output(), /DynamoDB Local is back/) > backs, 'the second restart', stack);
    expect(stack.output()).toContain(`DynamoDB Local died (pid ${jvm}, signal SIGKILL)`);
    expect(javaChildren(stack.state.pid)).not.toContain(jvm);
    expect((await getOrder(stack.state.apiUrl, before)).body.status).toBe('FULFILLED');
    await fulfilled(await place('c-after-kill'));
  });
});
