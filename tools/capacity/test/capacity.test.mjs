// npm run capacity reads what Terraform deploys: these tests change one value in a copy of the
// infra folder (or of the measured durations) and check that the ceiling moves with it, by the
// amount the limit says. No AWS call, no timing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ASSUMPTIONS } from '../assumptions.mjs';
import { readInputs } from '../inputs.mjs';
import { capacity, constraints, inRegionMs, perOrder } from '../model.mjs';
import { ROOT } from '../../lib/terraform.mjs';

const { quotas } = JSON.parse(readFileSync(join(ROOT, 'tools/capacity/quotas.json'), 'utf8'));
const durations = JSON.parse(readFileSync(join(ROOT, 'tools/capacity/durations.json'), 'utf8'));
const settings = JSON.parse(readFileSync(join(ROOT, 'infra/settings.json'), 'utf8'));
const model = (inputs, d = durations, a = ASSUMPTIONS) => capacity(inputs, quotas, d, a);
const limit = (result, id) => {
  const found = result.list.find((c) => c.id === id);
  assert.ok(found, `no limit ${id} in ${result.list.map((c) => c.id).join(', ')}`);
  return found;
};
const close = (actual, expected, what) => assert.ok(Math.abs(actual - expected) <= 1e-6 * Math.max(1, Math.abs(expected)), `${what}: ${actual} is not ${expected}`);
/** The inputs with the API stage throttle out of the way, so the next limit shows. */
const unthrottled = (inputs) => ({ ...inputs, api: { ...inputs.api, rateLimit: inputs.api.rateLimitMaximum } });

let tmp;
/** A copy of infra/ (envs, modules, workflow, settings.json) whose files a test may edit. */
function copyInfra() {
  const dir = mkdtempSync(join(tmp, 'infra-'));
  const skipProviders = (source) => !source.includes('.terraform');
  for (const part of ['envs', 'modules', 'workflow', 'settings.json']) cpSync(join(ROOT, 'infra', part), join(dir, part), { recursive: true, filter: skipProviders });
  return { dir, env: join(dir, 'envs/dev') };
}
function edit(file, from, to) {
  const text = readFileSync(file, 'utf8');
  assert.ok(from.test(text), `${file} has no ${from}`);
  writeFileSync(file, text.replace(from, to));
}
const setVariableDefault = (copy, name, value) => edit(join(copy.env, 'variables.tf'), new RegExp(`(variable "${name}"[\\s\\S]*?default\\s*=\\s*)[^\\n]+`), `$1${value}`);
const FULFIL_MEMORY = /(memory_size\s*=\s*local\.settings\.functions\["fulfill-order"\]\.memoryMb\n)/;

