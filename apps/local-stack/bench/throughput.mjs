#!/usr/bin/env node
// Throughput benchmark of the local stack (not a test: it prints figures, it asserts nothing).
//
//   npx nx run local-stack:bench            (builds what is needed first)
//   node apps/local-stack/bench/throughput.mjs [--orders 1000] [--concurrency 32]
//        [--rate 20] [--rate-seconds 10] [--log-level warn] [--cpu-prof <dir>] [--keep]
//
// In one run, on this machine:
//  1. the ceiling: PutItem/s of a DynamoDB Local of its own (same jar and flags as the stack's,
//     data on disk, 32 concurrent clients, after a warm-up) — raw-put.mjs;
//  2. saturation: after `--warmup` orders (cold starts and JIT), the stack on free ports with a throw-away data folder and success rate 1; `--orders`
//     POSTs from `--concurrency` clients; intake rate (all 202s) and end-to-end rate (first POST ->
//     last FULFILLED, from the orders' status history), and the ratio to the ceiling (goal 0.15);
//  3. latency at a fixed offered rate: `--rate` POSTs a second for `--rate-seconds`, each sent on
//     schedule whatever the others do; POST latency p50/p99 and 202 -> FULFILLED p50/p99;
//  4. CPU per order of each process (the stack's main thread, its other threads — Lambda
//     environments, V8 and libuv helpers — and DynamoDB Local's JVM) during the saturation phase.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import tokenClient from '../src/auth/token-client.cjs';
import { rawPutRate } from './raw-put.mjs';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '1000' },
    warmup: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '32' },
    rate: { type: 'string', default: '20' },
    'rate-seconds': { type: 'string', default: '10' },
    'log-level': { type: 'string' },
    'cpu-prof': { type: 'string' },
    keep: { type: 'boolean', default: false },
    'lambda-concurrency': { type: 'string' },
    pollers: { type: 'string' },
    'skip-raw': { type: 'boolean', default: false },
  },
});
const ORDERS = Number(values.orders);
const WARMUP = Number(values.warmup);
const CONCURRENCY = Number(values.concurrency);
const RATE = Number(values.rate);
const RATE_SECONDS = Number(values['rate-seconds']);
const GOAL_RATIO = 0.15;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const main = path.join(root, 'dist/apps/local-stack/main.js');
if (!existsSync(main)) {
  console.error('dist/apps/local-stack/main.js is missing: run "npx nx run local-stack:bench" (it builds first)');
  process.exit(1);
}
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- 1. the ceiling ---------------------------------------------------------------------------
const raw = values['skip-raw'] ? undefined : await rawPutRate({ concurrency: CONCURRENCY });

