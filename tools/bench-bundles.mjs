#!/usr/bin/env node
// Cold-start benchmark of the built Lambda bundles (a measurement, not a test).
//
// For each app it copies dist/apps/<app>/main.js into a temporary folder outside the workspace and
// runs it in fresh `node` processes whose only resolvable packages are `@aws-sdk/*` (NODE_PATH
// points at a folder holding nothing else, as on the Lambda nodejs22.x runtime), against DynamoDB
// Local (started here through libs/local-aws) and a stand-in Step Functions endpoint. Each process
// loads the bundle (load time), invokes it once with a realistic event (first-invoke time) and
// reports what the handler answered.
//
// Next to each bundle it runs a bare handler in the same way: the same @aws-sdk imports and clients,
// making the same SDK calls for the event, but none of our code (no middy, no validation, no logs).
// The difference is what our code costs at cold start.
//
//   node tools/bench-bundles.mjs [--runs 5] [--apps api-handler,fulfill-order] [--dist dist]
// Build first: npx nx run-many -t build -p api-handler,validate-order,store-order,fulfill-order,dlq-handler
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ALL_APPS = ['api-handler', 'validate-order', 'store-order', 'fulfill-order', 'dlq-handler'];
const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:dofs-order-workflow';

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const runs = Math.max(1, Number(option('runs', '5')));
const apps = option('apps', ALL_APPS.join(',')).split(',').filter(Boolean);
const dist = resolve(root, option('dist', 'dist'));
const bundlePath = (app) => join(dist, 'apps', app, 'main.js');
for (const app of apps) {
  if (!ALL_APPS.includes(app)) throw new Error(`unknown app ${app}`);
  if (!existsSync(bundlePath(app))) {
    console.error(`${bundlePath(app)} is missing: build first (npx nx run-many -t build -p ${ALL_APPS.join(',')})`);
    process.exit(2);
  }
}

const newOrderId = () => `ord_${randomBytes(16).toString('hex')}`;
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

// ---------------------------------------------------------------------------------------------
// Local AWS: DynamoDB Local through libs/local-aws (bundled on the fly: it is TypeScript), and a
// minimal Step Functions endpoint (StartExecution only) for api-handler.

async function loadLocalAws(workDir) {
  const outfile = join(workDir, 'local-aws.mjs');
  await build({ entryPoints: [join(root, 'libs/local-aws/src/index.ts')], bundle: true, format: 'esm', platform: 'node', packages: 'external', outfile, logLevel: 'error' });
  return import(pathToFileURL(outfile).href);
}

async function startFakeSfn() {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ executionArn: `${String(body.stateMachineArn).replace(':stateMachine:', ':execution:')}:${body.name}`, startDate: Date.now() / 1000 }));
    });
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return { endpoint: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((done) => server.close(done)) };
}

// ---------------------------------------------------------------------------------------------
// Events (built fresh for every run) and the data they need.

const orderRequest = () => ({ customer_id: 'c-bench', items: [{ sku: 'SKU-1', quantity: 2, unit_price_cents: 1999 }], currency: 'USD' });

function storedOrder(orderId, status, extra = {}) {
  const now = new Date().toISOString();
  return { order_id: orderId, ...orderRequest(), total_cents: 3998, status, attempts: 0, request_hash: 'bench', correlation_id: 'corr-bench', created_at: now, updated_at: now, ...extra };
}

