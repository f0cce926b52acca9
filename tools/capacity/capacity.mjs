#!/usr/bin/env node
// npm run capacity: orders per second the deployment carries at AWS's default quotas, what binds
// first, what each step up needs, and the design's ceiling once quotas are raised.
//
//   node tools/capacity/capacity.mjs [--env-dir infra/envs/dev] [--json] [--target 5000] [--set name=value ...]
//   node tools/capacity/capacity.mjs --measure [--runs 200] [--warmup 30]   (build the five bundles first)
//   --set overrides an assumption (tools/capacity/assumptions.mjs, e.g. getsPerOrder=1), a read input
//   by path (e.g. api.rateLimit=5000, openOrderShards=16, fulfilment.successRate=1) or a quota
//   (quotas.lambdaConcurrentExecutions.value=3000) for a what-if.
//   --measure re-measures the warm handler durations into tools/capacity/durations.json.
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ASSUMPTIONS } from './assumptions.mjs';
import { readInputs } from './inputs.mjs';
import { capacity, inRegionMs, perRun, rampUp } from './model.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const option = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const overrides = process.argv.flatMap((arg, i) => (arg === '--set' ? [process.argv[i + 1]] : []));

if (process.argv.includes('--measure')) {
  const { measureToFile } = await import('./measure.mjs');
  const durations = await measureToFile({ runs: Number(option('runs') ?? 200), warmup: Number(option('warmup') ?? 30) });
  for (const [key, m] of Object.entries(durations.functions)) console.log(`${key.padEnd(18)} mean ${m.meanMs} ms, p50 ${m.p50Ms}, p90 ${m.p90Ms}, calls ${JSON.stringify(m.callsPerInvocation)}`);
  console.log('written to tools/capacity/durations.json');
  process.exit(0);
}

function parseValue(text) {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null') return null;
  return text;
}
/** Sets `a.b.c` (a `*` segment: every key) in `target`; throws on an unknown path so a typo is not silently ignored. */
function setPath(target, path, value) {
  const [head, ...rest] = path.split('.');
  for (const key of head === '*' ? Object.keys(target) : [head]) {
    if (!(key in target)) throw new Error(`--set ${path}: no such setting`);
    if (rest.length === 0) target[key] = value;
    else setPath(target[key], rest.join('.'), value);
  }
}

const { quotas: baseQuotas } = JSON.parse(readFileSync(join(here, 'quotas.json'), 'utf8'));
const durations = JSON.parse(readFileSync(join(here, 'durations.json'), 'utf8'));
const inputs = await readInputs(option('env-dir'));
const assumptions = structuredClone(ASSUMPTIONS);
const quotas = structuredClone(baseQuotas);
if (option('target')) assumptions.targetOrdersPerSecond = Number(option('target'));
for (const entry of overrides) {
  const [path, text] = entry.split('=');
  const value = parseValue(text);
  if (path.startsWith('quotas.')) setPath(quotas, path.slice('quotas.'.length), value);
  else if (path.split('.')[0] in assumptions) setPath(assumptions, path, value);
  else setPath(inputs, path, value);
}

const result = capacity(inputs, quotas, durations, assumptions);
const target = result.target;
const ramp = rampUp(result, inputs, quotas, target);
const run = perRun(inputs, quotas, assumptions);

if (process.argv.includes('--json')) {
  // JSON drops the `raise` functions; the text each one gives at the target is in `below[].needs`.
  const strip = (c) => JSON.parse(JSON.stringify(c));
  process.stdout.write(`${JSON.stringify({ ...result, list: result.list.map(strip), below: result.below.map(strip), design: { ...result.design, binding: strip(result.design.binding) }, ramp, perRun: run }, null, 2)}\n`);
  process.exit(0);
}