// ---- the stack --------------------------------------------------------------------------------
const dataDir = mkdtempSync(path.join(tmpdir(), 'dofs-bench-'));
const t0 = performance.now();
const child = spawn(
  process.execPath,
  [
    ...(values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(values['cpu-prof'])] : []),
    main,
    '--data-dir', dataDir,
    '--fresh',
    '--quiet',
    '--success-rate', '1',
    '--port', '0',
    '--dynamodb-port', '0',
    '--sqs-port', '0',
    '--sfn-port', '0',
    '--cloudwatch-port', '0',
    '--throttle-rate', '0',
    ...(values['log-level'] ? ['--log-level', values['log-level']] : []),
    ...(values['lambda-concurrency'] ? ['--lambda-concurrency', values['lambda-concurrency']] : []),
    ...(values.pollers ? ['--pollers', values.pollers] : []),
  ],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NO_COLOR: '1' } },
);
let output = '';
child.stdout.on('data', (chunk) => (output += chunk));
const exited = new Promise((resolve) => child.once('exit', resolve));

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
const ddb = new DynamoDBClient({ endpoint: state.endpoints.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

/** CPU seconds (user + system) of the stack process by thread group, and of its child processes by command. */
function cpuNow() {
  const ticks = (stat) => {
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  const out = { 'stack main thread': 0, 'stack other threads': 0 };
  for (const tid of readdirSync(`/proc/${child.pid}/task`)) {
    const cpu = ticks(readFileSync(`/proc/${child.pid}/task/${tid}/stat`, 'utf8'));
    out[Number(tid) === child.pid ? 'stack main thread' : 'stack other threads'] += cpu;
  }
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== child.pid) continue;
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const key = comm === 'java' ? 'DynamoDB Local (java)' : comm;
      out[key] = (out[key] ?? 0) + ticks(stat);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
const canMeasureCpu = existsSync(`/proc/${child.pid}/task`);

const body = JSON.stringify({ customer_id: 'bench', items: [{ sku: 'SKU-1', quantity: 1, unit_price_cents: 100 }], currency: 'USD' });
// A trusted backend's token (client credentials from the stack's issuer), got before the clock
// starts and reused for its lifetime (the source renews it a minute before it expires).
const authorization = tokenClient.tokenSource();
await authorization(state);
async function post() {
  const sent = performance.now();
  const bearer = await authorization(state);
  const res = await fetch(`${state.apiUrl}/order`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(bearer ? { Authorization: bearer } : {}) }, body });
  const json = await res.json();
  if (res.status !== 202) throw new Error(`POST /order answered ${res.status}: ${JSON.stringify(json)}`);
  return { id: json.order_id, acceptedAt: Date.now(), latencyMs: performance.now() - sent };
}

/** FULFILLED time (epoch ms, from the status history) of each of `ids`, once all are FULFILLED. */
async function fulfilledTimes(ids, timeoutMs = 600_000) {
  const want = new Set(ids);
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const found = new Map();
    let key;
    do {
      const page = await ddb.send(
        new ScanCommand({
          TableName: state.settings.tables.orders,
          FilterExpression: '#s = :f',
          ExpressionAttributeNames: { '#s': 'status', '#id': 'order_id', '#h': 'status_history' },
          ExpressionAttributeValues: { ':f': { S: 'FULFILLED' } },
          ProjectionExpression: '#id, #h',
          ExclusiveStartKey: key,
        }),
      );
      for (const item of page.Items ?? []) {
        if (!want.has(item.order_id.S)) continue;
        const last = item.status_history.L.map((e) => e.M).find((e) => e.to.S === 'FULFILLED');
        found.set(item.order_id.S, Date.parse(last.at.S));
      }
      key = page.LastEvaluatedKey;
    } while (key);
    if (found.size >= want.size) return found;
    if (performance.now() > deadline) throw new Error(`${want.size - found.size} of ${want.size} orders not FULFILLED after ${timeoutMs / 1000} s`);
    await sleep(1000);
  }
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
const ms = (n) => `${n.toFixed(0)} ms`;

/** `n` POSTs from CONCURRENCY clients at once, as fast as the stack answers. */
async function saturate(n) {
  const accepted = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, n) }, async () => {
      while (next < n) {
        next += 1;
        accepted.push(await post());
      }
    }),
  );
  return accepted;
}

// ---- warm-up: cold starts (every Lambda environment the load scales to) and both JITs ---------
if (WARMUP > 0) await fulfilledTimes((await saturate(WARMUP)).map((a) => a.id));

// ---- 2. saturation ----------------------------------------------------------------------------
const cpuBefore = canMeasureCpu ? cpuNow() : {};
const firstPostAt = Date.now();
const postStart = performance.now();
const accepted = await saturate(ORDERS);
const acceptedMs = performance.now() - postStart;
const saturationDone = await fulfilledTimes(accepted.map((a) => a.id));
const cpuAfter = canMeasureCpu ? cpuNow() : {};
const lastFulfilledAt = Math.max(...saturationDone.values());
const endToEndMs = lastFulfilledAt - firstPostAt;

// ---- 3. fixed offered rate --------------------------------------------------------------------
await sleep(2000); // let the saturation phase's stragglers (pollers, reconciler) settle
const scheduled = [];
const rateStart = performance.now();
for (let i = 0; i < RATE * RATE_SECONDS; i += 1) {
  const due = rateStart + (i * 1000) / RATE;
  const wait = due - performance.now();
  if (wait > 0) await sleep(wait);
  scheduled.push(post());
}
const paced = await Promise.all(scheduled);
const pacedDone = await fulfilledTimes(paced.map((a) => a.id));
const postLatency = paced.map((a) => a.latencyMs).sort((a, b) => a - b);
const toFulfilled = paced.map((a) => pacedDone.get(a.id) - a.acceptedAt).sort((a, b) => a - b);