function sqsEvent(orderId, receiveCount, queue) {
  const body = JSON.stringify({ order_id: orderId, correlation_id: 'corr-bench' });
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: 'AQEBbench',
        body,
        attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: String(Date.now()), SenderId: 'bench', ApproximateFirstReceiveTimestamp: String(Date.now()) },
        messageAttributes: { correlation_id: { dataType: 'String', stringValue: 'corr-bench', stringListValues: [], binaryListValues: [] } },
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:us-east-1:123456789012:${queue}`,
        awsRegion: 'us-east-1',
      },
    ],
  };
}

/** app -> (docClient, lib) => { event, orderId } ; seeds DynamoDB as the event needs. */
const SCENARIOS = {
  'api-handler': async () => ({
    event: {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/order',
      rawQueryString: '',
      headers: { 'content-type': 'application/json', 'x-correlation-id': 'corr-bench' },
      requestContext: { accountId: '123456789012', apiId: 'bench', domainName: 'bench', domainPrefix: 'bench', http: { method: 'POST', path: '/order', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' }, requestId: randomUUID(), routeKey: '$default', stage: '$default', time: '', timeEpoch: Date.now() },
      body: JSON.stringify(orderRequest()),
      isBase64Encoded: false,
    },
    orderId: newOrderId(),
  }),
  'validate-order': async () => {
    const orderId = newOrderId();
    return { event: { order_id: orderId, correlation_id: 'corr-bench', request_hash: 'bench', idempotency_key: null, received_at: new Date().toISOString(), order: orderRequest() }, orderId };
  },
  'store-order': async () => {
    const orderId = newOrderId();
    const execution = { order_id: orderId, correlation_id: 'corr-bench', request_hash: 'bench', idempotency_key: null, received_at: new Date().toISOString(), order: orderRequest(), validated: { order: orderRequest(), total_cents: 3998 } };
    return { event: { action: 'store', execution }, orderId };
  },
  'fulfill-order': async (ddb, lib, tables) => {
    const orderId = newOrderId();
    await ddb.send(new lib.PutCommand({ TableName: tables.orders, Item: storedOrder(orderId, 'PENDING') }));
    return { event: sqsEvent(orderId, 1, 'order_queue'), orderId };
  },
  'dlq-handler': async (ddb, lib, tables) => {
    const orderId = newOrderId();
    await ddb.send(new lib.PutCommand({ TableName: tables.orders, Item: storedOrder(orderId, 'RETRYING', { attempts: 3, last_error: 'simulated fulfilment failure on attempt 3' }) }));
    return { event: sqsEvent(orderId, 4, 'order_dlq'), orderId };
  },
};

// ---------------------------------------------------------------------------------------------
// Bare handlers: the same SDK imports and clients, the same SDK calls, none of our code.

const BARE = {
  'api-handler': `
const { SFNClient, StartExecutionCommand } = require('@aws-sdk/client-sfn');
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient } = require('@aws-sdk/lib-dynamodb');
const sfn = new SFNClient({});
DynamoDBDocumentClient.from(new DynamoDBClient({}));
exports.handler = async (event) => {
  const order = JSON.parse(event.body);
  const name = 'ord_' + require('node:crypto').randomBytes(16).toString('hex');
  await sfn.send(new StartExecutionCommand({ stateMachineArn: process.env.STATE_MACHINE_ARN, name, input: JSON.stringify({ order_id: name, order }) }));
  return { statusCode: 202, headers: {}, body: JSON.stringify({ order_id: name, status: 'ACCEPTED' }) };
};`,
  'validate-order': `
