#!/usr/bin/env node
'use strict';
// npm run chaos [-- --orders 200] [--only <text>]: every fault scenario of chaos/scenarios.cjs,
// one table row each; exits 1 when any scenario lost, stranded, doubly moved, left unarchived or
// wrongly failed an order.
const { parseArgs } = require('node:util');
const { SCENARIOS, isBad, runScenario } = require('./scenarios.cjs');

const { values } = parseArgs({ options: { orders: { type: 'string', default: '200' }, only: { type: 'string' } } });
const orders = Number(values.orders);
if (!Number.isInteger(orders) || orders < 1) {
  console.error(`--orders must be a positive whole number (got "${values.orders}")`);
  process.exit(2);
}
const scenarios = SCENARIOS.filter((s) => !values.only || s.name.includes(values.only));
const COLUMNS = [
  ['scenario', 38],
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
  ['seconds', 7],
];
const line = (row) => COLUMNS.map(([key, width], i) => (i === 0 ? String(row[key]).padEnd(width) : String(row[key]).padStart(width))).join(' ');

(async () => {
  const started = Date.now();
  console.log(`chaos: ${scenarios.length} scenario(s), ${orders} orders each, default success rate 0.7 (refused = 503 or connection refused, retried by the client with its key)`);
  console.log(line(Object.fromEntries(COLUMNS.map(([key]) => [key, key]))));
  let bad = 0;
  for (const scenario of scenarios) {
    let row;
    try {
      row = await runScenario(scenario, { orders, log: (text) => console.error(`  ${text}`) });
    } catch (error) {
      console.log(`${scenario.name.padEnd(38)} could not run: ${error.message.split('\n')[0]}`);
      bad += 1;
      continue;
    }
    if (isBad(row)) bad += 1;
    console.log(line(row));
  }
  console.log(`chaos: ${scenarios.length - bad} of ${scenarios.length} scenario(s) clean in ${Math.round((Date.now() - started) / 1000)} s`);
  process.exit(bad > 0 ? 1 : 0);
})();
