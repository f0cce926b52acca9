#!/usr/bin/env node
// npm run cost: USD per million orders, one line per service and the total, for the dev defaults
// (Terraform's variable defaults and infra/settings.json) and for the other workflow type.
//
//   node tools/cost/cost.mjs [--env-dir infra/envs/dev] [--json] [--levers] [--set name=value ...]
//   --levers prints what each cost choice would save and what a user gives up for it.
//   --set overrides an assumption (tools/cost/assumptions.mjs, e.g. getsPerOrder=0) or a read
//   input by path (e.g. api.type=REST, stateMachine.logLevel=ERROR, sampling.fixedRate=0.01,
//   functions.*.tracingMode=PassThrough) for a what-if.
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ASSUMPTIONS, sampleItems } from './assumptions.mjs';
import { readInputs } from './inputs.mjs';
import { costPerMillion } from './model.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const GOAL_USD = 10;

function option(name) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const overrides = process.argv.flatMap((arg, i) => (arg === '--set' ? [process.argv[i + 1]] : []));

function parseValue(text) {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}

/** Sets `a.b.c` (a `*` segment: every key) in `target`; throws on an unknown path so a typo is not silently ignored. */
function setPath(target, path, value) {
  const [head, ...rest] = path.split('.');
  const keys = head === '*' ? Object.keys(target) : [head];
  for (const key of keys) {
    if (!(key in target)) throw new Error(`--set ${path}: no such setting`);
    if (rest.length === 0) target[key] = value;
    else setPath(target[key], rest.join('.'), value);
  }
}

function applyOverrides(inputs, assumptions, entries) {
  for (const entry of entries) {
    const [path, text] = entry.split('=');
    const value = parseValue(text);
    if (path.split('.')[0] in assumptions) setPath(assumptions, path, value);
    else setPath(inputs, path, value);
    if (path.startsWith('sampling.')) inputs.sampling.source = 'sampling set by --set';
  }
}

/**
 * --levers: each cost choice alone on top of the defaults with an EXPRESS workflow, then all of
 * them together; `where` says what would change (and whose file it is), `givesUp` what a user loses.
 * `exclude`: a choice already made the other way (the deployed default is the cheaper one): shown
 * as what going back would cost, left out of "all of them".
 */
const LEVERS = [
  { name: 'X-Ray: functions Active (was the default)', set: ['functions.*.tracingMode=Active'], where: 'infra/modules/lambda-function tracing_mode', givesUp: "(costs more: Lambda's fixed 1/s + 5 % sampling on every function, a trace per request and per batch)", exclude: true },
  { name: 'X-Ray: api-handler Active', set: ['functions.api-handler.tracingMode=Active'], where: 'tracing_mode of module api_handler (infra/envs/dev)', givesUp: "(costs more: Lambda samples 1/s + 5 %, every request at this volume; buys api-handler's own segment)", exclude: true },
  { name: 'REST API instead of HTTP (was the default)', set: ['api.type=REST'], where: 'infra/modules/http-api (was rest-api)', givesUp: '(costs more: 3.50 instead of 1.00 per million requests; buys edge validation, API keys, WAF, X-Ray at the stage)', exclude: true },
  { name: 'LOG_LEVEL info (was the default)', set: ['functions.*.logLevel=info'], where: 'variable log_level (infra/envs/dev)', givesUp: '(costs more: the per-request/record info lines of successes)', exclude: true },
  { name: 'Lambda Text logs with START/END/REPORT', set: ['functions.*.logFormat=Text', 'functions.*.systemLogLevel=INFO'], where: 'logging_config in infra/modules/lambda-function', givesUp: '(costs more: three platform lines per invocation, the REPORT lines Insights queries read)', exclude: true },
  { name: 'X-Ray: sampling rule 1 %, no reservoir', set: ['sampling.reservoirPerSecond=0', 'sampling.fixedRate=0.01'], where: 'aws_xray_sampling_rule in infra/envs/dev', givesUp: '1 order in 100 traced, not every one at low volume' },
  { name: 'workflow logs ERROR', set: ['stateMachine.logLevel=ERROR'], where: 'log_level of module order_workflow (infra/envs/dev)', givesUp: 'the step-by-step history of successful Express executions' },
  { name: 'a client GET per order', set: ['getsPerOrder=1'], where: 'clients polling the status once', givesUp: '(costs more: an API request, an invocation and a read)', exclude: true },
  { name: 'GSI key with the status (the former design)', set: ['gsiWritesPerStatusChange=2'], where: 'the sparse GSI design on orders', givesUp: '(costs more: the index rewritten on every status change)', exclude: true },
  { name: 'Idempotency-Key on half the orders', set: ['idempotencyKeyShare=0.5'], where: 'clients', givesUp: 'safe retries for the other half' },
  { name: 'memory 128 MB', set: ['functions.*.memoryMb=128'], where: 'infra/settings.json functions.*.memoryMb', givesUp: 'about twice the init and CPU-bound time (first order after a scale-out waits longer)' },
  { name: 'a backend token request per order', set: ['tokenRequestsPerOrder=1'], where: 'backends that do not cache their token', givesUp: '(costs more: a Cognito token request, 2.25 per thousand, for every order)', exclude: true },
];

