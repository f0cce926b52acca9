'use strict';
// Fault scenarios for the local stack, and the bookkeeping that proves nothing was lost.
//
// Each scenario starts the built stack (dist/apps/local-stack/main.js) on free ports with a fresh
// data folder and its fault options, places orders the way a careful client does (an
// Idempotency-Key per order, a 503 or a refused connection retried with the same key), waits until
// every accepted order is terminal or the reconciler's window has passed, and counts from
// DynamoDB: accepted, by status, lost, stuck, double transitions, FAILED orders missing from
// failed_orders, and orders FAILED for a reason other than their fulfilment failing.
// Used by `npm run chaos` (chaos/run.cjs) and by the short scenarios in npm test.
const { spawn } = require('node:child_process');
const { existsSync, mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, ScanCommand } = require('@aws-sdk/lib-dynamodb');

const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.join(ROOT, 'dist/apps/local-stack/main.js');
const TERMINAL = new Set(['FULFILLED', 'FAILED', 'REJECTED']);
const SAMPLE_ITEMS = [{ sku: 'SKU-1', quantity: 2, unit_price_cents: 1999 }];

/** Options every scenario runs with: retries and the reconciler within seconds instead of minutes. */
const FAST = ['--visibility-timeout', '5', '--reconcile-interval', '5', '--reconcile-after', '20', '--quiet'];

/**
 * The scenarios of issue 11 (items 5 and 6), modelled on AWS FIS's Lambda actions plus dependency
 * faults. `after` values are seconds after the stack is up; orders are placed over ~10 s from then.
 */
const SCENARIOS = [
  { name: 'no fault', args: [] },
  { name: 'store-order delayed 2 s (50 %)', args: ['--lambda-fault', 'store-order:delay=2000:0.5'] },
  { name: 'fulfill-order erroring (30 %)', args: ['--lambda-fault', 'fulfill-order:error:0.3'] },
  // Timed-out invocations hold an execution environment for the whole function timeout: Lambda
  // would scale out; the local one gets more environments to do the same.
  { name: 'store-order timing out (30 %)', args: ['--lambda-fault', 'store-order:timeout:0.3', '--lambda-concurrency', '32'] },
  { name: 'DynamoDB frozen 30 s, success rate 1', successRate: 1, args: ['--dynamodb-freeze', '30@4'] },
  { name: 'DynamoDB killed, restarted', args: ['--dynamodb-kill', '4'] },
  { name: 'SQS stalled 20 s', args: ['--sqs-stall', '20@4'] },
  { name: 'StartExecution failing 20 s', args: ['--start-execution-fault', '20@2'] },
  { name: 'stack killed (SIGKILL), restarted', killAfterAccepted: 0.5 },
];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Starts the stack on `dataDir` and resolves once its banner and state file are there. */
async function launch(dataDir, args, { fresh = true, timeoutMs = 120_000 } = {}) {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build it first (npx nx run local-stack:chaos builds what it needs)`);
  const child = spawn(
    process.execPath,
    [MAIN, '--data-dir', dataDir, '--port', '0', '--dynamodb-port', '0', '--sqs-port', '0', '--sfn-port', '0', ...(fresh ? ['--fresh'] : []), ...args],
    { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const stateFile = path.join(dataDir, 'local-stack.json');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the stack exited before it was up:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the stack was not up within ${timeoutMs} ms:\n${output}`);
    }
    if (existsSync(stateFile) && output.includes('DOFS local stack is up')) {
      const state = JSON.parse(readFileSync(stateFile, 'utf8'));
      if (state.pid === child.pid) return { child, state, exited, output: () => output };
    }
    await sleep(100);
  }
}

async function stop(stack, signal = 'SIGTERM') {
  if (stack.child.exitCode === null && stack.child.signalCode === null) stack.child.kill(signal);
  await stack.exited;
}

/** One POST /order; a network error (the stack being killed) is answered as status 0. */
async function post(apiUrl, body, key) {
  try {
    const response = await fetch(`${apiUrl}/order`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : {} };
  } catch {
    return { status: 0, body: {} };
  }
}

/** Every item of a table; while DynamoDB Local is frozen or restarting (a fault under test), tries again. */
async function scanAll(ddb, table, deadline = Date.now() + 120_000) {
  for (;;) {
    try {
      return await scanOnce(ddb, table);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(1000);
    }
  }
}