exports.handler = async (event) => ({ order: event.order, total_cents: event.order.items.reduce((t, i) => t + i.quantity * i.unit_price_cents, 0) });`,
  'store-order': `
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, PutCommand } = require('@aws-sdk/lib-dynamodb');
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
exports.handler = async (event) => {
  const e = event.execution; const now = new Date().toISOString();
  await ddb.send(new PutCommand({ TableName: process.env.ORDERS_TABLE, Item: { order_id: e.order_id, ...e.validated.order, total_cents: e.validated.total_cents, status: 'PENDING', attempts: 0, request_hash: e.request_hash, created_at: now, updated_at: now }, ConditionExpression: 'attribute_not_exists(order_id)' }));
  return { message: { order_id: e.order_id, correlation_id: e.correlation_id } };
};`,
  'fulfill-order': `
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, GetCommand, UpdateCommand } = require('@aws-sdk/lib-dynamodb');
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
exports.handler = async (event) => {
  for (const r of event.Records) {
    const { order_id } = JSON.parse(r.body);
    const { Item } = await ddb.send(new GetCommand({ TableName: process.env.ORDERS_TABLE, Key: { order_id }, ConsistentRead: true }));
    await ddb.send(new UpdateCommand({ TableName: process.env.ORDERS_TABLE, Key: { order_id }, UpdateExpression: 'SET #s = :to', ConditionExpression: '#s = :from', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':to': 'FULFILLED', ':from': Item.status } }));
  }
  return { batchItemFailures: [] };
};`,
  'dlq-handler': `
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } = require('@aws-sdk/lib-dynamodb');
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
exports.handler = async (event) => {
  for (const r of event.Records) {
    const { order_id } = JSON.parse(r.body);
    const { Item } = await ddb.send(new GetCommand({ TableName: process.env.ORDERS_TABLE, Key: { order_id }, ConsistentRead: true }));
    await ddb.send(new TransactWriteCommand({ TransactItems: [
      { Put: { TableName: process.env.FAILED_ORDERS_TABLE, Item: { order_id, message_id: r.messageId, original_message: r.body, attempts: 4, reason: Item.last_error, failed_at: new Date().toISOString() }, ConditionExpression: 'attribute_not_exists(order_id)' } },
      { Update: { TableName: process.env.ORDERS_TABLE, Key: { order_id }, UpdateExpression: 'SET #s = :failed', ConditionExpression: '#s IN (:p, :r)', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':failed': 'FAILED', ':p': 'PENDING', ':r': 'RETRYING' } } },
    ] }));
  }
  return { batchItemFailures: [] };
};`,
};

// ---------------------------------------------------------------------------------------------
// The child process: load the module, invoke it once, report.

const RUNNER = `
const { performance } = require('node:perf_hooks');
const { readFileSync } = require('node:fs');
const [modulePath, eventPath] = process.argv.slice(2);
const report = (result) => process.stdout.write('\\nBENCH_RESULT ' + JSON.stringify(result) + '\\n');
(async () => {
  const isolated = ['typebox', '@middy/core', '@dofs/order-domain'].every((name) => { try { require.resolve(name, { paths: [require('node:path').dirname(modulePath)] }); return false; } catch { return true; } });
  const event = JSON.parse(readFileSync(eventPath, 'utf8'));
  // Node creates process.stdout lazily (~5 ms of stream modules) on first use; the Lambda runtime
  // has used it before any handler runs, so it must not be charged to the first log line here.
  void process.stdout;
  const context = { awsRequestId: 'bench-' + process.pid, functionName: 'bench', functionVersion: '$LATEST', memoryLimitInMB: '256', getRemainingTimeInMillis: () => 10000 };
  const t0 = performance.now();
  const mod = require(modulePath);
  const loadMs = performance.now() - t0;
  const t1 = performance.now();
  let answer;
  try { answer = await mod.handler(event, context); } catch (error) { answer = { thrown: error && error.name, message: error && error.message }; }
  const firstInvokeMs = performance.now() - t1;
  report({ loadMs, firstInvokeMs, isolated, answer });
})().catch((error) => { report({ error: String(error && error.stack || error) }); process.exitCode = 1; });
`;

function describeAnswer(app, answer) {
  if (!answer) return 'no answer';
  if (answer.thrown) return `threw ${answer.thrown}`;
  if (app === 'api-handler') return `HTTP ${answer.statusCode}`;
  if (app === 'validate-order') return `total_cents ${answer.total_cents}`;
  if (app === 'store-order') return answer.message ? 'stored, message returned' : JSON.stringify(answer).slice(0, 60);
  return `batchItemFailures ${JSON.stringify(answer.batchItemFailures ?? answer)}`;
}

// Asynchronous on purpose: the stand-in Step Functions endpoint lives in this process and must answer the child.
const execFileAsync = promisify(execFile);

async function runChild(dir, module, eventFile, env) {
  const { stdout: output } = await execFileAsync(process.execPath, [join(dir, 'runner.cjs'), join(dir, module), eventFile], { cwd: dir, env, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, timeout: 60_000 });
  const line = output.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (!line) throw new Error(`no result from ${module}:\n${output.slice(-2000)}`);
  const result = JSON.parse(line.slice('BENCH_RESULT '.length));
  if (result.error) throw new Error(`${module} failed: ${result.error}`);
  return result;
}

async function main() {
  const workDir = mkdtempSync(join(root, 'tmp', 'bench-bundles-'));
  const outside = mkdtempSync(join(tmpdir(), 'dofs-bench-'));
  let localAws;
  let sfn;
  try {
    const lib = await loadLocalAws(workDir);
    console.log('starting DynamoDB Local ...');
    localAws = await lib.startLocalAws({ sqs: false });
    sfn = await startFakeSfn();
    const ddbModule = await import(pathToFileURL(join(root, 'node_modules/@aws-sdk/client-dynamodb/dist-cjs/index.js')).href);
    const docModule = await import(pathToFileURL(join(root, 'node_modules/@aws-sdk/lib-dynamodb/dist-cjs/index.js')).href);
    const ddb = docModule.DynamoDBDocumentClient.from(new ddbModule.DynamoDBClient({ endpoint: localAws.env.AWS_ENDPOINT_URL_DYNAMODB, region: localAws.env.AWS_REGION, credentials: { accessKeyId: localAws.env.AWS_ACCESS_KEY_ID, secretAccessKey: localAws.env.AWS_SECRET_ACCESS_KEY } }));
    const tables = { orders: localAws.env.ORDERS_TABLE, failedOrders: localAws.env.FAILED_ORDERS_TABLE };

    // Only @aws-sdk/* is resolvable: NODE_PATH -> a folder holding just a link to it.
    const sdkModules = join(outside, 'sdk', 'node_modules');
    mkdirSync(sdkModules, { recursive: true });
    symlinkSync(join(root, 'node_modules', '@aws-sdk'), join(sdkModules, '@aws-sdk'), 'dir');
    const env = {
      PATH: process.env.PATH,
      NODE_PATH: sdkModules,
      ...localAws.env,
      AWS_ENDPOINT_URL_SFN: sfn.endpoint,
      STATE_MACHINE_ARN,
      FULFILLMENT_SUCCESS_RATE: '1',
      LOG_LEVEL: 'info',
      // The SDK's Node 20 end-of-support warning would otherwise go to stderr on every run.
      NODE_NO_WARNINGS: '1',
    };

    const rows = [];
    for (const app of apps) {
      const dir = join(outside, app);
      mkdirSync(dir, { recursive: true });
      copyFileSync(bundlePath(app), join(dir, 'main.js'));
      writeFileSync(join(dir, 'bare.js'), BARE[app]);
      writeFileSync(join(dir, 'runner.cjs'), RUNNER);
      const samples = { main: { load: [], first: [] }, bare: { load: [], first: [] } };
      let answer;
      let isolated = true;
      for (let run = 0; run < runs; run += 1) {
        for (const module of ['main.js', 'bare.js']) {
          const { event } = await SCENARIOS[app](ddb, docModule, tables);
          const eventFile = join(dir, `event-${module}-${run}.json`);
          writeFileSync(eventFile, JSON.stringify(event));
          const result = await runChild(dir, module, eventFile, env);
          const key = module === 'main.js' ? 'main' : 'bare';
          samples[key].load.push(result.loadMs);
          samples[key].first.push(result.firstInvokeMs);
          if (key === 'main') {
            answer = describeAnswer(app, result.answer);
            isolated &&= result.isolated;
          }
        }
      }
      rows.push({
        app,
        bytes: statSync(join(dir, 'main.js')).size,
        load: median(samples.main.load),
        bareLoad: median(samples.bare.load),
        first: median(samples.main.first),
        bareFirst: median(samples.bare.first),
        answer,
        isolated,
      });
    }
    ddb.destroy();

    const fmt = (ms) => ms.toFixed(1).padStart(7);
    const delta = (a, b) => `${a - b >= 0 ? '+' : ''}${(a - b).toFixed(1)}`.padStart(7);
    console.log(`\nNode ${process.version}; median of ${runs} fresh process(es) per module; only @aws-sdk/* resolvable (bundle isolation checked).`);
    console.log('bare = same @aws-sdk imports, clients and SDK calls for the event, no DOFS code.\n');
    console.log(`${'app'.padEnd(15)} ${'bytes'.padStart(7)} | ${'load ms'.padStart(7)} ${'bare'.padStart(7)} ${'delta'.padStart(7)} | ${'1st inv'.padStart(7)} ${'bare'.padStart(7)} ${'delta'.padStart(7)} | answer`);
    for (const r of rows) {
      console.log(
        `${r.app.padEnd(15)} ${String(r.bytes).padStart(7)} | ${fmt(r.load)} ${fmt(r.bareLoad)} ${delta(r.load, r.bareLoad)} | ${fmt(r.first)} ${fmt(r.bareFirst)} ${delta(r.first, r.bareFirst)} | ${r.answer}${r.isolated ? '' : ' (NOT isolated: a bundled dependency resolved from outside)'}`,
      );
    }
  } finally {
    await sfn?.close();
    await localAws?.stop();
    rmSync(outside, { recursive: true, force: true });
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
