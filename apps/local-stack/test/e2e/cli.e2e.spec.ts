// Start-up failures a person can fix must say so in one line (and leave nothing running).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MAIN, ROOT } from './harness';

function run(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // NO_COLOR alone: Node 22 warns on stderr when FORCE_COLOR (which Nx sets) is there too.
    const rest = { ...env };
    delete rest['FORCE_COLOR'];
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, env: { ...rest, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const ports = ['--dynamodb-port', '0', '--sqs-port', '0', '--sfn-port', '0', '--cloudwatch-port', '0'];

describe('local stack command line', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dofs-cli-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('explains a taken API port in one line', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await run(['--port', String(port), '--data-dir', dataDir, '--quiet', ...ports]);
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([`error: port ${port} on 127.0.0.1 is already in use: stop whatever uses it or start with --port <n> (or PORT=<n>)`]);
    } finally {
      blocker.close();
    }
  }, 30_000);

  it('says what to install when Java is missing', async () => {
    const bin = mkdtempSync(path.join(tmpdir(), 'dofs-nojava-'));
    symlinkSync(process.execPath, path.join(bin, 'node'));
    try {
      const result = await run(['--port', '0', '--data-dir', dataDir, '--quiet', ...ports], { ...process.env, PATH: bin, JAVA_HOME: '' });
      expect(result.code).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: DynamoDB Local needs Java 17\+ .*install/);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  }, 30_000);

  it('rejects a bad option with the usage text', async () => {
    const result = await run(['--success-rate', '2']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: --success-rate must be a number from 0 to 1');
    expect(result.stderr).toContain('Usage: npm start -- [options]');
  });
});
