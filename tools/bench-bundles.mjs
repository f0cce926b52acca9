#!/usr/bin/env node
// Cold-start benchmark of the built Lambda bundles (a measurement, not a test).
//
// For each app it copies dist/apps/<app>/main.js into a temporary folder outside the workspace and
// runs it in fresh `node` processes whose only resolvable packages are `@aws-sdk/*` (NODE_PATH
// points at a folder holding nothing else, as on the Lambda nodejs22.x runtime), against DynamoDB
// Local (started here through libs/local-aws) and a stand-in Step Functions endpoint. Each process
// gets the environment Terraform gives that function (read from infra/envs/dev with
// @cdktf/hcl2json: its environment_variables, memory size, name; table names and the state machine
// ARN point at the local stand-ins) plus the variables the Lambda runtime sets. It loads the bundle
// (init), invokes it once with a realistic event (first invoke) and reports what the handler answered.
//
// Next to each bundle it runs a bare handler in the same way, alternating the two: the same
// @aws-sdk imports and clients, making the same SDK calls for the event, but none of our code (no
// middy, no validation, no logs). The difference is what our code costs at cold start. Loading the
// SDK itself (~100 ms, the same for both) dominates a load and, on a shared machine, its noise
// hides ours; so each process first requires the bare handler's @aws-sdk packages (timed: "SDK"),
// then the module ("init": our module-level work and client construction, the goal's figure).
// "load" = SDK + init, what a fresh Lambda environment pays.
//
//   node tools/bench-bundles.mjs [--runs 15] [--apps api-handler,fulfill-order] [--dist dist] [--probes]
//   --probes adds rows for candidate imports measured against the bare api-handler (e.g. a
//   bundled @smithy/node-http-handler for SDK timeouts).
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
import { functionEnvironment, functionModules, loadEnvironment, evaluate } from './lib/terraform.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ALL_APPS = ['api-handler', 'validate-order', 'store-order', 'fulfill-order', 'dlq-handler'];
const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:dofs-order-workflow';

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const runs = Math.max(1, Number(option('runs', '15')));
const withProbes = process.argv.includes('--probes');
/** Goals (issue 10): bundle bytes minified, and init ms above the bare module. */
const GOALS = { bytes: 50 * 1024, initMs: 10 };
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
  return { order_id: orderId, ...orderRequest(), total_cents: 3998, status, attempts: 0, request_hash: 'bench', correlation_id: 'corr-bench', received_at: now, status_history: [{ to: 'RECEIVED', at: now, by: 'api-handler' }], created_at: now, updated_at: now, ...extra };
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

/** A trusted backend's access-token claims as API Gateway passes them (every value a string). */
function backendClaims() {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: 'bench-backend', iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_bench', client_id: 'bench-backend', token_use: 'access',
    scope: 'orders/write orders/read orders/act-for-customers', auth_time: String(now), iat: String(now), exp: String(now + 3600), jti: randomUUID(),
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
      requestContext: {
        accountId: '123456789012', apiId: 'bench', domainName: 'bench', domainPrefix: 'bench', http: { method: 'POST', path: '/order', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' }, requestId: randomUUID(), routeKey: '$default', stage: '$default', time: '', timeEpoch: Date.now(),
        // What the JWT authorizer passes for a trusted backend's token (payload 2.0: authorizer.jwt).
        authorizer: { jwt: { claims: backendClaims(), scopes: ['orders/write', 'orders/read', 'orders/act-for-customers'] } },
      },
      body: JSON.stringify(orderRequest()),
      isBase64Encoded: false,
    },
    orderId: newOrderId(),
  }),
  'validate-order': async () => {
    const orderId = newOrderId();
    return { event: { order_id: orderId, correlation_id: 'corr-bench', request_hash: 'bench', received_at: new Date().toISOString(), order: orderRequest() }, orderId };
  },
  'store-order': async (ddb, lib, tables) => {
    const orderId = newOrderId();
    await ddb.send(new lib.PutCommand({ TableName: tables.orders, Item: storedOrder(orderId, 'RECEIVED') }));
    const execution = { order_id: orderId, correlation_id: 'corr-bench', request_hash: 'bench', received_at: new Date().toISOString(), order: orderRequest(), verdict: { valid: true, order: orderRequest(), total_cents: 3998 } };
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
const { PutCommand } = require('@aws-sdk/lib-dynamodb');
const sfn = new SFNClient({});
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
exports.handler = async (event) => {
  const order = JSON.parse(event.body);
  const name = 'ord_' + require('node:crypto').randomBytes(16).toString('hex');
  const now = new Date().toISOString();
  await ddb.send(new PutCommand({ TableName: process.env.ORDERS_TABLE, Item: { order_id: name, ...order, status: 'RECEIVED', received_at: now }, ConditionExpression: 'attribute_not_exists(order_id)' }));
  await sfn.send(new StartExecutionCommand({ stateMachineArn: process.env.STATE_MACHINE_ARN, name, input: JSON.stringify({ order_id: name, order }) }));
  return { statusCode: 202, headers: {}, body: JSON.stringify({ order_id: name, status: 'RECEIVED' }) };
};`,
  'validate-order': `
exports.handler = async (event) => ({ order: event.order, total_cents: event.order.items.reduce((t, i) => t + i.quantity * i.unit_price_cents, 0) });`,
  'store-order': `
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, UpdateCommand } = require('@aws-sdk/lib-dynamodb');
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
exports.handler = async (event) => {
  const e = event.execution; const now = new Date().toISOString();
  await ddb.send(new UpdateCommand({ TableName: process.env.ORDERS_TABLE, Key: { order_id: e.order_id }, UpdateExpression: 'SET #s = :to, total_cents = :t, updated_at = :now', ConditionExpression: '#s = :from', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':to': 'PENDING', ':from': 'RECEIVED', ':t': e.verdict.total_cents, ':now': now } }));
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
const { SQSClient } = require('@aws-sdk/client-sqs');
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
new SQSClient({}); // dlq-handler sends orders whose processing failed back to order_queue
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

