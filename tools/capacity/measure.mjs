// `npm run capacity -- --measure`: warm handler durations of the built bundles, written to
// tools/capacity/durations.json for the capacity model. A measurement, not a test.
//
// Each bundle (dist/apps/<app>/main.js, build first) runs in a fresh `node` process outside the
// workspace with only @aws-sdk/* resolvable and the environment Terraform gives the function
// (infra/envs/dev, read with @cdktf/hcl2json), against DynamoDB Local (started here through
// libs/local-aws, one instance) and libs/local-aws's stand-in Step Functions endpoint. One process is
// one execution environment: it is loaded once, warmed up, then invoked one event at a time
// (measure-runner.cjs). The figures are what our code, the SDK and a round trip to a server on this
// machine cost; tools/capacity/assumptions.mjs adds the in-region round trip per call.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { evaluate, functionEnvironment, functionModules, loadEnvironment, ROOT } from '../lib/terraform.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const execFileAsync = promisify(execFile);
const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:dofs-dev-order-workflow';

/** What is measured: the scenario the runner plays, the app whose bundle and environment it uses, records per event. */
function plan(environment) {
  const batch = (app) => Number(Object.values(evaluate(functionModules(environment)[app].call.sqs_event_sources, environment, (ref) => `<${ref}>`))[0].batch_size);
  return [
    { key: 'api-handler:post', app: 'api-handler', records: 1, what: 'POST /order with an Idempotency-Key: order put, key put, StartExecution' },
    { key: 'api-handler:get', app: 'api-handler', records: 1, what: 'GET /orders/{id} of a FULFILLED order' },
    { key: 'validate-order', app: 'validate-order', records: 1, what: 'ValidateOrder task of a valid order' },
    { key: 'store-order', app: 'store-order', records: 1, what: 'StoreOrder task: RECEIVED -> PENDING' },
    { key: 'fulfill-order', app: 'fulfill-order', records: batch('fulfill-order'), what: `a full batch of PENDING orders (batch_size ${batch('fulfill-order')}), at the deployed success rate` },
    { key: 'dlq-handler', app: 'dlq-handler', records: batch('dlq-handler'), what: `a full batch of dead letters after ${environment.settings.queues.maxReceiveCount} failed attempts (batch_size ${batch('dlq-handler')}): FAILED + failed_orders` },
  ];
}

async function loadLocalAws(workDir) {
  const outfile = join(workDir, 'local-aws.mjs');
  await build({ entryPoints: [join(ROOT, 'libs/local-aws/src/index.ts')], bundle: true, format: 'esm', platform: 'node', packages: 'external', outfile, logLevel: 'error' });
  return import(pathToFileURL(outfile).href);
}

