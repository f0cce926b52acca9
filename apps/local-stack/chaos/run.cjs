#!/usr/bin/env node
'use strict';
// npm run chaos [-- --orders 200] [--only <text>]: every fault and load scenario of
// chaos/scenarios.cjs, one table row each; exits 1 when any scenario lost, stranded, doubly moved,
// left unarchived or wrongly failed an order, stored one for a 429, or (a load scenario) re-sent
// more than 1 % of its orders or let order_queue grow over open orders + 1 % of them.
const { parseArgs } = require('node:util');
const { SCENARIOS, intakeSlowed, isBad, runScenario } = require('./scenarios.cjs');

const { values } = parseArgs({ options: { orders: { type: 'string', default: '200' }, only: { type: 'string' } } });
const orders = Number(values.orders);
if (!Number.isInteger(orders) || orders < 1) {
  console.error(`--orders must be a positive whole number (got "${values.orders}")`);
  process.exit(2);
}
const scenarios = SCENARIOS.filter((s) => !values.only || s.name.includes(values.only));
if (scenarios.length === 0) {
  console.error(`no scenario's name contains "${values.only}"`);
  process.exit(2);
}
/** [row key, width, heading]; the heading is the key where none is given. */
const COLUMNS = [
  ['scenario', 50],
  ['sent', 5],
  ['accepted', 8],
  ['refused', 7],
  ['FULFILLED', 9],
  ['FAILED', 6],
  ['REJECTED', 8],
  ['lost', 4],
  ['stuck', 5],
  ['doubleTransitions', 17],
  ['failedNotArchived', 17],
  ['wronglyFailed', 13],
  ['reSent', 7, 're-sent'],
  ['reDispatched', 13, 're-dispatched'],
  ['maxQueueDepth', 15, 'max queue depth'],
  ['overBound', 10, 'over bound'],
  ['throttled', 5, '429'],
  ['storedFor429', 10, 'stored 429'],
  ['postP99', 16, 'p99 idle/backlog'],
  ['seconds', 7],
];
const line = (row) => COLUMNS.map(([key, width], i) => (i === 0 ? String(row[key]).padEnd(width) : String(row[key] ?? '-').padStart(width))).join(' ');
const ms = (v) => (v === undefined ? '?' : String(v));

/** The row as printed: the POST p99 pair (ms) for a scenario with probes, `!` when the backlog's is over twice the idle one. */
function printable(row) {
  const p = row.load?.postP99;
  return { ...row, postP99: p ? `${ms(p.idle)}/${ms(p.backlog)}${intakeSlowed(row) ? '!' : ''}` : '-' };
}

/** One line under a load scenario's row: what was offered against what drained, the bounds, intake latency. */
function loadNote(row) {
  const l = row.load;
  const parts = [`offered ${l.offeredPerSecond.toFixed(1)} orders/s for ${Math.round(l.offeredSeconds)} s`];
  if (l.postP99 && l.drainPerSecond !== undefined) parts.push(`drained at ${l.drainPerSecond.toFixed(2)}/s (${(l.offeredPerSecond / l.drainPerSecond).toFixed(1)}x)`);
  if (l.longestWaitSeconds !== undefined) parts.push(`longest wait PENDING -> FULFILLED ${Math.round(l.longestWaitSeconds)} s`);
  parts.push(`re-sends allowed ${l.reSentAllowed}`);
  if (l.bound) {
    parts.push(
      l.bound.over > 0
        ? `order_queue over its bound by ${l.bound.over} at ${Math.round(l.bound.at.t)} s (${l.bound.at.depth} messages, ${l.bound.at.open} open orders, allowance ${l.bound.allowance})`
        : `order_queue within open orders + ${l.bound.allowance}`,
    );
  }
  if (l.postP99) {
    const flag = intakeSlowed(row) ? ': over 2x, intake depends on the backlog' : '';
    parts.push(`POST p50/p99 idle ${ms(l.postP50.idle)}/${ms(l.postP99.idle)} ms, while the backlog drained ${ms(l.postP50.backlog)}/${ms(l.postP99.backlog)} ms${flag}`);
  }
  return `  ${row.scenario}: ${parts.join('; ')}`;
}

(async () => {
  const started = Date.now();
  console.log(
    `chaos: ${scenarios.length} scenario(s); fault scenarios ${orders} orders each, default success rate 0.7 (refused = 503 or connection refused, ` +
      'retried by the client with its key; 429 = throttled by the API stage); load scenarios as they state',
  );
  console.log(line(Object.fromEntries(COLUMNS.map(([key, , heading]) => [key, heading ?? key]))));
  let bad = 0;
  let slowed = 0;
  const notes = [];
  for (const scenario of scenarios) {
    let row;
    try {
      row = await runScenario(scenario, { orders, log: (text) => console.error(`  ${text}`) });
    } catch (error) {
      console.log(`${scenario.name.padEnd(50)} could not run: ${error.message.split('\n')[0]}`);
      bad += 1;
      continue;
    }
    if (isBad(row)) bad += 1;
    if (intakeSlowed(row)) slowed += 1;
    console.log(line(printable(row)));
    if (row.load) notes.push(loadNote(row));
  }
  for (const note of notes) console.log(note);
  console.log(
    `chaos: ${scenarios.length - bad} of ${scenarios.length} scenario(s) clean in ${Math.round((Date.now() - started) / 1000)} s` +
      (slowed > 0 ? `; POST p99 over 2x its idle figure during ${slowed} backlog(s) (flagged with !, a time, not counted as unclean)` : ''),
  );
  process.exit(bad > 0 ? 1 : 0);
})();