/**
 * --probes: the bare api-handler with one change each, bundled as the apps are (esbuild, minified,
 * `@aws-sdk/*` external), to price an import before the handlers take it.
 */
const PROBES = {
  'probe: NodeHttpHandler import': BARE['api-handler']
    .replace("const sfn = new SFNClient({});", "const { NodeHttpHandler } = require('@smithy/node-http-handler');\nconst sfn = new SFNClient({ requestHandler: new NodeHttpHandler({ connectionTimeout: 1000, requestTimeout: 3000 }) });"),
  'probe: requestHandler options': BARE['api-handler']
    .replace("const sfn = new SFNClient({});", "const sfn = new SFNClient({ requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 } });"),
};

async function buildProbe(source, outfile) {
  await build({ stdin: { contents: source, resolveDir: root, loader: 'js' }, bundle: true, platform: 'node', target: 'node22', format: 'cjs', minify: true, external: ['@aws-sdk/*'], outfile, logLevel: 'error' });
}

// ---------------------------------------------------------------------------------------------
// The child process: load the module, invoke it once, report.

const RUNNER = `
const { performance } = require('node:perf_hooks');
const { readFileSync } = require('node:fs');
const [modulePath, eventPath, preload] = process.argv.slice(2);
const report = (result) => process.stdout.write('\\nBENCH_RESULT ' + JSON.stringify(result) + '\\n');
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
(async () => {
  const isolated = ['typebox', '@middy/core', '@dofs/order-domain'].every((name) => { try { require.resolve(name, { paths: [require('node:path').dirname(modulePath)] }); return false; } catch { return true; } });
  const event = JSON.parse(readFileSync(eventPath, 'utf8'));
  // Node creates process.stdout lazily (~5 ms of stream modules) on first use; the Lambda runtime
  // has used it before any handler runs, so it must not be charged to the first log line here.
  void process.stdout;
  const context = { awsRequestId: 'bench-' + process.pid, functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, functionVersion: '$LATEST', memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, getRemainingTimeInMillis: () => 10000 };
  const t0 = performance.now();
  for (const name of preload ? preload.split(',') : []) require(name);
  const sdkMs = performance.now() - t0;
  const c1 = cpuMs();
  const t1 = performance.now();
  const mod = require(modulePath);
  const initMs = performance.now() - t1;
  const initCpuMs = cpuMs() - c1;
  const t2 = performance.now();
  let answer;
  try { answer = await mod.handler(event, context); } catch (error) { answer = { thrown: error && error.name, message: error && error.message }; }
  const firstInvokeMs = performance.now() - t2;
  report({ sdkMs, initMs, initCpuMs, firstInvokeMs, isolated, answer });
})().catch((error) => { report({ error: String(error && error.stack || error) }); process.exitCode = 1; });
`;