before(() => {
  mkdirSync(join(ROOT, 'tmp'), { recursive: true });
  tmp = mkdtempSync(join(ROOT, 'tmp', 'capacity-test-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('inputs read from Terraform, infra/settings.json and the code', () => {
  it('are the deployed values', async () => {
    const inputs = await readInputs();
    const variables = readFileSync(join(ROOT, 'infra/envs/dev/variables.tf'), 'utf8');
    const rate = Number(/variable "api_throttling_rate_limit"[\s\S]*?default\s*=\s*(\d+)/.exec(variables)[1]);
    assert.equal(inputs.api.rateLimit, rate);
    assert.equal(inputs.api.rateLimitMaximum, 10000, 'the http-api module validation');
    assert.equal(inputs.functions['fulfill-order'].eventSource.batchSize, settings.eventSources.fulfillOrder.batchSize);
    assert.equal(inputs.functions['fulfill-order'].eventSource.maximumConcurrency, null);
    assert.equal(inputs.functions['api-handler'].reserved, null);
    assert.equal(inputs.queues.visibilityTimeoutSeconds, settings.queues.visibilityTimeoutSeconds);
    const constants = readFileSync(join(ROOT, 'libs/ddb-repo/src/orders-table.ts'), 'utf8');
    assert.equal(inputs.openOrderShards, Number(/OPEN_ORDER_SHARDS = (\d+)/.exec(constants)[1]));
    assert.deepEqual(inputs.tables.orders_table.globalSecondaryIndexes, ['open-orders']);
  });

  it('reads the shard count from the ddb-repo orders-table file', async () => {
    const file = join(tmp, 'constants.ts');
    writeFileSync(file, 'export const OPEN_ORDER_SHARDS = 12;\n');
    const inputs = await readInputs(undefined, { constantsFile: file });
    assert.equal(inputs.openOrderShards, 12);
    close(limit(model(inputs), 'ddb.open-orders').ceiling, (12 * 1000) / 2, 'open-orders ceiling');
  });
});

describe('the ceiling moves with the Terraform', () => {
  it('the API stage throttle: the deployed ceiling is the stage rate while it binds', async () => {
    const copy = copyInfra();
    setVariableDefault(copy, 'api_throttling_rate_limit', '20');
    const low = model(await readInputs(copy.env));
    assert.equal(low.binding.id, 'api.stage');
    assert.equal(low.ceiling, 20);
    setVariableDefault(copy, 'api_throttling_rate_limit', '10000');
    const high = model(await readInputs(copy.env));
    assert.notEqual(high.binding.id, 'api.stage');
    assert.ok(high.ceiling > 20);
    assert.equal(high.ceiling, Math.min(...high.list.map((c) => c.ceiling)));
  });

  it("a function's reserved concurrency becomes its own limit and leaves the account pool", async () => {
    const copy = copyInfra();
    const before = model(unthrottled(await readInputs(copy.env)));
    edit(join(copy.env, 'main.tf'), FULFIL_MEMORY, '$1  reserved_concurrent_executions = 3\n');
    const inputs = unthrottled(await readInputs(copy.env));
    assert.equal(inputs.functions['fulfill-order'].reserved, 3);
    const three = model(inputs);
    const reserved = limit(three, 'lambda.reserved.fulfill-order');
    assert.equal(three.binding.id, 'lambda.reserved.fulfill-order');
    close(three.ceiling, 3 / perOrder(inputs, durations, ASSUMPTIONS).seconds['fulfill-order'], 'reserved ceiling');
    assert.equal(limit(three, 'lambda.concurrency').capacity, limit(before, 'lambda.concurrency').capacity - 3);
    assert.ok(limit(three, 'lambda.concurrency').ceiling > limit(before, 'lambda.concurrency').ceiling, 'fulfill-order no longer draws on the pool');
    edit(join(copy.env, 'main.tf'), /reserved_concurrent_executions = 3/, 'reserved_concurrent_executions = 6');
    const six = model(unthrottled(await readInputs(copy.env)));
    close(limit(six, 'lambda.reserved.fulfill-order').ceiling, 2 * reserved.ceiling, 'twice the reservation, twice the ceiling');
  });

  it("the event source mapping's maximum concurrency caps fulfilment", async () => {
    const copy = copyInfra();
    const before = limit(model(await readInputs(copy.env)), 'esm.fulfill-order');
    assert.equal(before.kind, 'limit');
    assert.equal(before.capacity, quotas.sqsEsmMaxConcurrentBatches.value);
    edit(join(copy.env, 'main.tf'), /(maximum_batching_window_in_seconds = local\.settings\.eventSources\.fulfillOrder\.maximumBatchingWindowSeconds\n)/, '$1      maximum_concurrency                = 2\n');
    const inputs = unthrottled(await readInputs(copy.env));
    const capped = model(inputs);
    const esm = limit(capped, 'esm.fulfill-order');
    assert.equal(esm.kind, 'setting');
    assert.equal(esm.capacity, 2);
    close(esm.ceiling, (2 / before.capacity) * before.ceiling, 'ceiling in proportion to the maximum concurrency');
    assert.equal(capped.binding.id, 'esm.fulfill-order');
    assert.match(esm.raise(500), /maximum_concurrency = 500/);
    assert.match(esm.raise(2000), /provisioned mode/, 'past 1,000 the setting cannot go');
  });

  it('the workflow type and the Region move the Step Functions limit', async () => {
    const copy = copyInfra();
    assert.equal(limit(model(await readInputs(copy.env)), 'sfn.start').capacity, quotas.sfnExpressStartExecution.value);
    setVariableDefault(copy, 'state_machine_type', '"STANDARD"');
    const standard = model(unthrottled(await readInputs(copy.env)));
    assert.equal(standard.binding.id, 'sfn.start');
    assert.equal(standard.ceiling, quotas.sfnStandardStartExecution.value);
    close(limit(standard, 'sfn.transitions').ceiling, quotas.sfnStandardStateTransitions.value / 4, 'four state transitions per order (ASL)');
    setVariableDefault(copy, 'region', '"eu-central-1"');
    const elsewhere = model(unthrottled(await readInputs(copy.env)));
    assert.equal(limit(elsewhere, 'sfn.start').capacity, quotas.sfnStandardStartExecution.otherRegions.value);
  });

  it('the visibility timeout in infra/settings.json moves the in-flight limit', async () => {
    const copy = copyInfra();
    const before = limit(model(await readInputs(copy.env)), 'sqs.inflight.order_queue');
    const file = join(copy.dir, 'settings.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    json.queues.visibilityTimeoutSeconds *= 2;
    writeFileSync(file, JSON.stringify(json));
    const longer = limit(model(await readInputs(copy.env)), 'sqs.inflight.order_queue');
    assert.ok(longer.ceiling < 0.6 * before.ceiling, `${longer.ceiling} against ${before.ceiling}`);
    json.fulfillment.successRate = 1;
    writeFileSync(file, JSON.stringify(json));
    const noFailures = limit(model(await readInputs(copy.env)), 'sqs.inflight.order_queue');
    assert.ok(noFailures.ceiling > 100 * before.ceiling, 'without failed attempts a message is in flight only while its batch runs');
  });
});

describe('the model', () => {
  it('the open-orders index: two writes per order on shards x 1,000 WCU, and what the target needs', async () => {
    const inputs = await readInputs();
    const result = model(unthrottled(inputs));
    const index = limit(result, 'ddb.open-orders');
    close(index.ceiling, (inputs.openOrderShards * quotas.dynamodbPartitionWriteUnits.value) / 2, 'index ceiling');
    assert.equal(index.kind, 'code');
    const target = ASSUMPTIONS.targetOrdersPerSecond;
    if (index.ceiling < target) {
      assert.equal(result.design.binding.id, 'ddb.open-orders', 'no quota lifts a partition limit');
      assert.match(result.below.find((c) => c.id === 'ddb.open-orders').needs.text, new RegExp(`OPEN_ORDER_SHARDS >= ${Math.ceil((2 * target) / 1000)}`));
    }
    const doubled = model(unthrottled({ ...inputs, openOrderShards: 2 * inputs.openOrderShards }));
    close(limit(doubled, 'ddb.open-orders').ceiling, 2 * index.ceiling, 'twice the shards, twice the ceiling');
  });

  it('quota increases lift quotas, not hard limits or code', async () => {
    const inputs = await readInputs();
    const result = model(inputs);
    assert.ok(['limit', 'code', 'setting'].includes(result.design.binding.kind));
    assert.ok(result.design.ceiling >= result.ceiling);
    const more = structuredClone(quotas);
    more.lambdaConcurrentExecutions.value *= 2;
    const raised = capacity(unthrottled(inputs), more, durations, ASSUMPTIONS);
    close(limit(raised, 'lambda.rps').ceiling, 2 * limit(model(unthrottled(inputs)), 'lambda.rps').ceiling, 'the invocation rate follows the concurrency quota');
  });

  it('a slower handler lowers the concurrency ceiling in proportion to its share', async () => {
    const inputs = await readInputs();
    const slower = structuredClone(durations);
    slower.functions['api-handler:post'].meanMs += 1000;
    const base = limit(model(inputs), 'lambda.concurrency');
    const slow = limit(model(inputs, slower), 'lambda.concurrency');
    close(slow.demand - base.demand, 1, 'one more second of api-handler per order');
    close(slow.ceiling, base.capacity / slow.demand, 'concurrency / seconds per order');
  });

  it("adds each call's in-region cost once per call in sequence: a batch's records run concurrently", () => {
    const a = { ...ASSUMPTIONS, inRegionCallMs: { dynamodb: 10 }, invocationOverheadMs: 0 };
    assert.equal(inRegionMs({ meanMs: 5, records: 1, callsPerInvocation: { dynamodb: 2 } }, a), 25);
    assert.equal(inRegionMs({ meanMs: 5, records: 10, callsPerInvocation: { dynamodb: 20 } }, a), 25);
  });

  it('every limit has a ceiling, a kind and a way to raise it', async () => {
    const { list } = constraints(await readInputs(), quotas, durations, ASSUMPTIONS);
    for (const c of list) {
      assert.ok(c.ceiling > 0, c.id);
      assert.ok(['setting', 'quota', 'limit', 'code'].includes(c.kind), c.id);
      assert.equal(typeof c.raise(1000), 'string', c.id);
    }
  });
});

describe('the tables', () => {
  it('has a source and a date for every quota', () => {
    for (const [name, q] of Object.entries(quotas)) {
      assert.match(q.source, /^https:\/\/(docs\.aws\.amazon\.com|aws\.amazon\.com)\//, name);
      assert.match(q.recorded, /^\d{4}-\d{2}-\d{2}$/, name);
      assert.ok(q.value === null || typeof q.value === 'number', name);
    }
  });

  it('has a measured duration for every handler on the order path', () => {
    for (const key of ['api-handler:post', 'api-handler:get', 'validate-order', 'store-order', 'fulfill-order', 'dlq-handler']) {
      const m = durations.functions[key];
      assert.ok(m && m.meanMs > 0 && m.records >= 1 && m.callsPerInvocation, key);
    }
    assert.equal(durations.functions['fulfill-order'].records, settings.eventSources.fulfillOrder.batchSize, 'measured with the deployed batch size');
    assert.match(durations.measured, /^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('npm run capacity', () => {
  it('prints the deployed ceiling and what binds first, as the model computes them', async () => {
    const out = execFileSync(process.execPath, [join(ROOT, 'tools/capacity/capacity.mjs')], { cwd: ROOT, encoding: 'utf8' });
    const result = model(await readInputs());
    assert.match(out, new RegExp(`Binds first: ${result.binding.label.replace(/[()]/g, '\\$&')}`));
    assert.match(out, new RegExp(`Deployed ceiling: ${Math.floor(result.ceiling).toLocaleString('en-US')} orders/s`));
    const json = JSON.parse(execFileSync(process.execPath, [join(ROOT, 'tools/capacity/capacity.mjs'), '--json', '--set', 'api.rateLimit=7'], { cwd: ROOT, encoding: 'utf8' }));
    assert.equal(json.ceiling, 7);
  });
});
