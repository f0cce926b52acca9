'use strict';
// Fault and load scenarios for the local stack, and the bookkeeping that proves nothing was lost.
//
// Each scenario starts the built stack (dist/apps/local-stack/main.js) on free ports with a fresh
// data folder and its options, places orders the way a careful client does (a trusted backend's
// token from the stack's issuer, an Idempotency-Key per order, a 503 or a refused connection
// retried with the same key, a 429 after its Retry-After),
// samples order_queue's depth and the open orders through the run, waits until every accepted
// order is terminal or the scenario's window has passed, and counts from DynamoDB: accepted, by
// status, lost, stuck, double transitions, FAILED orders missing from failed_orders, orders FAILED
// for a reason other than their fulfilment failing, re-drives the reconciler delivered, and
// whether order_queue ever held more messages than open orders plus 1 % of the orders.
// Used by `npm run chaos` (chaos/run.cjs), `npm run soak` (soak/soak.cjs) and the short scenarios
// in npm test.
const { spawn } = require('node:child_process');
const { existsSync, mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, ScanCommand } = require('@aws-sdk/lib-dynamodb');
const { GetQueueAttributesCommand, SQSClient } = require('@aws-sdk/client-sqs');
const { tokenSource } = require('../src/auth/token-client.cjs');

const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.join(ROOT, 'dist/apps/local-stack/main.js');
const TERMINAL = new Set(['FULFILLED', 'FAILED', 'REJECTED']);
const SAMPLE_ITEMS = [{ sku: 'SKU-1', quantity: 2, unit_price_cents: 1999 }];
const LOCAL = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

/** Options every fault scenario runs with: retries and the reconciler within seconds instead of minutes. */
const FAST = ['--visibility-timeout', '5', '--reconcile-interval', '5', '--reconcile-after', '20', '--quiet'];

/**
 * A backlog with the production ratios of the thresholds: one fulfilment environment polled by one
 * batch at a time, each batch of 10 held 8 s (about 1.25 orders/s drained), a visibility timeout
 * of 10 s and a reconciler threshold of 50 s, run every 5 s.
 */
const BACKLOG = [
  '--visibility-timeout', '10', '--reconcile-after', '50', '--reconcile-interval', '5',
  '--lambda-concurrency', '1', '--pollers', '1', '--lambda-fault', 'fulfill-order:delay=8000', '--quiet',
];
/**
 * POSTs at a gentle pace before a backlog and while it drains: intake must not depend on it. The
 * first `warmUp` are not timed (the first invocations of a fresh environment pay for its JIT).
 */
const PROBES = { count: 20, intervalMs: 500, warmUp: 5 };

/**
 * The fault scenarios (modelled on AWS FIS's Lambda actions plus dependency faults) and the load
 * scenarios. `after` values are seconds after the stack is up; fault scenarios place their orders
 * over ~12 s from then. A scenario with `load` has its own order count and offered rate
 * (`--orders` does not change it), a settle window, and is held to the re-send bound.
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
  // 14 orders/s for 60 s: over 10x the drain rate (1.25/s nominal, 1.22-1.27/s measured), for a
  // minute; then ~11 minutes of draining.
  {
    name: 'backlog: 10x the drain rate for 60 s, success rate 1',
    successRate: 1,
    base: BACKLOG,
    args: [],
    load: { orders: 840, rate: 14, probes: PROBES, settleSeconds: 1200 },
  },
  // Twice the stage's 50 requests/s (burst 100) for 10 s. A client that is throttled gives up, so
  // the row can show that nothing was stored for a 429.
  {
    name: 'API overload: 2x the stage throttle for 10 s',
    args: [],
    load: { orders: 1000, rate: 100, abandonThrottled: true, settleSeconds: 300 },
  },
  // The same backlog; DynamoDB Local frozen for 30 s from 30 s after start-up (20 s into the offering).
  {
    name: 'DynamoDB frozen 30 s in a backlog, success rate 1',
    successRate: 1,
    base: BACKLOG,
    args: ['--dynamodb-freeze', '30@30'],
    load: { orders: 840, rate: 14, probes: PROBES, settleSeconds: 1200 },
  },
];

/**
 * The backlog scaled down for npm test (~1.5 min): batches of 10 held 3 s (about 3 orders/s
 * drained), 180 orders offered at up to 32/s, a reconciler threshold of 10 s run every 2 s, so the
 * last orders wait in the queue five times the threshold (more than the 3 re-drives plus one
 * threshold after which the reconciler of age alone gives up). Not a row of the chaos table.
 */