/** The @aws-sdk packages a bare handler requires (what each process loads before the module). */
const sdkPackagesOf = (source) => [...new Set([...source.matchAll(/require\('(@aws-sdk\/[^']+)'\)/g)].map((m) => m[1]))];

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

async function runChild(dir, module, eventFile, env, preload) {
  const { stdout: output } = await execFileAsync(process.execPath, [join(dir, 'runner.cjs'), join(dir, module), eventFile, preload.join(',')], { cwd: dir, env, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, timeout: 60_000 });
  const line = output.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (!line) throw new Error(`no result from ${module}:\n${output.slice(-2000)}`);
  const result = JSON.parse(line.slice('BENCH_RESULT '.length));
  if (result.error) throw new Error(`${module} failed: ${result.error}`);
  // What the module wrote to stdout besides the result: its log lines (CloudWatch Logs volume).
  const logLines = output.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('BENCH_RESULT '));
  return { ...result, logLines: logLines.length, logBytes: logLines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0) };
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
    // What Terraform gives each function (infra/envs/dev), with the module outputs it cannot know
    // offline answered by the local stand-ins.
    const terraform = await loadEnvironment();
    const outputs = {
      'module.orders_table.name': tables.orders,
      'module.failed_orders_table.name': tables.failedOrders,
      'module.order_workflow.state_machine_arn': STATE_MACHINE_ARN,
      'module.idempotency_keys_table.name': localAws.env.IDEMPOTENCY_TABLE,
      // No SQS server here: the scenarios below never send (dlq-handler's order failed a whole round).
      'module.order_queue.queue_url': 'http://127.0.0.1:1/000000000000/order_queue',
      'module.order_queue.dead_letter_queue_url': 'http://127.0.0.1:1/000000000000/order_dlq',
    };
    const lookup = (ref) => {
      if (ref in outputs) return outputs[ref];
      throw new Error(`tools/bench-bundles.mjs has no local value for ${ref} (a function's environment in infra/envs/dev): add it to outputs`);
    };
    const envFor = (app, dir) => {
      const module = functionModules(terraform)[app];
      const memory = String(evaluate(module.call.memory_size, terraform));
      return {
        PATH: process.env.PATH,
        NODE_PATH: sdkModules,
        ...localAws.env,
        AWS_ENDPOINT_URL_SFN: sfn.endpoint,
        // Set by the Lambda runtime (nodejs22.x, Text log format, X-Ray active).
        AWS_LAMBDA_FUNCTION_NAME: evaluate(module.call.function_name, terraform),
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: memory,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
        AWS_LAMBDA_LOG_FORMAT: 'Text',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        AWS_SESSION_TOKEN: 'bench-session-token',
        AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
        _X_AMZN_TRACE_ID: 'Root=1-5e1b4151-5ac6c58f5a7e3b5d1e1f0c2a;Parent=53995c3f42cd8ad8;Sampled=1',
        _HANDLER: 'main.handler',
        LAMBDA_TASK_ROOT: dir,
        TZ: ':UTC',
        ...functionEnvironment(terraform, app, lookup),
        // The SDK's Node 20 end-of-support warning would otherwise go to stderr on every run.
        NODE_NO_WARNINGS: '1',
      };
    };

    // Pairs to measure: each app's bundle against its bare handler, and (--probes) candidate
    // imports against the bare api-handler.
    const pairs = apps.map((app) => ({ name: app, scenario: app, main: (dir) => copyFileSync(bundlePath(app), join(dir, 'main.js')), bare: BARE[app] }));
    if (withProbes) {
      for (const [name, source] of Object.entries(PROBES)) {
        pairs.push({ name, scenario: 'api-handler', probe: true, main: (dir) => buildProbe(source, join(dir, 'main.js')), bare: BARE['api-handler'] });
      }
    }

    const rows = [];
    for (const pair of pairs) {
      const dir = join(outside, pair.name.replace(/[^\w.-]+/g, '_'));
      mkdirSync(dir, { recursive: true });
      await pair.main(dir);
      writeFileSync(join(dir, 'bare.js'), pair.bare);
      writeFileSync(join(dir, 'runner.cjs'), RUNNER);
      const env = envFor(pair.scenario, dir);
      const preload = sdkPackagesOf(pair.bare);
      const samples = { main: { sdk: [], init: [], cpu: [], load: [], first: [] }, bare: { sdk: [], init: [], cpu: [], load: [], first: [] } };
      let answer;
      let logs;
      let isolated = true;
      for (let run = 0; run < runs; run += 1) {
        // Alternate which goes first, so neither always runs just after DynamoDB Local's GC or the previous app.
        const order = run % 2 === 0 ? ['main.js', 'bare.js'] : ['bare.js', 'main.js'];
        for (const module of order) {
          const { event } = await SCENARIOS[pair.scenario](ddb, docModule, tables);
          const eventFile = join(dir, `event-${module}-${run}.json`);
          writeFileSync(eventFile, JSON.stringify(event));
          const result = await runChild(dir, module, eventFile, env, preload);
          const key = module === 'main.js' ? 'main' : 'bare';
          samples[key].sdk.push(result.sdkMs);
          samples[key].init.push(result.initMs);
          samples[key].cpu.push(result.initCpuMs);
          samples[key].load.push(result.sdkMs + result.initMs);
          samples[key].first.push(result.firstInvokeMs);
          if (key === 'main') {
            logs = { lines: result.logLines, bytes: result.logBytes };
            answer = describeAnswer(pair.scenario, result.answer);
            isolated &&= result.isolated;
          }
        }
      }
      const m = (key, what) => median(samples[key][what]);
      rows.push({
        app: pair.name,
        probe: Boolean(pair.probe),
        bytes: statSync(join(dir, 'main.js')).size,
        init: m('main', 'init'),
        bareInit: m('bare', 'init'),
        // Median of the per-pair differences: steadier than the difference of medians.
        initDelta: median(samples.main.init.map((v, i) => v - samples.bare.init[i])),
        cpuDelta: median(samples.main.cpu.map((v, i) => v - samples.bare.cpu[i])),
        load: m('main', 'load'),
        bareLoad: m('bare', 'load'),
        first: m('main', 'first'),
        bareFirst: m('bare', 'first'),
        answer,
        logs,
        isolated,
      });
    }
    ddb.destroy();

    const fmt = (ms) => ms.toFixed(1).padStart(7);
    const signed = (d) => `${d >= 0 ? '+' : ''}${d.toFixed(1)}`.padStart(7);
    const delta = (a, b) => signed(a - b);
    const verdict = (ok) => (ok ? 'ok' : 'OVER');
    console.log(`\nNode ${process.version}; median of ${runs} alternating pair(s) of fresh processes per module; only @aws-sdk/* resolvable (bundle isolation checked);`);
    console.log('each function with the environment Terraform gives it (infra/envs/dev). bare = same @aws-sdk imports, clients and SDK calls, no DOFS code.');
    console.log(`init = require of the module after its SDK packages are loaded (delta = median of per-pair differences; cpu = the same in CPU time); load = SDK + init;`);
    console.log('log B = bytes the function logged for the invocation (LOG_LEVEL from Terraform; input to npm run cost).');
    console.log(`goals: bytes <= ${GOALS.bytes} (50 KB), init delta <= ${GOALS.initMs} ms.\n`);
    console.log(
      `${'app'.padEnd(26)} ${'bytes'.padStart(7)} ${'goal'.padStart(4)} | ${'init ms'.padStart(7)} ${'bare'.padStart(7)} ${'delta'.padStart(7)} ${'cpu'.padStart(7)} ${'goal'.padStart(4)} | ${'load ms'.padStart(7)} ${'bare'.padStart(7)} ${'delta'.padStart(7)} | ${'1st inv'.padStart(7)} ${'bare'.padStart(7)} ${'delta'.padStart(7)} | ${'log B'.padStart(5)} | answer`,
    );
    let met = true;
    for (const r of rows) {
      const bytesOk = r.bytes <= GOALS.bytes;
      const initOk = r.initDelta <= GOALS.initMs;
      if (!r.probe) met &&= bytesOk && initOk;
      console.log(
        `${r.app.padEnd(26)} ${String(r.bytes).padStart(7)} ${(r.probe ? '' : verdict(bytesOk)).padStart(4)} | ${fmt(r.init)} ${fmt(r.bareInit)} ${signed(r.initDelta)} ${signed(r.cpuDelta)} ${(r.probe ? '' : verdict(initOk)).padStart(4)} | ${fmt(r.load)} ${fmt(r.bareLoad)} ${delta(r.load, r.bareLoad)} | ${fmt(r.first)} ${fmt(r.bareFirst)} ${delta(r.first, r.bareFirst)} | ${String(r.logs.bytes).padStart(5)} | ${r.answer}${r.isolated ? '' : ' (NOT isolated: a bundled dependency resolved from outside)'}`,
      );
    }
    console.log(`\n${met ? 'every function meets both goals' : 'a goal is not met (OVER above)'}`);
  } finally {
    await sfn?.close();
    await localAws?.stop();
    rmSync(outside, { recursive: true, force: true });
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
