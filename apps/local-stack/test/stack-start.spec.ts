// A start of the whole stack that fails part-way (started in this process: the API gateway, then
// DynamoDB Local's JVM, then the SQS server on a port that is taken) leaves nothing running.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@dofs/local-aws';
import { StackLogger } from '../src/log';
import { isPortFree } from '../src/net';
import { startLocalStack, STATE_FILE } from '../src/stack';

jest.setTimeout(120_000);

/** The command lines of the processes that name `dir`. */
function processesOn(dir: string): string[] {
  return execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((args) => args.includes(dir) && !args.startsWith('ps '));
}

describe('a start of the local stack that fails', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dofs-start-'));
  let taken: Server;
  let takenPort: number;

  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    takenPort = (taken.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => taken.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says which port to change, and stops what it had started: the API port and DynamoDB Local are free again', async () => {
    const [apiPort, dynamodbPort] = [await freePort(), await freePort()];
    const lines: string[] = [];
    await expect(
      startLocalStack({
        dataDir,
        fresh: true,
        port: apiPort,
        dynamodbPort,
        sqsPort: takenPort,
        sfnPort: 0,
        cloudwatchPort: 0,
        logger: new StackLogger({ out: { write: (line: string) => lines.push(line) > 0 }, color: false }),
      }),
    ).rejects.toMatchObject({ name: 'StackStartError', message: expect.stringContaining('try --sqs-port 0') });
    expect(await isPortFree(apiPort, '127.0.0.1')).toBe(true);
    // The JVM was launched before SQS failed: no process runs on this data any more (nor is one left to boot).
    expect(processesOn(path.join(dataDir, 'dynamodb'))).toEqual([]);
    expect(await isPortFree(dynamodbPort, '127.0.0.1')).toBe(true);
    expect(existsSync(path.join(dataDir, STATE_FILE))).toBe(false);
    expect(lines.filter((line) => line.includes('stopping'))).toEqual([]);
  });
});
