// npm run cost reads what Terraform deploys: these tests change one value in a copy of the infra
// folder and check that the figure moves with it. No AWS call, no timing.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ASSUMPTIONS, sampleItems } from '../assumptions.mjs';
import { readInputs } from '../inputs.mjs';
import { costPerMillion, fulfilmentOutcomes, itemBytes, pathLength, sampledShare } from '../model.mjs';
import { ROOT } from '../../lib/terraform.mjs';

const { prices } = JSON.parse(readFileSync(join(ROOT, 'tools/cost/prices.json'), 'utf8'));
const settings = JSON.parse(readFileSync(join(ROOT, 'infra/settings.json'), 'utf8'));
const cost = (inputs) => costPerMillion(inputs, prices, ASSUMPTIONS, sampleItems());
const line = (result, prefix) => result.lines.find((l) => l.service.startsWith(prefix));

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

before(() => {
  mkdirSync(join(ROOT, 'tmp'), { recursive: true });
  tmp = mkdtempSync(join(ROOT, 'tmp', 'cost-test-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('inputs read from Terraform and infra/settings.json', () => {
  it('are the deployed values', async () => {
    const inputs = await readInputs();
    for (const [app, fn] of Object.entries(settings.functions)) assert.equal(inputs.functions[app].memoryMb, fn.memoryMb, app);
    const variables = readFileSync(join(ROOT, 'infra/envs/dev/variables.tf'), 'utf8');
    const type = /variable "state_machine_type"[\s\S]*?default\s*=\s*"(\w+)"/.exec(variables)[1];
    assert.equal(inputs.stateMachine.type, type);
    assert.equal(inputs.functions['fulfill-order'].batchSize, settings.eventSources.fulfillOrder.batchSize);
    assert.equal(inputs.fulfilment.maxReceiveCount, settings.queues.maxReceiveCount);
    assert.equal(inputs.api.type, 'REST');
    assert.deepEqual(Object.keys(inputs.functions).sort(), Object.keys(settings.functions).sort());
  });

  it('the workflow type moves Step Functions and the total', async () => {
    const copy = copyInfra();
    const before = cost(await readInputs(copy.env));
    const type = before.stateMachineType;
    const other = type === 'STANDARD' ? 'EXPRESS' : 'STANDARD';
    edit(join(copy.env, 'variables.tf'), /(variable "state_machine_type"[\s\S]*?default\s*=\s*)"\w+"/, `$1"${other}"`);
    const changed = cost(await readInputs(copy.env));
    assert.equal(changed.stateMachineType, other);
    assert.ok(line(changed, `Step Functions ${other}`));
    assert.notEqual(changed.total, before.total);
    assert.equal(line(changed, 'DynamoDB').usd, line(before, 'DynamoDB').usd);
  });

  it('memory in settings.json moves Lambda', async () => {
    const copy = copyInfra();
    const before = cost(await readInputs(copy.env));
    const file = join(copy.dir, 'settings.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    json.functions['api-handler'].memoryMb *= 4;
    writeFileSync(file, JSON.stringify(json));
    const changed = cost(await readInputs(copy.env));
    assert.ok(line(changed, 'Lambda').usd > line(before, 'Lambda').usd);
  });

  it('the architecture and tracing defaults of the lambda-function module move Lambda and X-Ray', async () => {
    const copy = copyInfra();
    const before = cost(await readInputs(copy.env));
    const variables = join(copy.dir, 'modules/lambda-function/variables.tf');
    edit(variables, /default\s*=\s*\["arm64"\]/, 'default     = ["x86_64"]');
    const tracing = (await readInputs(copy.env)).functions['fulfill-order'].tracingMode;
    edit(variables, /(variable "tracing_mode"[\s\S]*?default\s*=\s*)"\w+"/, `$1"${tracing === 'Active' ? 'PassThrough' : 'Active'}"`);
    const changed = cost(await readInputs(copy.env));
    assert.ok(line(changed, 'Lambda').usd > line(before, 'Lambda').usd, 'x86_64 costs more than arm64');
    assert.notEqual(line(changed, 'X-Ray').usd, line(before, 'X-Ray').usd);
  });

  it('the fulfilment success rate in settings.json moves the per-order attempts', async () => {
    const copy = copyInfra();
    const before = cost(await readInputs(copy.env));
    const file = join(copy.dir, 'settings.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    json.fulfillment.successRate = 1;
    writeFileSync(file, JSON.stringify(json));
    const changed = cost(await readInputs(copy.env));
    assert.ok(line(changed, 'SQS').usd < line(before, 'SQS').usd);
    assert.ok(line(changed, 'DynamoDB').usd < line(before, 'DynamoDB').usd);
  });

  it("reads the environment's X-Ray sampling rule: without it the default rule samples every request at this volume", async () => {
    const copy = copyInfra();
    const withRule = cost(await readInputs(copy.env));
    const variables = join(copy.env, 'variables.tf');
    writeFileSync(variables, readFileSync(variables, 'utf8').replace(/(variable "xray_sampling_rate" \{[^}]*?default\s*=\s*)0\.01/s, '$10.5'));
    const halfSampled = cost(await readInputs(copy.env));
    assert.ok(line(halfSampled, 'X-Ray').usd > 10 * line(withRule, 'X-Ray').usd);
    rmSync(join(copy.env, 'tracing.tf'));
    const defaultRule = cost(await readInputs(copy.env));
    assert.ok(line(defaultRule, 'X-Ray').usd > 10 * line(withRule, 'X-Ray').usd);
  });
});

describe('the model', () => {
  it('counts the workflow states of an accepted and a rejected order from the ASL', async () => {
    const { stateMachine } = await readInputs();
    // ValidateOrder, CheckVerdict, StoreOrder, EnqueueOrder / ValidateOrder, CheckVerdict, StoreRejectedOrder, OrderRejected
    assert.equal(pathLength(stateMachine.definition), 4);
    assert.equal(pathLength(stateMachine.definition, { rejected: true }), 4);
  });

  it('prices Standard by state transition and Express by request and duration', async () => {
    const inputs = await readInputs();
    const standard = cost({ ...inputs, stateMachine: { ...inputs.stateMachine, type: 'STANDARD' } });
    const express = cost({ ...inputs, stateMachine: { ...inputs.stateMachine, type: 'EXPRESS' } });
    assert.equal(line(standard, 'Step Functions').usd.toFixed(2), (4 * 25).toFixed(2));
    assert.ok(line(express, 'Step Functions').usd > 1 && line(express, 'Step Functions').usd < 1.5);
  });

  it('samples all of a trickle and about the fixed rate of a flood', () => {
    const rule = { reservoirPerSecond: 1, fixedRate: 0.05 };
    assert.equal(sampledShare(0.5, rule), 1);
    assert.ok(Math.abs(sampledShare(1000, rule) - 0.05) < 0.001);
  });

  it('expects (1 - (1-p)^n) / p attempts and (1-p)^n dead letters', () => {
    const o = fulfilmentOutcomes({ successRate: 0.7, maxReceiveCount: 3 });
    assert.ok(Math.abs(o.deadLettered - 0.027) < 1e-9);
    assert.ok(Math.abs(o.receives - 1.39) < 1e-9);
  });

  it('sizes DynamoDB items by attribute names and values', () => {
    assert.equal(itemBytes({ a: 'xyz' }), 3 + 1 + 1 + 3);
    assert.ok(itemBytes(sampleItems().fulfilled) < 1024, 'a one-line order fits in one write unit');
  });

  it('has a source and a date for every price', () => {
    for (const [name, p] of Object.entries(prices)) {
      assert.match(p.source, /^https:\/\/aws\.amazon\.com\//, name);
      assert.match(p.recorded, /^\d{4}-\d{2}-\d{2}$/, name);
      assert.equal(typeof p.usd, 'number', name);
    }
  });
});