const SHORT_BACKLOG = {
  name: 'short backlog, success rate 1',
  successRate: 1,
  base: [
    '--visibility-timeout', '8', '--reconcile-after', '10', '--reconcile-interval', '2',
    '--lambda-concurrency', '1', '--pollers', '1', '--lambda-fault', 'fulfill-order:delay=3000', '--quiet',
  ],
  args: [],
  load: { orders: 180, rate: 32, settleSeconds: 300 },
};

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Starts the stack on `dataDir` and resolves once its banner and state file are there. */
async function launch(dataDir, args, { fresh = true, timeoutMs = 120_000 } = {}) {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build it first (npx nx run local-stack:chaos builds what it needs)`);
  const child = spawn(
    process.execPath,
    [MAIN, '--data-dir', dataDir, '--port', '0', '--dynamodb-port', '0', '--sqs-port', '0', '--sfn-port', '0', '--cloudwatch-port', '0', ...(fresh ? ['--fresh'] : []), ...args],
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

/** The clients' Authorization header: a backend's token (client credentials), per stack, reused for its lifetime. */
const authorization = tokenSource();

/** One POST /order as a trusted backend; a network error (the stack being killed) is answered as status 0. */
async function post(state, body, key) {
  const started = performance.now();
  try {
    const header = await authorization(state);
    const response = await fetch(`${state.apiUrl}/order`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key, ...(header ? { authorization: header } : {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : {}, retryAfter: response.headers.get('retry-after'), ms: performance.now() - started };
  } catch {
    return { status: 0, body: {}, retryAfter: null, ms: performance.now() - started };
  }
}

/** Every item of a table; while DynamoDB Local is frozen or restarting (a fault under test), tries again. */
async function scanAll(ddb, table, deadline = Date.now() + 120_000, extra = {}) {
  for (;;) {
    try {
      return await scanOnce(ddb, table, extra);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(1000);
    }
  }
}

async function scanOnce(ddb, table, extra = {}) {
  const items = [];
  let ExclusiveStartKey;
  do {
    const page = await ddb.send(new ScanCommand({ TableName: table, ExclusiveStartKey, ConsistentRead: true, ...extra }), { abortSignal: AbortSignal.timeout(10_000) });
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

/** Messages order_queue holds however they wait: visible, in flight or delayed. */
async function queueDepth(sqs, queueUrl) {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
    { abortSignal: AbortSignal.timeout(2000) },
  );
  const n = (name) => Number(Attributes[name] ?? 0);
  // The local SQS counts in-flight messages in ApproximateNumberOfMessages too (libs/local-aws
  // sqs-server.ts); SQS does not, and there the depth is the sum of all three.
  return n('ApproximateNumberOfMessages') + n('ApproximateNumberOfMessagesDelayed');
}

/** Orders not yet terminal, counted by DynamoDB (a consistent Select COUNT scan). */
async function openOrderCount(ddb, table) {
  let count = 0;
  let ExclusiveStartKey;
  do {
    const page = await ddb.send(
      new ScanCommand({
        TableName: table,
        Select: 'COUNT',
        ConsistentRead: true,
        FilterExpression: 'NOT (#s IN (:f, :x, :r))',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':f': 'FULFILLED', ':x': 'FAILED', ':r': 'REJECTED' },
        ExclusiveStartKey,
      }),
      { abortSignal: AbortSignal.timeout(3000) },
    );
    count += page.Count ?? 0;
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return count;
}

/**
 * Samples order_queue's depth (and, with `countOpen`, the open orders right after it) every
 * `everyMs` until stopped. A sample a fault makes unreadable (DynamoDB frozen, SQS stalled, the
 * stack restarting) is kept as null, so it breaks a run of samples rather than faking one.
 */
function startSampler(currentState, { everyMs = 1000, countOpen = true } = {}) {
  const samples = [];
  let stopped = false;
  let clients;
  const clientsFor = (state) => {
    if (clients?.state !== state) {
      clients?.sqs.destroy();
      clients?.ddb.destroy();
      clients = {
        state,
        sqs: new SQSClient({ endpoint: state.endpoints.sqs, ...LOCAL, maxAttempts: 1 }),
        ddb: DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: state.endpoints.dynamodb, ...LOCAL, maxAttempts: 1 })),
      };
    }
    return clients;
  };
  const started = Date.now();
  const loop = (async () => {
    while (!stopped) {
      const next = Date.now() + everyMs;
      const state = currentState();
      let depth = null;
      let open = null;
      if (state) {
        const c = clientsFor(state);
        depth = await queueDepth(c.sqs, state.queueUrls.orderQueueUrl).catch(() => null);
        open = countOpen && depth !== null ? await openOrderCount(c.ddb, state.settings.tables.orders).catch(() => null) : null;
      }
      samples.push({ t: (Date.now() - started) / 1000, depth, open });
      if (next > Date.now()) await sleep(next - Date.now());
    }
  })();
  return {
    samples,
    async stop() {
      if (stopped) return loop;
      stopped = true;
      await loop;
      clients?.sqs.destroy();
      clients?.ddb.destroy();
    },
  };
}

/** Consecutive samples a surplus must last to count: a batch of orders that just ended is deleted from the queue within a second. */
const BOUND_SAMPLES = 3;

/**
 * The bound "order_queue never holds more messages than open orders plus 1 % of the orders",
 * checked on the samples: the largest number of messages over it that lasted BOUND_SAMPLES
 * samples in a row (0 = never over), and when. A message of an order that just ended stays until
 * its batch returns; a message sent twice stays until it is received.
 */
function queueBound(samples, orders) {
  const allowance = Math.floor(orders * 0.01);
  let over = 0;
  let at;
  for (let i = 0; i + BOUND_SAMPLES <= samples.length; i += 1) {
    const window = samples.slice(i, i + BOUND_SAMPLES);
    if (window.some((s) => s.depth === null || s.open === null || s.open === undefined)) continue;
    const surplus = Math.min(...window.map((s) => s.depth - s.open - allowance));
    if (surplus > over) {
      over = surplus;
      at = window[0];
    }
  }
  return { allowance, over, at };
}

/** Nearest-rank percentile of `values` (ms), rounded; undefined for none. */
function percentile(values, p) {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]);
}

/** FULFILLED orders per second from the end of the offering to the last fulfilment (the drain rate), or undefined. */
function drainRate(items, offerEndedAt) {
  const times = items
    .filter((o) => o.status === 'FULFILLED')
    .map((o) => Date.parse((o.status_history ?? []).find((c) => c.to === 'FULFILLED')?.at ?? ''))
    .filter((t) => Number.isFinite(t) && t > offerEndedAt)
    .sort((a, b) => a - b);
  if (times.length < 10) return undefined;
  return times.length / ((times[times.length - 1] - offerEndedAt) / 1000);
}

/** The longest an order waited from PENDING to FULFILLED, in seconds (how deep a backlog got), or undefined. */
function longestWait(items) {
  let longest;
  for (const o of items) {
    const history = o.status_history ?? [];
    const pending = Date.parse(history.find((c) => c.to === 'PENDING')?.at ?? '');
    const fulfilled = Date.parse(history.find((c) => c.to === 'FULFILLED')?.at ?? '');
    if (Number.isFinite(pending) && Number.isFinite(fulfilled)) longest = Math.max(longest ?? 0, (fulfilled - pending) / 1000);
  }
  return longest;
}

/**
 * Runs one scenario; resolves its row. `orders` logical orders (the scenario's `load.orders` if it
 * has one) are placed by `concurrency` clients, spread over `spreadMs` or at `load.rate` per second;
 * each is retried with its key (a 503 or no answer, and a 429 unless the scenario gives up on one)
 * up to 20 times. `hooks` (the soak): `onUp(state)` and `onSettled(state)` once the stack is up
 * and once every order is accounted for, `onPosted({ index, ms, status })` for each first answer.
 */
async function runScenario(
  scenario,
  { orders: defaultOrders = 200, concurrency: defaultConcurrency = 8, successRate = 0.7, spreadMs = 12_000, settleMs: defaultSettleMs = 240_000, sampleEveryMs = 1000, countOpen = true, hooks = {}, log = () => undefined } = {},
) {
  const started = performance.now();
  const load = scenario.load ?? {};
  const orders = load.orders ?? defaultOrders;
  // A load scenario offers open loop by default: a client per order, so a slow or frozen stack
  // cannot lower the rate offered.
  const concurrency = load.concurrency ?? (load.rate ? orders : defaultConcurrency);
  const settleMs = load.settleSeconds !== undefined ? load.settleSeconds * 1000 : defaultSettleMs;
  const spread = load.rate ? (orders / load.rate) * 1000 : spreadMs;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dofs-chaos-'));
  const args = [...(scenario.base ?? FAST), '--success-rate', String(scenario.successRate ?? successRate), ...(scenario.args ?? [])];
  let stack = await launch(dataDir, args);
  const ddbOf = (s) => DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: s.state.endpoints.dynamodb, ...LOCAL }));
  const run = `${Date.now().toString(36)}`;
  const accepted = new Map();
  const throttledAway = new Set();
  let refused = 0;
  let throttled = 0;
  let next = 0;
  let restarting;
  let down = false;
  const sampler = startSampler(() => (down ? undefined : stack.state), { everyMs: sampleEveryMs, countOpen });
  const probeMs = { idle: [], backlog: [] };
  let probesSent = 0;
  try {
    await authorization(stack.state); // the token first, so that no POST's latency includes it
    await hooks.onUp?.(stack.state);

    /**
     * Places one logical order until it is accepted: a 503 or no answer is retried after 1 s, a 429
     * after its Retry-After (1 s without one, as the deployed stage sends none), both with the
     * same key. With `abandonThrottled` a first answer 429 ends the order: nothing was stored.
     */
    const placeOne = async (index, key, customer, onFirst) => {
      const body = { customer_id: customer, items: SAMPLE_ITEMS, currency: 'USD' };
      for (let attempt = 1; attempt <= 20; attempt += 1) {
        if (restarting) await restarting;
        const response = await post(stack.state, body, key);
        if (attempt === 1) onFirst?.(response);
        if (response.status === 202) {
          accepted.set(response.body.order_id, index);
          return;
        }
        if (response.status === 429) {
          if (response.body.message !== 'Too Many Requests') throw new Error(`order ${index}: a 429 with the body ${JSON.stringify(response.body)}`);
          throttled += 1;
          if (load.abandonThrottled && attempt === 1) {
            throttledAway.add(customer);
            return;
          }
          await sleep(Number(response.retryAfter ?? '1') * 1000);
          continue;
        }
        if (response.status !== 503 && response.status !== 0) throw new Error(`order ${index}: answered ${response.status} ${JSON.stringify(response.body)}`);
        refused += 1;
        await sleep(1000);
      }
    };
    /** POSTs at a gentle pace (load.probes), one client: their first answers' latency. */
    const probe = async (phase, count = load.probes.count) => {
      const { intervalMs } = load.probes;
      for (let i = 0; i < count; i += 1) {
        const due = Date.now() + intervalMs;
        const index = orders + probesSent++;
        await placeOne(index, `chaos-${run}-probe-${index}`, `c-chaos-probe-${index}`, (r) => probeMs[phase]?.push(r.ms));
        if (due > Date.now()) await sleep(due - Date.now());
      }
    };

    if (load.probes) {
      await probe('warm-up', load.probes.warmUp ?? 0);
      await probe('idle');
    }
    const killAt = scenario.killAfterAccepted === undefined ? Infinity : Math.floor(orders * scenario.killAfterAccepted);
    // Orders arrive spread over `spread` from the start, so the faults (timed from the start) hit them in flight.
    const sendFrom = Date.now();
    let lastSentAt = sendFrom;
    const place = async () => {
      while (next < orders) {
        const index = next++;
        const due = sendFrom + (index * spread) / orders;
        if (due > Date.now()) await sleep(due - Date.now());
        lastSentAt = Math.max(lastSentAt, Date.now());
        await placeOne(index, `chaos-${run}-${index}`, `c-chaos-${index}`, (r) => hooks.onPosted?.({ index, ms: r.ms, status: r.status }));
        if (accepted.size >= killAt && !restarting) {
          log(`${scenario.name}: SIGKILL of the stack after ${accepted.size} accepted orders`);
          down = true;
          restarting = (async () => {
            await stop(stack, 'SIGKILL');
            stack = await launch(dataDir, args, { fresh: false });
            await authorization(stack.state).catch(() => undefined); // another port, another issuer: a new token
            down = false;
            log(`${scenario.name}: restarted on the same data`);
          })();
          await restarting;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, place));
    // Offered: first attempts, from the first to the last (retries are the clients' own load).
    const offerEndedAt = Date.now();
    const offeredSeconds = Math.max(1, lastSentAt - sendFrom) / 1000;
    if (load.probes) await probe('backlog');
    const sent = orders + probesSent;

    // Settle: every accepted order terminal, or the window passes (then what is left is stuck).
    // Polled on the status alone; the whole orders are read once at the end.
    const ddb = ddbOf(stack);
    const table = stack.state.settings.tables.orders;
    const pollMs = accepted.size > 2000 ? 5000 : 1000;
    const deadline = Date.now() + settleMs;
    for (;;) {
      const statuses = (await scanAll(ddb, table, undefined, { ProjectionExpression: 'order_id, #s', ExpressionAttributeNames: { '#s': 'status' } })).filter((o) =>
        accepted.has(o.order_id),
      );
      const open = statuses.filter((o) => !TERMINAL.has(o.status)).length + (accepted.size - statuses.length);
      if (open === 0 || Date.now() > deadline) break;
      await sleep(pollMs);
    }
    await sampler.stop();
    await hooks.onSettled?.(stack.state);
    const all = await scanAll(ddb, table);
    const items = all.filter((o) => accepted.has(o.order_id));
    const failedIds = new Set((await scanAll(ddb, stack.state.settings.tables.failedOrders)).map((f) => f.order_id));
    ddb.destroy();
    const byStatus = { FULFILLED: 0, FAILED: 0, REJECTED: 0 };
    for (const o of items) if (TERMINAL.has(o.status)) byStatus[o.status] += 1;
    const failed = items.filter((o) => o.status === 'FAILED');
    const dispatched = items.filter((o) => o.dispatch && typeof o.dispatch.seq === 'number');
    const bound = countOpen ? queueBound(sampler.samples, sent) : undefined;
    const depths = sampler.samples.map((s) => s.depth).filter((d) => d !== null);
    const row = {
      scenario: scenario.name,
      sent,
      accepted: accepted.size,
      refused,
      ...byStatus,
      lost: accepted.size - items.length,
      stuck: items.filter((o) => !TERMINAL.has(o.status)).length,
      doubleTransitions: items.filter(hasDoubleTransition).length,
      failedNotArchived: failed.filter((o) => !failedIds.has(o.order_id)).length,
      wronglyFailed: failed.filter((o) => o.status_reason?.code !== 'FULFILMENT_FAILED').length,
      // Re-drives the reconciler delivered (the orders' `redrives`), and messages sent again for an
      // order by anyone (reconciler, DLQ send-back, operator: its dispatch sequence beyond the first).
      reSent: items.reduce((sum, o) => sum + (Number(o.redrives) || 0), 0),
      reDispatched: dispatched.length === 0 ? '-' : dispatched.reduce((sum, o) => sum + Math.max(0, o.dispatch.seq - 1), 0),
      maxQueueDepth: depths.length === 0 ? '-' : Math.max(...depths),
      overBound: bound ? bound.over : '-',
      throttled,
      storedFor429: all.filter((o) => throttledAway.has(o.customer_id)).length,
      seconds: Math.round((performance.now() - started) / 1000),
      load: scenario.load
        ? {
            offeredPerSecond: (orders - 1) / offeredSeconds,
            offeredSeconds,
            drainPerSecond: drainRate(items, offerEndedAt),
            longestWaitSeconds: longestWait(items),
            reSentAllowed: Math.floor(sent * 0.01),
            bound,
            postP99: load.probes ? { idle: percentile(probeMs.idle, 99), backlog: percentile(probeMs.backlog, 99) } : undefined,
            postP50: load.probes ? { idle: percentile(probeMs.idle, 50), backlog: percentile(probeMs.backlog, 50) } : undefined,
          }
        : undefined,
    };
    // The queue samples, for a closer look (not printed, not in JSON.stringify(row)).
    Object.defineProperty(row, 'samples', { value: sampler.samples, enumerable: false });
    return row;
  } finally {
    if (restarting) await restarting.catch(() => undefined);
    await sampler.stop();
    await stop(stack);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * True when a row shows a lost, stuck, doubly moved, unarchived or wrongly failed order, nothing
 * accepted, an order stored for a 429, or (a load scenario) more re-sends than 1 % of the orders
 * or order_queue over its bound. A fault scenario shows both without being held to them: a real
 * loss is recovered by a re-send, and SQS delivers a message again when a fault held its delete.
 */
function isBad(row) {
  const n = (v) => (typeof v === 'number' ? v : 0);
  if (row.accepted === 0 || row.lost + row.stuck + row.doubleTransitions + row.failedNotArchived + row.wronglyFailed > 0) return true;
  if (n(row.storedFor429) > 0) return true;
  return row.load !== undefined && (n(row.reSent) > row.load.reSentAllowed || n(row.overBound) > 0);
}

/** True when the POST p99 while a backlog drained is over twice its idle figure (a flag, not a failure: it is a time). */
function intakeSlowed(row) {
  const p = row.load?.postP99;
  return p !== undefined && p.idle !== undefined && p.backlog !== undefined && p.backlog > 2 * p.idle;
}

module.exports = { SCENARIOS, SHORT_BACKLOG, runScenario, isBad, intakeSlowed, hasDoubleTransition, queueBound, percentile };
