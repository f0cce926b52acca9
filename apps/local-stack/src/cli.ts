import { parseArgs } from 'node:util';
import { WORKFLOW_TYPES, type WorkflowType } from './sfn/service';
import { FUNCTION_NAMES } from './constants';
import { START_EXECUTION_FAULTS, type FaultPlan, type LambdaFault, type ScheduledFault, type StartExecutionFaultCode } from './faults';
import { STAGE_THROTTLE, type ThrottleSettings } from './apigw/gateway';
import type { LocalStackOptions } from './stack';

export const USAGE = `Usage: npm start -- [options]

Runs DOFS on 127.0.0.1: API Gateway, the six Lambda bundles from dist/, the order workflow,
DynamoDB Local (kept under .data/), SQS and the reconciler's schedule.

Options:
  --fresh                    start with empty tables and no execution history
  --port <n>                 API port (default 3000, or $PORT; 0 = any free port)
  --data-dir <dir>           where data is kept (default .data at the repository root)
  --success-rate <0..1>      FULFILLMENT_SUCCESS_RATE for fulfill-order (default: infra/settings.json)
  --visibility-timeout <s>   both queues' visibility timeout, i.e. the delay before a retry
                             (default: infra/settings.json; short values are for tests and demos,
                             AWS requires at least the function timeout)
  --quiet                    no per-event lines (banner, warnings and errors only)
  --verbose                  also show every handler log line and a REPORT line per invocation
  --log-level <level>        LOG_LEVEL given to the handlers: debug, info, warn, error (default warn,
                             as deployed; info with --verbose)
  --workflow-type <type>     EXPRESS (default, as deployed to dev) or STANDARD: the Step Functions
                             workflow type and its semantics (Express: at least once, no
                             DescribeExecution / GetExecutionHistory / ListExecutions)
  --dynamodb-port <n>        default 8000, --sqs-port <n> default 9324, --sfn-port <n> default 8083,
                             --cloudwatch-port <n> default 4582 (GetMetricData of the SQS queue ages)
                             (a taken default falls back to a free port; 0 = any free port)
  --reconcile-interval <s>   seconds between reconcile-orders runs (default: infra/settings.json
                             reconciler.intervalSeconds, 60, as the deployed schedule)
  --reconcile-after <s>      age in seconds after which the reconciler acts on a RECEIVED order and
                             on a PENDING/RETRYING one without progress (default: the settings, 300
                             and maxReceiveCount x visibility timeout + margin; short values are
                             for tests and demos)
  --lambda-concurrency <n>   execution environments per function (default 5)
  --pollers <n>              concurrent pollers (batches) per event source mapping (default 5)
  --bundle-dir <dir>         where <function>/main.js are (default dist/apps)
  --throttle-rate <n>        the API stage's throttle, requests/s per route (default 50, the
                             deployed stage's; 0 = no throttling); over it the gateway answers 429
  --throttle-burst <n>       the throttle's burst, requests per route at once (default 100, as deployed)
  --no-auth                  an open API: the gateway verifies no token and api-handler runs with
                             AUTH_MODE=none (by default every route needs a token from the local
                             issuer, as the deployed JWT authorizer: npx dofs token prints one)
  -h, --help                 this text

Fault injection (modelled on AWS FIS's Lambda actions, plus dependency faults; each may be
repeated; <after> is seconds after the stack is up, default 0):
  --lambda-fault <fn>:<action>[:<rate>]
                             invocations of function <fn> get <action> at <rate> (0..1, default 1):
                             delay=<ms> (before the handler, counts toward the timeout), error
                             (FaultInjectionError, the handler does not run) or timeout
                             (Sandbox.Timedout at the function timeout), e.g. store-order:timeout:0.3
  --fault-seed <n>           seed of the draws, so a run picks the same invocations (default random)
  --dynamodb-freeze <s>[@<after>]
                             SIGSTOP DynamoDB Local's JVM for <s> seconds, then SIGCONT
  --dynamodb-kill <after>    SIGKILL DynamoDB Local's JVM; supervision starts it again on its data
  --sqs-stall <s>[@<after>]  the SQS server holds every request for <s> seconds
  --start-execution-fault [<code>:]<s>[@<after>]
                             StartExecution answers <code> for <s> seconds: ThrottlingException
                             (default, 400), InternalFailure (500) or ServiceUnavailable (503)

A server that dies under the running stack is started again on its port and data (one line says
so); when it cannot be, the stack stops and exits with status 1.
`;