function computeWith(entries, type) {
  const inputs = structuredClone(baseInputs);
  const assumptions = structuredClone(ASSUMPTIONS);
  applyOverrides(inputs, assumptions, entries);
  if (type) inputs.stateMachine.type = type;
  return { result: costPerMillion(inputs, prices, assumptions, sampleItems()), inputs, assumptions };
}

const { prices } = JSON.parse(readFileSync(join(here, 'prices.json'), 'utf8'));
const baseInputs = await readInputs(option('env-dir'));
const { result: defaults, inputs, assumptions } = computeWith(overrides);
const otherType = inputs.stateMachine.type === 'STANDARD' ? 'EXPRESS' : 'STANDARD';
const { result: other } = computeWith(overrides, otherType);

if (process.argv.includes('--levers')) {
  const usd = (n) => n.toFixed(2).padStart(7);
  const base = computeWith(overrides, 'EXPRESS').result.total;
  console.log(`Cost choices, each alone on top of the defaults with state_machine_type EXPRESS (${base.toFixed(2)} USD per million orders):\n`);
  console.log(`  ${'choice'.padEnd(42)} ${'total'.padStart(7)} ${'saves'.padStart(7)}  where / what a user gives up`);
  const all = [];
  for (const lever of LEVERS) {
    const total = computeWith([...overrides, ...lever.set], 'EXPRESS').result.total;
    if (!lever.exclude) all.push(...lever.set);
    console.log(`  ${lever.name.padEnd(42)} ${usd(total)} ${usd(base - total)}  ${lever.where} / ${lever.givesUp}`);
  }
  const together = computeWith([...overrides, ...all], 'EXPRESS').result;
  console.log(`  ${'all that save (not the "costs more" ones)'.padEnd(42)} ${usd(together.total)} ${usd(base - together.total)}`);
  for (const l of together.lines) console.log(`    ${l.service.padEnd(40)} ${usd(l.usd)}  ${l.usage}`);
  process.exit(0);
}

if (process.argv.includes('--json')) {
  process.stdout.write(`${JSON.stringify({ defaults, [otherType]: other }, null, 2)}\n`);
} else {
  const usd = (n) => n.toFixed(2).padStart(7);
  const print = (title, result) => {
    console.log(`\n${title}`);
    for (const l of result.lines) console.log(`  ${l.service.padEnd(26)} ${usd(l.usd)}  ${l.usage}`);
    const verdict = result.total <= GOAL_USD ? `goal <= ${GOAL_USD}: met` : `goal <= ${GOAL_USD}: over by ${(result.total - GOAL_USD).toFixed(2)}`;
    console.log(`  ${'total'.padEnd(26)} ${usd(result.total)}  ${verdict}`);
  };
  console.log(`USD per million orders, ${relative(process.cwd(), inputs.envDir) || '.'} and infra/settings.json, prices tools/cost/prices.json (us-east-1).`);
  console.log(
    `Assumed: ${assumptions.ordersPerMonth.toLocaleString('en-US')} orders a month (${defaults.orderRate.toFixed(2)}/s), ${assumptions.getsPerOrder} GET per order, ` +
      `${assumptions.idempotencyKeyShare * 100} % with an Idempotency-Key, fulfilment success ${inputs.fulfilment.successRate} -> ${defaults.outcome.receives.toFixed(2)} attempts per order, ` +
      `${(defaults.outcome.deadLettered * 100).toFixed(1)} % dead-lettered (tools/cost/assumptions.mjs).${overrides.length ? `\nOverridden: ${overrides.join(', ')}` : ''}`,
  );
  print(`dev defaults (state_machine_type ${inputs.stateMachine.type}):`, defaults);
  // A GET is priced on its own: the same model with one more GET per order, minus the defaults.
  const polled = computeWith([...overrides, `getsPerOrder=${assumptions.getsPerOrder + 1}`]).result;
  const perGet = polled.total - defaults.total;
  const polledVerdict = polled.total <= GOAL_USD ? 'within the goal' : `over the goal by ${(polled.total - GOAL_USD).toFixed(2)}`;
  console.log(`  ${'GET /orders/{id}'.padEnd(26)} ${usd(perGet)}  per million GETs, not in the total (API, Lambda, DynamoDB read, logs); with ${assumptions.getsPerOrder + 1} GET per order the total is ${polled.total.toFixed(2)}, ${polledVerdict}`);
  if (defaults.customerOrders) {
    const c = defaults.customerOrders;
    console.log(
      `  ${'orders by customers'.padEnd(26)} ${usd(c.usd)}  per million orders placed with a customer's own token, not in the total: Cognito ${c.tier} ${c.perMau} per monthly active user, ` +
        `${c.ordersPerActiveCustomer} orders per active customer a month (ordersPerActiveCustomer); user tokens are not billed one by one`,
    );
  }
  print(`with state_machine_type ${otherType}:`, other);
  console.log('\nFixed monthly, not per order:');
  for (const item of defaults.fixedMonthly) console.log(`  ${item.item.padEnd(36)} ${usd(item.usd)}`);
  const fixed = defaults.fixedMonthly.reduce((n, item) => n + item.usd, 0);
  console.log(`  ${'total'.padEnd(36)} ${usd(fixed)}  (free tiers ignored, as in prices.json)`);
}
