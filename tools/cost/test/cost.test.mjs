// npm run cost reads what Terraform deploys: these tests change one value in a copy of the infra
// folder and check that the figure moves with it. No AWS call, no timing.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ASSUMPTIONS, sampleItems } from '../assumptions.mjs';
import { readInputs } from '../inputs.mjs';
import { accessLogLineBytes, costPerMillion, fulfilmentOutcomes, itemBytes, lambdaKeeps, pathLength, sampledShare } from '../model.mjs';
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
    assert.equal(inputs.api.type, 'HTTP');
    assert.equal(inputs.tables.orders_table.globalSecondaryIndexes, 1, 'the open-orders index of the module call');
    assert.equal(inputs.functions['api-handler'].logFormat, 'JSON');
    assert.equal(inputs.functions['api-handler'].systemLogLevel, 'WARN');
    assert.equal(inputs.dashboards, 1);
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
  it('the API module moves API Gateway: a REST API costs 3.50 a request instead of 1.00', async () => {
    const copy = copyInfra();
    const before = cost(await readInputs(copy.env));
    // One request an order (POST; GETs are priced on their own).
    assert.equal(line(before, 'API Gateway HTTP').usd.toFixed(2), (1 * 1).toFixed(2));
    renameSync(join(copy.dir, 'modules/http-api'), join(copy.dir, 'modules/rest-api'));
    edit(join(copy.env, 'main.tf'), /source = "\.\.\/\.\.\/modules\/http-api"/, 'source = "../../modules/rest-api"');
    const changed = cost(await readInputs(copy.env));
    assert.equal(line(changed, 'API Gateway REST').usd.toFixed(2), (1 * 3.5).toFixed(2));
    assert.ok(changed.total > before.total + 2.4);
  });

  it('the Lambda log format moves CloudWatch Logs: Text (or JSON at system INFO) adds START/END/REPORT lines', async () => {
    const copy = copyInfra();
    const before = cost(await readInputs(copy.env));
    const main = join(copy.dir, 'modules/lambda-function/main.tf');
    edit(main, /system_log_level\s*=\s*"WARN"/, 'system_log_level      = "INFO"');
    const systemInfo = cost(await readInputs(copy.env));
    assert.ok(line(systemInfo, 'CloudWatch Logs').usd > line(before, 'CloudWatch Logs').usd + 0.5);
    edit(main, /log_format\s*=\s*"JSON"/, 'log_format            = "Text"');
    const text = cost(await readInputs(copy.env));
    assert.equal((await readInputs(copy.env)).functions['fulfill-order'].logFormat, 'Text');
    assert.ok(line(text, 'CloudWatch Logs').usd > line(before, 'CloudWatch Logs').usd + 0.5);
  });

  it('an application log level above INFO drops the EMF lines (and with them the business metrics)', async () => {
    const copy = copyInfra();
    const before = cost(await readInputs(copy.env));
    edit(join(copy.dir, 'modules/lambda-function/main.tf'), /application_log_level\s*=\s*"INFO"/, 'application_log_level = "WARN"');
    const changed = cost(await readInputs(copy.env));
    assert.ok(line(changed, 'CloudWatch Logs').usd < line(before, 'CloudWatch Logs').usd);
    assert.match(line(changed, 'CloudWatch Logs').usage, /of which EMF 0\.0/);
  });

  it('reads the GSI count from the orders_table module call and the access log line from the stage format', async () => {
    const copy = copyInfra();
    const before = cost(await readInputs(copy.env));
    edit(join(copy.env, 'main.tf'), /global_secondary_indexes = \[[\s\S]*?\n {2}\]\n/, '');
    const noIndex = cost(await readInputs(copy.env));
    assert.equal((await readInputs(copy.env)).tables.orders_table.globalSecondaryIndexes, 0);
    assert.ok(line(noIndex, 'DynamoDB').usd < line(before, 'DynamoDB').usd);
    edit(join(copy.dir, 'modules/http-api/main.tf'), /\n\s*integrationError\s*=\s*"\$context\.integrationErrorMessage"/, '');
    const shorter = cost(await readInputs(copy.env));
    assert.ok(line(shorter, 'CloudWatch Logs').usd < line(before, 'CloudWatch Logs').usd);
  });
});

describe('metrics and fixed monthly items', () => {
  it('prices every custom metric the code emits and the dashboard', async () => {
    const inputs = await readInputs();
    assert.deepEqual(inputs.metrics.custom, [
      'api-handler/OrdersAccepted',
      'dlq-handler/OrdersFailed',
      'fulfill-order/FulfilmentAttempts',
      'fulfill-order/IntakeToTerminalMs',
      'fulfill-order/OrdersFulfilled',
      'reconcile-orders/AwaitingQueue',
      'reconcile-orders/GaveUp',
      'reconcile-orders/RedriveErrors',
      'reconcile-orders/Redriven',
      'reconcile-orders/Requeued',
      'reconcile-orders/Scanned',
      'store-order/OrdersRejected',
    ]);
    const fixed = cost(inputs).fixedMonthly;
    assert.equal(fixed.find((f) => f.item.includes('custom metrics')).usd.toFixed(2), (12 * 0.3).toFixed(2));
    assert.equal(fixed.find((f) => f.item.includes('dashboard')).usd.toFixed(2), '3.00');
  });

  it('sizes EMF lines with the real writer: a Timestamp, the namespace, the service dimension and the values', async () => {
    const { emfLineBytes } = (await readInputs()).metrics;
    const expected = JSON.stringify({
      _aws: { Timestamp: 1764590400000, CloudWatchMetrics: [{ Namespace: 'DOFS', Dimensions: [['service']], Metrics: [{ Name: 'OrdersAccepted', Unit: 'Count' }] }] },
      service: 'api-handler',
      OrdersAccepted: 1,
    });
    assert.equal(emfLineBytes.apiAccepted, Buffer.byteLength(expected));
    assert.ok(emfLineBytes.fulfilSuccess > emfLineBytes.fulfilFailure);
  });

  it('renders the access log format with the representative values; Lambda keeps INFO lines only at INFO or below', () => {
    assert.equal(accessLogLineBytes({ a: '$context.status' }, { '$context.status': '202' }), Buffer.byteLength('{"a":"202"}'));
    assert.throws(() => accessLogLineBytes({ a: '$context.unknown' }, {}), /no representative value/);
    assert.equal(lambdaKeeps('INFO', 'INFO'), true);
    assert.equal(lambdaKeeps('INFO', 'WARN'), false);
  });
});