const n = (x, digits = 0) => (x === Infinity ? 'unlimited' : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const rate = (x) => `${n(Math.floor(x))}/s`;
const p = result.perOrder;
const readDates = [...new Set(Object.values(quotas).map((q) => q.recorded))].join(', ');
const loadNote = durations.machine ? `${durations.machine.cpus} cpus, load ${durations.machine.loadAverage1m}` : 'machine not recorded';

console.log(`Orders per second, ${relative(process.cwd(), inputs.envDir) || '.'} and infra/settings.json (${inputs.region}, state_machine_type ${inputs.stateMachine.type}),`);
console.log(`AWS default quotas tools/capacity/quotas.json (read ${readDates}), handler durations tools/capacity/durations.json`);
console.log(`(measured ${durations.measured}, ${loadNote}) plus each call's in-region cost (tools/capacity/assumptions.mjs).${overrides.length ? `\nOverridden: ${overrides.join(', ')}` : ''}`);
const lambdaSeconds = Object.values(p.seconds).reduce((s, v) => s + v, 0);
const invocations = Object.values(p.invocations).reduce((s, v) => s + v, 0);
console.log(
  `Per order: ${p.apiRequests} API request, ${n(invocations, 2)} Lambda invocations (${n(lambdaSeconds * 1000, 1)} ms), ${p.startExecutions} StartExecution, ` +
    `${n(p.writeUnits.orders_table, 2)} WRU on orders + ${n(p.writeUnits.idempotency_keys_table, 0)} on idempotency_keys + ${p.openIndexWrites} index writes, ` +
    `${n(p.receives, 2)} receives at success rate ${inputs.fulfilment.successRate}, ${n(p.inFlightSeconds.order_queue, 1)} s in flight on order_queue.`,
);

console.log('\nHandler durations, ms: warm mean measured locally -> in a Region (+ overhead + calls in sequence x their in-region cost):');
for (const [key, m] of Object.entries(durations.functions)) {
  const SERVICE = { dynamodb: 'DynamoDB', sfn: 'Step Functions', sqs: 'SQS' };
  const calls = Object.entries(m.callsPerInvocation).map(([s, c]) => `${n(c / m.records, 0)} ${SERVICE[s] ?? s}`).join(' + ');
  const what = m.records > 1 ? `a batch of ${m.records} records, concurrently, ${calls} call(s) each` : calls ? `${calls} call(s) in sequence` : 'no calls';
  console.log(`  ${key.padEnd(18)} ${n(m.meanMs, 1).padStart(7)} -> ${n(inRegionMs(m, assumptions), 1).padStart(6)}  ${what}`);
}

const big = (x) => (x >= 1e6 ? '> 1M/s' : rate(x));
const quotasNote = overrides.some((o) => o.startsWith('quotas.')) ? 'at the quotas as overridden' : 'at default quotas';
console.log(`\nDeployed, ${quotasNote} (every limit on the order path, lowest first):`);
console.log(`  ${'ceiling'.padStart(9)}  ${'limit'.padEnd(52)} ${'kind'.padEnd(7)} ${'capacity'.padStart(20)} ${'per order'.padStart(9)}  where`);
for (const c of result.list) {
  console.log(`  ${big(c.ceiling).padStart(9)}  ${c.label.padEnd(52)} ${c.kind.padEnd(7)} ${`${n(c.capacity)} ${c.unit}`.padStart(20)} ${n(c.demand, 3).padStart(9)}  ${c.where}`);
}
console.log(`\nBinds first: ${result.binding.label} (${result.binding.kind}). Deployed ceiling: ${n(Math.floor(result.ceiling))} orders/s.`);

console.log(`\nTo carry ${n(target)} orders/s, in the order they bind (each step, then the ceiling it leaves):`);
if (result.below.length === 0) console.log('  nothing: every limit is above it.');
result.below.forEach((c, i) => {
  const lifted = new Set(result.below.slice(0, i + 1).map((b) => b.id));
  const next = result.list.find((x) => !lifted.has(x.id));
  const reach = c.reachable ? '' : ' [no quota or setting of today lifts it]';
  console.log(`  ${i + 1}. ${c.label} (${rate(c.ceiling)}): ${c.needs.text}${reach}`);
  console.log(`     -> ${next.ceiling >= target ? `${n(target)} orders/s carried; next limit ${next.label} at ${big(next.ceiling)}` : `${rate(next.ceiling)}, bound by ${next.label}`}`);
});
const close = result.list.filter((c) => c.ceiling >= target && c.ceiling < target / 0.8);
for (const c of close) console.log(`  close: ${c.label} is ${n((100 * target) / c.ceiling)} % used at ${n(target)} orders/s (retries share it): ${c.raise(c.demand * target / 0.8)} keeps 20 % headroom.`);

const design = result.design;
const atDefaults = result.atDefaultQuotas;
console.log(`\nAt ${quotasNote === 'at default quotas' ? "AWS's default quotas" : 'the quotas as overridden'}, every setting of ours at its maximum: ${n(Math.floor(atDefaults.ceiling))} orders/s, bound by ${atDefaults.binding.label} (${atDefaults.binding.kind}).`);
console.log(`Design ceiling, every quota raised and every setting at its maximum: ${n(Math.floor(design.ceiling))} orders/s, bound by ${design.binding.label} (${design.binding.kind}).`);
if (design.ceiling < target) {
  const shardsNeeded = Math.ceil((p.openIndexWrites * target) / quotas.dynamodbPartitionWriteUnits.value);
  const shards = 2 ** Math.ceil(Math.log2(shardsNeeded));
  const wider = capacity({ ...inputs, openOrderShards: shards }, quotas, durations, assumptions);
  if (design.binding.id === 'ddb.open-orders') {
    const runsPerMonth = (30 * 24 * 3600) / Math.max(60, inputs.reconciler.intervalSeconds);
    const { prices } = JSON.parse(readFileSync(join(here, '../cost/prices.json'), 'utf8'));
    const queryUsd = (count) => count * runsPerMonth * 0.5 * (prices.dynamodbPerMillionReadRequestUnits.usd / 1e6);
    console.log(
      `  ${n(target)} orders/s needs a code change: OPEN_ORDER_SHARDS >= ${shardsNeeded} (libs/ddb-repo/src/orders-table.ts); with ${shards}: ${n(Math.floor(wider.design.ceiling))} orders/s, bound by ${wider.design.binding.label}.\n` +
        `  What it costs: the reconciler queries ${shards} partitions a run instead of ${inputs.openOrderShards} (at least 0.5 read unit each: ${n(queryUsd(shards), 2)} instead of ${n(queryUsd(inputs.openOrderShards), 2)} USD a month),\n` +
        `  maxOrdersPerRun ${n(inputs.reconciler.maxOrdersPerRun)} is shared by ${shards} shards (${n(Math.floor(inputs.reconciler.maxOrdersPerRun / shards))} keys each a run), and \`dofs orders list\` / \`dofs watch\` / the local\n` +
        `  dashboard read ${shards} partitions. Growing the count needs no migration if readers query every shard up to the new count: an open\n` +
        `  order keeps the open_shard it was written with until it ends, and 0..${inputs.openOrderShards - 1} are among 0..${shards - 1}.`,
    );
  }
}

console.log(`\nRamp-up from idle to ${n(target)} orders/s (AWS scaling rates, not ceilings):`);
console.log(`  Lambda: ${ramp.lambda.app} needs ${n(ramp.lambda.environments)} environments; +${n(quotas.lambdaScalingRate.value)} per function every 10 s: ~${ramp.lambda.seconds} s.`);
console.log(`  fulfill-order mapping: ${n(ramp.esm.batches)} concurrent batches; it starts at ${quotas.sqsEsmInitialConcurrentBatches.value} and adds ${quotas.sqsEsmScaleUpPerMinute.value} a minute: ~${n(ramp.esm.minutes, 1)} min.`);
console.log(
  `  DynamoDB orders: ${n(ramp.dynamodb.writeUnits)} WRU/s (its open-orders index ${n(ramp.dynamodb.indexWriteUnits)}); a new on-demand table or index serves ${n(ramp.dynamodb.warm)} at once\n` +
    `  (${rate(ramp.dynamodb.instantOrdersPerSecond)} orders) and then doubles its peak at most every 30 minutes (${ramp.dynamodb.doublings} doublings): pre-warm both before a launch\n` +
    `  (warm throughput: the warm_throughput block of aws_dynamodb_table and of its global_secondary_index).`,
);
console.log(`  API: bursts above the rate are absorbed up to the stage burst ${n(ramp.apiBurst.stage)} and the account's ${n(ramp.apiBurst.account)}; beyond, 429.`);

console.log('\nNot per order:');
console.log(`  reconciler CloudWatch GetMetricData: ${n(run.getMetricData.perSecond, 3)}/s of ${n(run.getMetricData.quota)}/s (${assumptions.getMetricDataPerRun} a run).`);
console.log(`  reconciler re-reads at most ${n(run.reconcilerKeysPerSecond, 0)} open-order keys/s (maxOrdersPerRun ${n(inputs.reconciler.maxOrdersPerRun)} a run): after an outage it works through the orders left open at that pace, whatever the intake rate.`);
