#!/usr/bin/env node
// The ceiling the stack benchmark compares against: PutItem/s of a DynamoDB Local of its own.
//
//   node apps/local-stack/bench/raw-put.mjs [--concurrency 32] [--in-memory]
//
// Started by libs/local-aws's startDynamoDbLocal, as the local stack starts it (bundled on the fly,
// as tools/bench-bundles.mjs does: it is TypeScript), so with the same jar, flags and JVM options
// (`-sharedDb -dbPath <folder>`: data on disk; `-XX:ActiveProcessorCount=1`). A fresh table, `concurrency` requests in flight, a warm-up (the JVM's JIT) before the measured window.
// The client is a bare keep-alive HTTP POST of the JSON protocol (DynamoDB Local accepts any
// signature), not the SDK: with the SDK the Node client, not DynamoDB Local, is what saturates
// first (345/s against 643/s measured on the same 2-core machine), and the figure is meant to be
// DynamoDB Local's.
import http from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** libs/local-aws as an ES module, written under the repository's tmp/ so that its packages resolve. */
async function loadLocalAws(workDir) {
  const outfile = path.join(workDir, 'local-aws.mjs');
  await build({ entryPoints: [path.join(root, 'libs/local-aws/src/index.ts')], bundle: true, format: 'esm', platform: 'node', packages: 'external', outfile, logLevel: 'error' });
  return import(pathToFileURL(outfile).href);
}

/** CPU ms (user + system) a process has used, from /proc (Linux); undefined elsewhere. */
function cpuMs(pid) {
  if (!existsSync(`/proc/${pid}/stat`)) return undefined;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export async function rawPutRate({ concurrency = 32, warmupMs = 8000, measureMs = 10000, inMemory = false } = {}) {
  mkdirSync(path.join(root, 'tmp'), { recursive: true });
  const workDir = mkdtempSync(path.join(root, 'tmp', 'raw-put-'));
  const dir = mkdtempSync(path.join(tmpdir(), 'dofs-raw-'));
  const { startDynamoDbLocal } = await loadLocalAws(workDir);
  const dynamodb = await startDynamoDbLocal(inMemory ? {} : { dbPath: dir });
  const { port, pid } = dynamodb;
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
    await call('CreateTable', table); // startDynamoDbLocal resolved once ListTables answered
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
      cpuStart = cpuMs(pid);
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
    const cpuEnd = cpuMs(pid);
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
    await dynamodb.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(workDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const { values } = parseArgs({ options: { concurrency: { type: 'string', default: '32' }, 'in-memory': { type: 'boolean', default: false } } });
  const result = await rawPutRate({ concurrency: Number(values.concurrency), inMemory: values['in-memory'] });
  const cpu = result.jvmCpuMsPerPut === undefined ? '' : `, ${result.jvmCpuMsPerPut.toFixed(2)} ms of JVM CPU each`;
  console.log(`raw PutItem: ${result.putsPerSecond.toFixed(0)} /s (DynamoDB Local alone, ${result.concurrency} clients, data ${result.inMemory ? 'in memory' : 'on disk'}${cpu})`);
}
