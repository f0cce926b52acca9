import { parseArgs } from 'node:util';
import { WORKFLOW_TYPES, type WorkflowType } from './sfn/service';
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
  --log-level <level>        LOG_LEVEL given to the handlers: debug, info (default), warn, error
  --workflow-type <type>     EXPRESS (default, as deployed to dev) or STANDARD: the Step Functions
                             workflow type and its semantics (Express: at least once, no
                             DescribeExecution / GetExecutionHistory / ListExecutions)
  --gateway-body-validation  API Gateway validates POST /order bodies against the CreateOrderRequest
                             model and answers a bad one itself (400 with its single validation
                             string), as an environment deployed with validate_request_body = true.
                             Default off, as deployed by default: api-handler answers with one
                             detail per bad field
  --dynamodb-port <n>        default 8000, --sqs-port <n> default 9324, --sfn-port <n> default 8083
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
  -h, --help                 this text
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
        'lambda-concurrency': { type: 'string' },
        'bundle-dir': { type: 'string' },
        pollers: { type: 'string' },
        'gateway-body-validation': { type: 'boolean' },
        'workflow-type': { type: 'string' },
        'reconcile-interval': { type: 'string' },
        'reconcile-after': { type: 'string' },
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
  const logLevel = v['log-level'];
  if (logLevel !== undefined && !['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new UsageError(`--log-level must be debug, info, warn or error (got "${logLevel}")`);
  }
  const workflowType = v['workflow-type']?.toUpperCase();
  if (workflowType !== undefined && !(WORKFLOW_TYPES as readonly string[]).includes(workflowType)) {
    throw new UsageError(`--workflow-type must be EXPRESS or STANDARD (got "${v['workflow-type']}")`);
  }
  return {
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
    lambdaConcurrency: integer('--lambda-concurrency', v['lambda-concurrency'], 1, 64),
    bundleDir: v['bundle-dir'],
    pollers: integer('--pollers', v.pollers, 1, 20),
    gatewayBodyValidation: v['gateway-body-validation'] ?? false,
    reconcileIntervalSeconds: integer('--reconcile-interval', v['reconcile-interval'], 1, 3600),
    reconcileAfterSeconds: integer('--reconcile-after', v['reconcile-after'], 1, 7 * 24 * 3600),
  };
}