export class UsageError extends Error {
  override name = 'UsageError';
}

function integer(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

const SECONDS = /^\d+(\.\d+)?$/;

function seconds(name: string, raw: string, text: string): number {
  if (!SECONDS.test(text)) throw new UsageError(`${name} takes seconds, e.g. 20 or 20@10 (got "${raw}")`);
  return Number(text);
}

/** `<s>[@<after>]` */
function window(name: string, raw: string): { seconds: number; afterSeconds: number } {
  const [duration = '', after = '0', ...rest] = raw.split('@');
  if (rest.length > 0) throw new UsageError(`${name} takes <seconds>[@<after seconds>] (got "${raw}")`);
  return { seconds: seconds(name, raw, duration), afterSeconds: seconds(name, raw, after) };
}

function lambdaFault(raw: string): LambdaFault {
  const [functionName = '', action = '', rate, ...rest] = raw.split(':');
  const usage = `--lambda-fault takes <function>:<delay=ms|error|timeout>[:<rate 0..1>] (got "${raw}")`;
  if (rest.length > 0) throw new UsageError(usage);
  if (!(FUNCTION_NAMES as readonly string[]).includes(functionName)) {
    throw new UsageError(`--lambda-fault: unknown function "${functionName}" (one of ${FUNCTION_NAMES.join(', ')})`);
  }
  let parsedRate: number | undefined;
  if (rate !== undefined) {
    parsedRate = Number(rate);
    if (rate.trim() === '' || !Number.isFinite(parsedRate) || parsedRate < 0 || parsedRate > 1) throw new UsageError(usage);
  }
  const base = { functionName, ...(parsedRate === undefined ? {} : { rate: parsedRate }) };
  if (action === 'error' || action === 'timeout') return { ...base, action };
  const delay = /^delay=(\d+)$/.exec(action);
  if (delay) return { ...base, action: 'delay', delayMs: Number(delay[1]) };
  throw new UsageError(usage);
}

function startExecutionFault(raw: string): ScheduledFault {
  const colon = raw.indexOf(':');
  const code = colon >= 0 ? raw.slice(0, colon) : 'ThrottlingException';
  if (!(code in START_EXECUTION_FAULTS)) {
    throw new UsageError(`--start-execution-fault: unknown code "${code}" (one of ${Object.keys(START_EXECUTION_FAULTS).join(', ')})`);
  }
  return { target: 'sfn', action: 'start-execution', code: code as StartExecutionFaultCode, ...window('--start-execution-fault', raw.slice(colon + 1)) };
}

/** The fault options, or undefined when none is given. */
function faultPlan(v: {
  'lambda-fault'?: string[];
  'fault-seed'?: string;
  'dynamodb-freeze'?: string[];
  'dynamodb-kill'?: string[];
  'sqs-stall'?: string[];
  'start-execution-fault'?: string[];
}): FaultPlan | undefined {
  const lambda = (v['lambda-fault'] ?? []).map(lambdaFault);
  const scheduled: ScheduledFault[] = [
    ...(v['dynamodb-freeze'] ?? []).map((raw): ScheduledFault => ({ target: 'dynamodb', action: 'freeze', ...window('--dynamodb-freeze', raw) })),
    ...(v['dynamodb-kill'] ?? []).map((raw): ScheduledFault => ({ target: 'dynamodb', action: 'kill', afterSeconds: seconds('--dynamodb-kill', raw, raw) })),
    ...(v['sqs-stall'] ?? []).map((raw): ScheduledFault => ({ target: 'sqs', action: 'stall', ...window('--sqs-stall', raw) })),
    ...(v['start-execution-fault'] ?? []).map(startExecutionFault),
  ];
  const seed = integer('--fault-seed', v['fault-seed'], 0, 2 ** 32 - 1);
  if (lambda.length === 0 && scheduled.length === 0 && seed === undefined) return undefined;
  return { lambda, scheduled, ...(seed === undefined ? {} : { seed }) };
}

/** `--throttle-rate` / `--throttle-burst` over the deployed stage's values; a rate of 0 turns throttling off. */
function throttle(rawRate: string | undefined, rawBurst: string | undefined): ThrottleSettings | false | undefined {
  if (rawRate === undefined && rawBurst === undefined) return undefined;
  let rateLimit = STAGE_THROTTLE.rateLimit;
  if (rawRate !== undefined) {
    rateLimit = Number(rawRate);
    if (!/^\d+(\.\d+)?$/.test(rawRate.trim()) || !Number.isFinite(rateLimit) || rateLimit > 10_000) {
      throw new UsageError(`--throttle-rate must be requests per second from 0 (no throttling) to 10000 (got "${rawRate}")`);
    }
  }
  const burstLimit = integer('--throttle-burst', rawBurst, 1, 5000) ?? STAGE_THROTTLE.burstLimit;
  return rateLimit === 0 ? false : { rateLimit, burstLimit };
}

export interface CliOptions extends LocalStackOptions {
  help: boolean;
  quiet: boolean;
  verbose: boolean;
}

export function parseCli(argv: string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        'lambda-fault': { type: 'string', multiple: true },
        'fault-seed': { type: 'string' },
        'dynamodb-freeze': { type: 'string', multiple: true },
        'dynamodb-kill': { type: 'string', multiple: true },
        'sqs-stall': { type: 'string', multiple: true },
        'start-execution-fault': { type: 'string', multiple: true },
        fresh: { type: 'boolean' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'success-rate': { type: 'string' },
        'visibility-timeout': { type: 'string' },
        quiet: { type: 'boolean' },
        verbose: { type: 'boolean' },
        'log-level': { type: 'string' },
        'dynamodb-port': { type: 'string' },
        'sqs-port': { type: 'string' },
        'sfn-port': { type: 'string' },
        'cloudwatch-port': { type: 'string' },
        'lambda-concurrency': { type: 'string' },
        'bundle-dir': { type: 'string' },
        pollers: { type: 'string' },
        'workflow-type': { type: 'string' },
        'reconcile-interval': { type: 'string' },
        'reconcile-after': { type: 'string' },
        'throttle-rate': { type: 'string' },
        'throttle-burst': { type: 'string' },
        'no-auth': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  let successRate: number | undefined;
  if (v['success-rate'] !== undefined) {
    successRate = Number(v['success-rate']);
    if (v['success-rate'].trim() === '' || !Number.isFinite(successRate) || successRate < 0 || successRate > 1) {
      throw new UsageError(`--success-rate must be a number from 0 to 1 (got "${v['success-rate']}")`);
    }
  }
  // The deployed default (Terraform's log_level) is warn. Without --verbose the stack shows a
  // handler's errors only, so info lines would be written and dropped: roughly a tenth of the
  // stack's CPU per order (apps/local-stack/README.md, Throughput). --verbose shows them, so it means info.
  const logLevel = v['log-level'] ?? (v.verbose ? 'info' : 'warn');
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new UsageError(`--log-level must be debug, info, warn or error (got "${logLevel}")`);
  }
  const workflowType = v['workflow-type']?.toUpperCase();
  if (workflowType !== undefined && !(WORKFLOW_TYPES as readonly string[]).includes(workflowType)) {
    throw new UsageError(`--workflow-type must be EXPRESS or STANDARD (got "${v['workflow-type']}")`);
  }
  return {
    faults: faultPlan(v),
    throttle: throttle(v['throttle-rate'], v['throttle-burst']),
    auth: v['no-auth'] !== true,
    help: v.help ?? false,
    ...(workflowType === undefined ? {} : { workflowType: workflowType as WorkflowType }),
    fresh: v.fresh ?? false,
    quiet: v.quiet ?? false,
    verbose: v.verbose ?? false,
    port: integer('--port', v.port ?? env['PORT'], 0, 65535),
    dataDir: v['data-dir'],
    successRate,
    visibilityTimeoutSeconds: integer('--visibility-timeout', v['visibility-timeout'], 0, 43200),
    logLevel,
    dynamodbPort: integer('--dynamodb-port', v['dynamodb-port'], 0, 65535),
    sqsPort: integer('--sqs-port', v['sqs-port'], 0, 65535),
    sfnPort: integer('--sfn-port', v['sfn-port'], 0, 65535),
    cloudwatchPort: integer('--cloudwatch-port', v['cloudwatch-port'], 0, 65535),
    lambdaConcurrency: integer('--lambda-concurrency', v['lambda-concurrency'], 1, 64),
    bundleDir: v['bundle-dir'],
    pollers: integer('--pollers', v.pollers, 1, 20),
    reconcileIntervalSeconds: integer('--reconcile-interval', v['reconcile-interval'], 1, 3600),
    reconcileAfterSeconds: integer('--reconcile-after', v['reconcile-after'], 1, 7 * 24 * 3600),
  };
}
