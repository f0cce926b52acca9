#!/usr/bin/env node
// Throughput benchmark of the local stack (not a test).
//
//   npx nx run local-stack:bench            (builds what is needed first)
//   node apps/local-stack/bench/throughput.mjs [--orders 1000] [--concurrency 32] [--keep]
//
// Starts the stack on free ports with a throw-away data folder and success rate 1, posts the
// orders, and reports the start-up time, the intake rate (all 202s) and the end-to-end rate
// (first POST -> every order FULFILLED in DynamoDB).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '32' },
    keep: { type: 'boolean', default: false },
    'lambda-concurrency': { type: 'string' },
    pollers: { type: 'string' },
  },
});
const ORDERS = Number(values.orders);
const CONCURRENCY = Number(values.concurrency);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const main = path.join(root, 'dist/apps/local-stack/main.js');
if (!existsSync(main)) {
  console.error('dist/apps/local-stack/main.js is missing: run "npx nx run local-stack:bench" (it builds first)');
  process.exit(1);
}
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const dataDir = mkdtempSync(path.join(tmpdir(), 'dofs-bench-'));
const t0 = performance.now();
const child = spawn(
  process.execPath,
  [
    main,
    '--data-dir', dataDir,
    '--fresh',
    '--quiet',
    '--success-rate', '1',
    '--port', '0',
    '--dynamodb-port', '0',
    '--sqs-port', '0',
    '--sfn-port', '0',
    ...(values['lambda-concurrency'] ? ['--lambda-concurrency', values['lambda-concurrency']] : []),
    ...(values.pollers ? ['--pollers', values.pollers] : []),
  ],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NO_COLOR: '1' } },
);
let output = '';
child.stdout.on('data', (chunk) => (output += chunk));
const exited = new Promise((resolve) => child.once('exit', resolve));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let state;
while (!state) {
  if (child.exitCode !== null) {
    console.error(`the stack exited early:\n${output}`);
    process.exit(1);
  }
  const file = path.join(dataDir, 'local-stack.json');
  if (existsSync(file) && output.includes('DOFS local stack is up')) state = JSON.parse(readFileSync(file, 'utf8'));
  else await sleep(50);
}
const startupWallMs = performance.now() - t0;

const body = JSON.stringify({ customer_id: 'bench', items: [{ sku: 'SKU-1', quantity: 1, unit_price_cents: 100 }], currency: 'USD' });
const ids = [];
let next = 0;
const postStart = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < ORDERS) {
      next += 1;
      const res = await fetch(`${state.apiUrl}/order`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      const json = await res.json();
      if (res.status !== 202) throw new Error(`POST /order answered ${res.status}: ${JSON.stringify(json)}`);
      ids.push(json.order_id);
    }
  }),
);
const acceptedMs = performance.now() - postStart;

const ddb = new DynamoDBClient({ endpoint: state.endpoints.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
const want = new Set(ids);
let fulfilled = 0;
for (;;) {
  let count = 0;
  let key;
  do {
    const page = await ddb.send(
      new ScanCommand({
        TableName: state.settings.tables.orders,
        FilterExpression: '#s = :f',
        ExpressionAttributeNames: { '#s': 'status', '#id': 'order_id' },
        ExpressionAttributeValues: { ':f': { S: 'FULFILLED' } },
        ProjectionExpression: '#id',
        ExclusiveStartKey: key,
      }),
    );
    count += (page.Items ?? []).filter((item) => want.has(item.order_id.S)).length;
    key = page.LastEvaluatedKey;
  } while (key);
  fulfilled = count;
  if (fulfilled >= ORDERS || performance.now() - postStart > 600_000) break;
  await sleep(200);
}
const endToEndMs = performance.now() - postStart;
ddb.destroy();

child.kill('SIGTERM');
await exited;
if (!values.keep) rmSync(dataDir, { recursive: true, force: true });

const rate = (n, ms) => (n / (ms / 1000)).toFixed(1);
console.log(`orders:             ${ORDERS} (client concurrency ${CONCURRENCY}, success rate 1)`);
console.log(`startup:            ${(state.startupMs / 1000).toFixed(2)} s inside the stack, ${(startupWallMs / 1000).toFixed(2)} s from spawn to ready`);
console.log(`startup breakdown:  ${JSON.stringify(state.timings)}`);
console.log(`intake:             ${rate(ORDERS, acceptedMs)} orders/s (all ${ORDERS} accepted with 202 in ${(acceptedMs / 1000).toFixed(2)} s)`);
console.log(`end to end:         ${rate(fulfilled, endToEndMs)} orders/s (${fulfilled} FULFILLED ${(endToEndMs / 1000).toFixed(2)} s after the first POST)`);
if (fulfilled < ORDERS) process.exitCode = 1;