describe('the identity provider', () => {
  const fixedItem = (result, prefix) => result.fixedMonthly.find((f) => f.item.startsWith(prefix));

  it('reads the Cognito user pool, its client-credentials client and the token lifetime from the identity module', async () => {
    const { identity } = await readInputs();
    assert.deepEqual(identity, { provider: 'cognito', module: 'identity', userPoolTier: 'LITE', machineClients: 1, customerClients: 1, tokenLifetimeMinutes: 60 });
  });

  it('prices the M2M client and the cached tokens (720 a month per caller) as fixed monthly items, nothing per order: the total stays within 10', async () => {
    const result = cost(await readInputs());
    assert.equal(fixedItem(result, 'Cognito M2M app client').usd.toFixed(2), '6.00');
    // 24 x 30 token requests at 2.25 per thousand.
    assert.match(fixedItem(result, 'Cognito M2M tokens').item, /1 x 720/);
    assert.equal(fixedItem(result, 'Cognito M2M tokens').usd.toFixed(2), (720 * 2.25 / 1000).toFixed(2));
    assert.equal(line(result, 'Cognito').usd, 0);
    assert.ok(result.total <= 10, `total ${result.total}`);
    // A backend that fetches a token for every order pays 2.25 per thousand orders.
    const uncached = costPerMillion(await readInputs(), prices, { ...ASSUMPTIONS, tokenRequestsPerOrder: 1 }, sampleItems());
    assert.equal(line(uncached, 'Cognito').usd.toFixed(2), '2250.00');
    // Ten token caches (processes) ask ten times as often.
    const fleet = costPerMillion(await readInputs(), prices, { ...ASSUMPTIONS, machineTokenCallers: 10 }, sampleItems());
    assert.equal(fixedItem(fleet, 'Cognito M2M tokens').usd.toFixed(2), '16.20');
  });

  it('prices an order placed with a customer\'s own token by monthly active user at the pool\'s feature plan, not in the total', async () => {
    const copy = copyInfra();
    const lite = cost(await readInputs(copy.env));
    assert.deepEqual(lite.customerOrders, { usd: (0.0055 * 1_000_000) / 2, tier: 'LITE', perMau: 0.0055, ordersPerActiveCustomer: 2 });
    assert.equal(lite.customerOrders.usd.toFixed(2), '2750.00');
    edit(join(copy.dir, 'modules/identity/variables.tf'), /(variable "user_pool_tier"[\s\S]*?default\s*=\s*)"LITE"/, '$1"ESSENTIALS"');
    const essentials = cost(await readInputs(copy.env));
    assert.equal(essentials.customerOrders.usd.toFixed(2), '7500.00');
    assert.equal(essentials.total, lite.total);
  });

  it('reads the token lifetime from the app client: 30 minutes doubles the token requests', async () => {
    const copy = copyInfra();
    edit(join(copy.dir, 'modules/identity/variables.tf'), /(variable "access_token_validity_minutes"[\s\S]*?default\s*=\s*)60/, '$130');
    const inputs = await readInputs(copy.env);
    assert.equal(inputs.identity.tokenLifetimeMinutes, 30);
    assert.equal(fixedItem(cost(inputs), 'Cognito M2M tokens').usd.toFixed(2), '3.24');
  });

  it('prices no Cognito without the identity module, and leaves an external issuer to its provider', async () => {
    const copy = copyInfra();
    edit(join(copy.env, 'variables.tf'), /(variable "jwt_issuer" \{[\s\S]*?default\s*=\s*)null/, '$1"https://issuer.example.com/"');
    const external = cost(await readInputs(copy.env));
    assert.equal(line(external, 'identity provider (external)').usd, 0);
    assert.equal(line(external, 'Cognito'), undefined);
    assert.equal(fixedItem(external, 'Cognito'), undefined);
    const removed = copyInfra();
    edit(join(removed.env, 'main.tf'), /\nmodule "identity" \{[\s\S]*?\n\}\n/, '\n');
    const none = cost(await readInputs(removed.env));
    assert.equal((await readInputs(removed.env)).identity, null);
    assert.equal(line(none, 'Cognito'), undefined);
    assert.equal(fixedItem(none, 'Cognito'), undefined);
    assert.equal(none.customerOrders, undefined);
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
