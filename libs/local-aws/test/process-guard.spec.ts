import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * DynamoDB Local is a JVM, and a JVM does not notice its parent dying. These tests start it from
 * a child Node process, kill that child the ways a test run or a local stack can end, and check
 * that the JVM is gone within a few seconds.
 */

const FIXTURE = join(__dirname, 'fixtures/start-dynamodb-local.ts');
const GONE_WITHIN_MS = 6_000;

interface Started {
  child: ChildProcess;
  javaPid: number;
  startupMs: number;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !isAlive(pid);
}

function spawnFixture(env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return spawn(process.execPath, ['-r', require.resolve('@swc-node/register'), FIXTURE], {
    cwd: join(__dirname, '..'),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function startChild(): Promise<Started> {
  const child = spawnFixture();
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', (line) => {
      const info = JSON.parse(line) as { pid: number; startupMs: number };
      resolve({ child, javaPid: info.pid, startupMs: info.startupMs, exit });
    });
    void exit.then(({ code, signal }) => reject(new Error(`fixture exited (${code ?? signal}) before DynamoDB Local was up: ${stderr}`)));
  });
}

describe('DynamoDB Local never outlives the process that started it', () => {
  // Each case boots its own JVM; running them side by side keeps the file to one JVM start time.
  // SIGTERM runs our signal hook; SIGKILL runs no code in the parent at all, so only the watchdog can act.
  test.concurrent.each(['SIGTERM', 'SIGKILL'] as const)(
    'parent killed with %s: the java process is gone within a few seconds',
    async (signal) => {
      const started = await startChild();
      expect(isAlive(started.javaPid)).toBe(true);
      expect(started.startupMs).toBeGreaterThan(0);

      started.child.kill(signal);
      const { signal: exitSignal } = await started.exit;

      // SIGTERM is re-raised after cleanup, so the parent still ends by that signal.
      expect(exitSignal).toBe(signal);
      await expect(waitUntilGone(started.javaPid, GONE_WITHIN_MS)).resolves.toBe(true);
    },
    60_000,
  );
});

describe('DynamoDB Local without Java', () => {
  it('fails with one line that says to install Java 17+', async () => {
    // A PATH without java; the fixture is started by absolute path, so Node itself is still found.
    const child = spawnFixture({ ...process.env, PATH: '/nonexistent' });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(/^JavaNotFoundError: DynamoDB Local needs Java 17\+ on PATH \("java" was not found\): install a Java 17\+ runtime/);
    expect(stderr.trim()).not.toContain('\n');
  });
});