ddb.destroy();
child.kill('SIGTERM');
await exited;
if (!values.keep) rmSync(dataDir, { recursive: true, force: true });

// ---- report -----------------------------------------------------------------------------------
const rate = (n, t) => n / (t / 1000);
const e2e = rate(ORDERS, endToEndMs);
console.log(`orders:             ${ORDERS} after ${WARMUP} warm-up orders (client concurrency ${CONCURRENCY}, success rate 1, LOG_LEVEL ${values['log-level'] ?? 'warn'})`);
console.log(`startup:            ${(state.startupMs / 1000).toFixed(2)} s inside the stack, ${(startupWallMs / 1000).toFixed(2)} s from spawn to ready`);
console.log(`startup breakdown:  ${JSON.stringify(state.timings)}`);
if (raw) console.log(`raw PutItem:        ${raw.putsPerSecond.toFixed(0)} /s (DynamoDB Local alone, ${CONCURRENCY} clients, data on disk${raw.jvmCpuMsPerPut ? `, ${raw.jvmCpuMsPerPut.toFixed(2)} ms of JVM CPU each` : ''})`);
console.log(`intake:             ${rate(ORDERS, acceptedMs).toFixed(1)} orders/s (all ${ORDERS} accepted with 202 in ${(acceptedMs / 1000).toFixed(2)} s)`);
console.log(`end to end:         ${e2e.toFixed(1)} orders/s (${ORDERS} FULFILLED ${(endToEndMs / 1000).toFixed(2)} s after the first POST)`);
if (raw) {
  const ratio = e2e / raw.putsPerSecond;
  console.log(`ratio:              ${ratio.toFixed(3)} of the raw PutItem rate (goal >= ${GOAL_RATIO}: ${ratio >= GOAL_RATIO ? 'met' : `not met, ${(GOAL_RATIO / ratio).toFixed(1)}x short`})`);
}
console.log(`POST latency:       p50 ${ms(percentile(postLatency, 50))}, p99 ${ms(percentile(postLatency, 99))} at ${RATE} orders/s offered for ${RATE_SECONDS} s`);
console.log(`202 -> FULFILLED:   p50 ${ms(percentile(toFulfilled, 50))}, p99 ${ms(percentile(toFulfilled, 99))} at ${RATE} orders/s`);
if (canMeasureCpu) {
  let total = 0;
  for (const [name, seconds] of Object.entries(cpuAfter)) {
    const perOrder = ((seconds - (cpuBefore[name] ?? 0)) * 1000) / ORDERS;
    total += perOrder;
    console.log(`cpu per order:      ${perOrder.toFixed(1).padStart(5)} ms  ${name}`);
  }
  console.log(`cpu per order:      ${total.toFixed(1).padStart(5)} ms  total (saturation phase, /proc)`);
  const jvmPerOrder = ((cpuAfter['DynamoDB Local (java)'] ?? 0) - (cpuBefore['DynamoDB Local (java)'] ?? 0)) * 1000 / ORDERS;
  if (raw?.jvmCpuMsPerPut && jvmPerOrder > 0) {
    // What DynamoDB Local alone allows: an order's requests cost the JVM `jvmPerOrder`, a raw put `jvmCpuMsPerPut`.
    const bound = jvmPerOrder / raw.jvmCpuMsPerPut;
    console.log(`DynamoDB Local:     ${jvmPerOrder.toFixed(1)} ms of JVM CPU an order = ${bound.toFixed(1)} raw PutItems (${raw.jvmCpuMsPerPut.toFixed(2)} ms each): at that cost it alone caps the stack at ${(raw.putsPerSecond / bound).toFixed(0)} orders/s, a ratio of ${(1 / bound).toFixed(3)}`);
  }
}