export async function measure({ runs = 200, warmup = 30, dist = join(ROOT, 'dist') } = {}) {
  const environment = await loadEnvironment();
  const steps = plan(environment);
  for (const { app } of steps) {
    if (!existsSync(join(dist, 'apps', app, 'main.js'))) throw new Error(`${join(dist, 'apps', app, 'main.js')} is missing: build first (npx nx run-many -t build -p api-handler,validate-order,store-order,fulfill-order,dlq-handler)`);
  }
  mkdirSync(join(ROOT, 'tmp'), { recursive: true });
  const workDir = mkdtempSync(join(ROOT, 'tmp', 'capacity-measure-'));
  const outside = mkdtempSync(join(tmpdir(), 'dofs-capacity-'));
  let localAws;
  let sfn;
  try {
    const lib = await loadLocalAws(workDir);
    console.error('starting DynamoDB Local ...');
    localAws = await lib.startLocalAws({ sqs: false });
    sfn = await lib.startFakeSfnServer();
    const sdkModules = join(outside, 'sdk', 'node_modules');
    mkdirSync(sdkModules, { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', '@aws-sdk'), join(sdkModules, '@aws-sdk'), 'dir');
    copyFileSync(join(here, 'measure-runner.cjs'), join(outside, 'runner.cjs'));
    const outputs = {
      'module.orders_table.name': localAws.env.ORDERS_TABLE,
      'module.failed_orders_table.name': localAws.env.FAILED_ORDERS_TABLE,
      'module.idempotency_keys_table.name': localAws.env.IDEMPOTENCY_TABLE,
      'module.order_workflow.state_machine_arn': STATE_MACHINE_ARN,
      // No SQS server: none of the measured events sends (a dead letter here failed its fulfilment, it is not sent back).
      'module.order_queue.queue_url': 'http://127.0.0.1:1/000000000000/order_queue',
    };
    const lookup = (ref) => {
      if (ref in outputs) return outputs[ref];
      throw new Error(`tools/capacity/measure.mjs has no local value for ${ref} (a function's environment in infra/envs/dev): add it to outputs`);
    };
    const functions = {};
    for (const step of steps) {
      const dir = join(outside, step.key.replace(/[^\w.-]+/g, '_'));
      mkdirSync(dir, { recursive: true });
      copyFileSync(join(dist, 'apps', step.app, 'main.js'), join(dir, 'main.js'));
      const module = functionModules(environment)[step.app];
      const env = {
        PATH: process.env.PATH,
        NODE_PATH: sdkModules,
        ...localAws.env,
        AWS_ENDPOINT_URL_SFN: sfn.endpoint,
        AWS_LAMBDA_FUNCTION_NAME: String(evaluate(module.call.function_name, environment)),
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(evaluate(module.call.memory_size, environment)),
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_LOG_FORMAT: 'JSON',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
        AWS_SESSION_TOKEN: 'capacity-session-token',
        LAMBDA_TASK_ROOT: dir,
        TZ: ':UTC',
        ...functionEnvironment(environment, step.app, lookup),
        NODE_NO_WARNINGS: '1',
      };
      console.error(`measuring ${step.key} (${warmup} warm-up + ${runs} invocations of ${step.records} record${step.records === 1 ? '' : 's'}) ...`);
      const { stdout } = await execFileAsync(process.execPath, [join(outside, 'runner.cjs'), join(dir, 'main.js'), step.key, String(runs), String(warmup), String(step.records)], {
        cwd: dir,
        env,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        timeout: 600_000,
      });
      const line = stdout.split('\n').find((l) => l.startsWith('CAPACITY_RESULT '));
      if (!line) throw new Error(`no result from ${step.key}:\n${stdout.slice(-2000)}`);
      const result = JSON.parse(line.slice('CAPACITY_RESULT '.length));
      if (result.error) throw new Error(`${step.key} failed: ${result.error}`);
      if (result.failedChecks > 0) throw new Error(`${step.key}: ${result.failedChecks} of ${runs} invocations did not do their job, e.g. ${result.firstFailure}`);
      functions[step.key] = { app: step.app, event: step.what, records: result.records, meanMs: result.meanMs, p50Ms: result.p50Ms, p90Ms: result.p90Ms, callsPerInvocation: result.callsPerInvocation };
    }
    return {
      $comment:
        'Warm handler durations for tools/capacity (npm run capacity), written by `npm run capacity -- --measure` (tools/capacity/measure.mjs). One process per handler = one execution environment, invoked one event at a time against DynamoDB Local and a stand-in Step Functions endpoint on the same machine. meanMs is what the model uses (Little\'s law); callsPerInvocation counts the HTTP requests the handler made, by endpoint. Re-measure after a handler change; figures on a loaded machine are higher.',
      measured: new Date().toISOString().slice(0, 10),
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version, loadAverage1m: Math.round(loadavg()[0] * 100) / 100 },
      runs,
      warmup,
      functions,
    };
  } finally {
    if (sfn) await sfn.close();
    if (localAws) await localAws.stop();
    rmSync(workDir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
}

/** Measures and writes tools/capacity/durations.json. */
export async function measureToFile(options) {
  const durations = await measure(options);
  writeFileSync(join(here, 'durations.json'), `${JSON.stringify(durations, null, 2)}\n`);
  return durations;
}