async function scanOnce(ddb, table) {
  const items = [];
  let ExclusiveStartKey;
  do {
    const page = await ddb.send(new ScanCommand({ TableName: table, ExclusiveStartKey, ConsistentRead: true }), { abortSignal: AbortSignal.timeout(10_000) });
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/**
 * A double transition: a status entered twice (RETRYING excepted, it repeats by design), or an
 * entry whose `from` is not the status before it: two writers moved the order from one status.
 */
function hasDoubleTransition(order) {
  const history = Array.isArray(order.status_history) ? order.status_history : [];
  const entered = new Map();
  let previous;
  for (const change of history) {
    if (previous !== undefined && change.from !== previous) return true;
    if (change.to !== 'RETRYING') {
      entered.set(change.to, (entered.get(change.to) ?? 0) + 1);
      if (entered.get(change.to) > 1) return true;
    }
    previous = change.to;
  }
  return previous !== undefined && previous !== order.status;
}

/**
 * Runs one scenario; resolves its row. `orders` logical orders are placed over `spreadMs` by
 * `concurrency` clients; each is retried with its key (a 503 or no answer) up to 20 times.
 */
async function runScenario(scenario, { orders = 200, concurrency = 8, successRate = 0.7, spreadMs = 12_000, settleMs = 240_000, log = () => undefined } = {}) {
  const started = performance.now();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dofs-chaos-'));
  const args = [...FAST, '--success-rate', String(scenario.successRate ?? successRate), ...(scenario.args ?? [])];
  let stack = await launch(dataDir, args);
  const ddbOf = (s) =>
    DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: s.state.endpoints.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    );
  const run = `${Date.now().toString(36)}`;
  const accepted = new Map();
  let refused = 0;
  let next = 0;
  let restarting;
  try {
    const killAt = scenario.killAfterAccepted === undefined ? Infinity : Math.floor(orders * scenario.killAfterAccepted);
    // Orders arrive spread over `spreadMs` from the start, so the faults (timed from the start) hit them in flight.
    const sendFrom = Date.now();
    const place = async () => {
      while (next < orders) {
        const index = next++;
        const due = sendFrom + (index * spreadMs) / orders;
        if (due > Date.now()) await sleep(due - Date.now());
        const key = `chaos-${run}-${index}`;
        const body = { customer_id: `c-chaos-${index}`, items: SAMPLE_ITEMS, currency: 'USD' };
        for (let attempt = 1; attempt <= 20; attempt += 1) {
          if (restarting) await restarting;
          const response = await post(stack.state.apiUrl, body, key);
          if (response.status === 202) {
            accepted.set(response.body.order_id, index);
            break;
          }
          if (response.status !== 503 && response.status !== 0) throw new Error(`order ${index}: answered ${response.status} ${JSON.stringify(response.body)}`);
          refused += 1;
          await sleep(1000);
        }
        if (accepted.size >= killAt && !restarting) {
          log(`${scenario.name}: SIGKILL of the stack after ${accepted.size} accepted orders`);
          restarting = (async () => {
            await stop(stack, 'SIGKILL');
            stack = await launch(dataDir, args, { fresh: false });
            log(`${scenario.name}: restarted on the same data`);
          })();
          await restarting;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, place));

    // Settle: every accepted order terminal, or the window passes (then what is left is stuck).
    const ddb = ddbOf(stack);
    const table = stack.state.settings.tables.orders;
    let items = [];
    const deadline = Date.now() + settleMs;
    for (;;) {
      items = (await scanAll(ddb, table)).filter((o) => accepted.has(o.order_id));
      const open = items.filter((o) => !TERMINAL.has(o.status)).length + (accepted.size - items.length);
      if (open === 0 || Date.now() > deadline) break;
      await sleep(1000);
    }
    const failedIds = new Set((await scanAll(ddb, stack.state.settings.tables.failedOrders)).map((f) => f.order_id));
    ddb.destroy();
    const byStatus = { FULFILLED: 0, FAILED: 0, REJECTED: 0 };
    for (const o of items) if (TERMINAL.has(o.status)) byStatus[o.status] += 1;
    const failed = items.filter((o) => o.status === 'FAILED');
    return {
      scenario: scenario.name,
      sent: orders,
      accepted: accepted.size,
      refused,
      ...byStatus,
      lost: accepted.size - items.length,
      stuck: items.filter((o) => !TERMINAL.has(o.status)).length,
      doubleTransitions: items.filter(hasDoubleTransition).length,
      failedNotArchived: failed.filter((o) => !failedIds.has(o.order_id)).length,
      wronglyFailed: failed.filter((o) => o.status_reason?.code !== 'FULFILMENT_FAILED').length,
      seconds: Math.round((performance.now() - started) / 1000),
    };
  } finally {
    if (restarting) await restarting.catch(() => undefined);
    await stop(stack);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** True when a row shows a lost, stuck, doubly moved, unarchived or wrongly failed order, or nothing accepted. */
function isBad(row) {
  return row.accepted === 0 || row.lost + row.stuck + row.doubleTransitions + row.failedNotArchived + row.wronglyFailed > 0;
}

module.exports = { SCENARIOS, runScenario, isBad, hasDoubleTransition };
