#!/usr/bin/env node
'use strict';
// npm run soak [-- --orders 20000 --rate 20 --concurrency 32 --success-rate 0.7]: one local stack
// taking orders at a steady rate for a long time. Prints the resident memory (VmRSS) of the stack
// process (and its thread count: each Lambda environment is a worker thread) and of DynamoDB
// Local's JVM at the start, at each tenth of the orders and at the end,
// POST latency p50/p99 for each tenth of the orders, and the chaos table's bookkeeping of every
// order (lost, stuck, double transitions, unarchived, wrongly failed, re-sent, queue depth).
// Exits 1 when an order is not accounted for. Built on chaos/scenarios.cjs.
const { readFileSync } = require('node:fs');
const { parseArgs } = require('node:util');
const { isBad, percentile, runScenario } = require('../chaos/scenarios.cjs');

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '20000' },
    rate: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '32' },
    'success-rate': { type: 'string', default: '0.7' },
    settle: { type: 'string', default: '600' },
  },
});
const number = (name, min, max, whole) => {
  const value = Number(values[name]);
  if (!Number.isFinite(value) || value < min || value > max || (whole && !Number.isInteger(value))) {
    console.error(`--${name} must be a ${whole ? 'whole ' : ''}number from ${min} to ${max} (got "${values[name]}")`);
    process.exit(2);
  }
  return value;
};
const orders = number('orders', 10, 1_000_000, true);
const rate = number('rate', 0.1, 1000, false);
const concurrency = number('concurrency', 1, 256, true);
const successRate = number('success-rate', 0, 1, false);
const settleSeconds = number('settle', 10, 86_400, true);

/** A field of /proc/<pid>/status as a number (VmRSS in kB, Threads); undefined when the process is gone. */
function procStatus(pid, field) {
  try {
    const value = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return value === undefined ? undefined : Number(value);
  } catch {
    return undefined;
  }
}
/** Resident memory of a process in MB; undefined when it is gone. */
const rssMb = (pid) => {
  const kb = procStatus(pid, 'VmRSS');
  return kb === undefined ? undefined : kb / 1024;
};
const mb = (v) => (v === undefined ? '?' : `${v.toFixed(0)} MB`);

const TENTHS = 10;
const tenthOf = (index) => Math.min(TENTHS - 1, Math.floor((index * TENTHS) / orders));
const latencies = Array.from({ length: TENTHS }, () => []);
const statuses = Array.from({ length: TENTHS }, () => new Map());
const memoryAt = Array.from({ length: TENTHS }, () => undefined);
const firstPostAt = Array.from({ length: TENTHS }, () => undefined);
let pids;
let start;
let end;

(async () => {
  const scenario = {
    name: `soak: ${orders} orders at ${rate}/s`,
    // The fault scenarios' fast retries and reconciler, the deployed API throttle.
    args: [],
    successRate,
    load: { orders, rate, concurrency, settleSeconds },
  };
  console.log(
    `soak: ${orders} orders offered at ${rate}/s by ${concurrency} clients (about ${Math.round(orders / rate)} s), success rate ${successRate}, ` +
      `the chaos table's fast retries; settle window ${settleSeconds} s`,
  );
  const row = await runScenario(scenario, {
    // The queue's depth every 5 s; the open orders are not counted (a scan of every order each time).
    sampleEveryMs: 5000,
    countOpen: false,
    hooks: {
      onUp: (state) => {
        pids = { stack: state.pid, dynamodb: state.dynamodbPid };
        start = { stack: rssMb(pids.stack), dynamodb: rssMb(pids.dynamodb), threads: procStatus(pids.stack, 'Threads') };
      },
      onPosted: ({ index, ms, status }) => {
        const tenth = tenthOf(index);
        if (memoryAt[tenth] === undefined) {
          memoryAt[tenth] = { stack: rssMb(pids.stack), dynamodb: rssMb(pids.dynamodb), threads: procStatus(pids.stack, 'Threads') };
          firstPostAt[tenth] = Date.now();
        }
        latencies[tenth].push(ms);
        statuses[tenth].set(status, (statuses[tenth].get(status) ?? 0) + 1);
      },
      onSettled: () => {
        end = { stack: rssMb(pids.stack), dynamodb: rssMb(pids.dynamodb), threads: procStatus(pids.stack, 'Threads') };
      },
    },
    log: (text) => console.error(`  ${text}`),
  });

  console.log('');
  console.log(`resident memory (VmRSS)        start        end`);
  console.log(`  stack (pid ${pids.stack})`.padEnd(28) + mb(start.stack).padStart(9) + mb(end?.stack).padStart(11) + `   (threads ${start.threads ?? '?'} -> ${end?.threads ?? '?'})`);
  console.log(`  DynamoDB Local (pid ${pids.dynamodb})`.padEnd(28) + mb(start.dynamodb).padStart(9) + mb(end?.dynamodb).padStart(11));
  console.log('');
  console.log('POST /order per tenth of the orders (first answer of each; 2xx and 4xx/5xx alike)');
  console.log(`  ${'orders'.padEnd(15)} ${'from s'.padStart(7)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'stack RSS'.padStart(10)} ${'DDB RSS'.padStart(10)} ${'threads'.padStart(7)}  answers`);
  for (let t = 0; t < TENTHS; t += 1) {
    const first = Math.ceil((t * orders) / TENTHS);
    const last = Math.ceil(((t + 1) * orders) / TENTHS) - 1;
    const answers = [...statuses[t].entries()].sort(([a], [b]) => a - b).map(([status, count]) => `${status === 0 ? 'no answer' : status}: ${count}`).join(', ');
    console.log(
      `  ${`${first + 1}-${last + 1}`.padEnd(15)} ${String(firstPostAt[t] === undefined ? '?' : Math.round((firstPostAt[t] - firstPostAt[0]) / 1000)).padStart(7)} ` +
        `${String(percentile(latencies[t], 50) ?? '?').padStart(7)} ${String(percentile(latencies[t], 99) ?? '?').padStart(7)} ` +
        `${mb(memoryAt[t]?.stack).padStart(10)} ${mb(memoryAt[t]?.dynamodb).padStart(10)} ${String(memoryAt[t]?.threads ?? '?').padStart(7)}  ${answers}`,
    );
  }
  console.log('');
  const keys = ['sent', 'accepted', 'refused', 'FULFILLED', 'FAILED', 'REJECTED', 'lost', 'stuck', 'doubleTransitions', 'failedNotArchived', 'wronglyFailed', 'reSent', 'reDispatched', 'maxQueueDepth', 'throttled', 'seconds'];
  console.log(`bookkeeping: ${keys.map((k) => `${k} ${row[k]}`).join(', ')}`);
  console.log(`offered ${row.load.offeredPerSecond.toFixed(1)} orders/s for ${Math.round(row.load.offeredSeconds)} s`);
  const bad = isBad(row);
  console.log(bad ? 'soak: NOT every order accounted for (see lost / stuck / double / unarchived / wrongly failed / re-sent)' : 'soak: every order accounted for');
  process.exit(bad ? 1 : 0);
})().catch((error) => {
  console.error(`soak could not run: ${error.stack ?? error.message}`);
  process.exit(1);
});
