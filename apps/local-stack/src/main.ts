// `npm start` -> nx run local-stack:serve -> this file (bundled to dist/apps/local-stack/main.cjs).
import path from 'node:path';
import { STAGE_THROTTLE } from './apigw/gateway';
import { parseCli, USAGE, UsageError, type CliOptions } from './cli';
import { StackLogger } from './log';
import { findWorkspaceRoot } from './paths';
import { startLocalStack, type LocalStack } from './stack';

const SAMPLE_ORDER = '{"customer_id":"c-123","items":[{"sku":"SKU-1","quantity":2,"unit_price_cents":1999}],"currency":"USD"}';

/** The injected faults, for the banner (each also logs a line when it starts and ends). */
function faultSummary(options: CliOptions): string[] {
  const plan = options.faults;
  if (!plan) return [];
  const lambda = (plan.lambda ?? []).map(
    (f) => `${f.functionName} ${f.action === 'delay' ? `delayed ${f.delayMs} ms` : f.action === 'error' ? 'erroring' : 'timing out'} at rate ${f.rate ?? 1}`,
  );
  const scheduled = (plan.scheduled ?? []).map((f) => {
    const at = `${f.afterSeconds} s after start`;
    if (f.target === 'dynamodb') return f.action === 'kill' ? `DynamoDB Local killed ${at}` : `DynamoDB Local frozen for ${f.seconds} s ${at}`;
    if (f.target === 'sqs') return `SQS stalled for ${f.seconds} s ${at}`;
    return `StartExecution answering ${f.code} for ${f.seconds} s ${at}`;
  });
  return [...lambda, ...scheduled, ...(plan.seed !== undefined ? [`seed ${plan.seed}`] : [])];
}

/** The API stage's throttle, for the banner. */
function throttleSummary(options: CliOptions): string {
  if (options.throttle === false) return 'not throttled (--throttle-rate 0)';
  const t = options.throttle ?? STAGE_THROTTLE;
  return `throttled at ${t.rateLimit} requests/s, burst ${t.burstLimit} per route${options.throttle ? '' : ' (as deployed; --throttle-rate/--throttle-burst)'}`;
}

/** `npx dofs token`, naming the stack's state file when it is not the default .data/local-stack.json (where the CLI looks). */
function tokenCommand(stack: LocalStack): string {
  let root: string | undefined;
  try {
    root = findWorkspaceRoot();
  } catch {
    root = undefined;
  }
  if (root && path.resolve(stack.dataDir) === path.join(root, '.data')) return 'npx dofs token';
  const file = path.relative(process.cwd(), stack.stateFile) || stack.stateFile;
  return `npx dofs token --stack-file ${/^[\w./-]+$/.test(file) ? file : `'${file.replace(/'/g, `'\\''`)}'`}`;
}

/** The banner's lines on calling the API: with a token (the default), or the open API of --no-auth. */
function callLines(stack: LocalStack, bold: (t: string) => string, dim: (t: string) => string): string[] {
  const post = `curl -i -X POST ${stack.apiUrl}/order`;
  if (stack.auth.mode === 'none') {
    return [
      `${bold('Place an order, then look it up')} (the API is open: --no-auth; deployed, and by default here, every route needs a token):`,
      `  ${post} -H 'Content-Type: application/json' -d '${SAMPLE_ORDER}'`,
      `  curl -s ${stack.apiUrl}/orders/<order_id>`,
    ];
  }
  const rel = path.relative(process.cwd(), stack.auth.dir) || stack.auth.dir;
  return [
    `${bold('Place an order, then look it up')} (every route needs a token, as deployed; npm start -- --no-auth opens the API):`,
    `  TOKEN=$(${tokenCommand(stack)})   ${dim('# a trusted backend\'s token for 1 h; --customer c-123 gives that customer\'s')}`,
    `  ${post} -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '${SAMPLE_ORDER}'`,
    `  curl -s -H "Authorization: Bearer $TOKEN" ${stack.apiUrl}/orders/<order_id>`,
    dim(`  (or as a backend gets one: POST ${stack.auth.tokenEndpoint} with grant_type=client_credentials, the client id and secret of ${rel}/client.json)`),
  ];
}

export function banner(stack: LocalStack, logger: StackLogger, options: CliOptions): string {
  const s = stack.settings;
  const bold = (t: string) => logger.paint(t, 'bold');
  const dim = (t: string) => logger.paint(t, 'dim');
  const rel = path.relative(process.cwd(), stack.dataDir) || '.';
  const overrides = [
    options.successRate !== undefined ? `success rate ${s.fulfillment.successRate}` : '',
    options.visibilityTimeoutSeconds !== undefined ? `visibility timeout ${s.queues.visibilityTimeoutSeconds} s (production: infra/settings.json)` : '',
  ].filter(Boolean);
  const faults = faultSummary(options);
  const e = stack.clientEnv;
  return [
    '',
    `${bold('DOFS local stack is up')} in ${(stack.startupMs / 1000).toFixed(1)} s ${dim(`(data in ${rel}, kept between runs; --fresh starts empty)`)}`,
    ...(overrides.length ? [`  overrides: ${overrides.join(', ')}`] : []),
    ...(faults.length ? [`  ${logger.paint('faults', 'yellow')}: ${faults.join('; ')}`] : []),
    '',
    `  API            ${bold(stack.apiUrl)}   POST /order, GET /orders/{order_id}, ${throttleSummary(options)}`,
    stack.auth.mode === 'jwt'
      ? `  Auth           ${stack.auth.issuer}   JWT authorizer as deployed: a token of this issuer, audience ${stack.auth.audience.join(', ')}, scope orders/write (POST) or orders/read (GET)`
      : `  Auth           ${logger.paint('none', 'yellow')}: the API is open (--no-auth), no token is verified and api-handler runs with AUTH_MODE=none`,
    `  DynamoDB       ${stack.endpoints.dynamodb}   tables ${s.tables.orders}, ${s.tables.failedOrders}, ${s.tables.idempotencyKeys}`,
    `  SQS            ${stack.endpoints.sqs}   ${s.queues.orders} -> ${s.queues.deadLetter} after ${s.queues.maxReceiveCount} receives -> ${s.queues.parking} after ${s.queues.deadLetterMaxReceiveCount}, visibility ${s.queues.visibilityTimeoutSeconds} s`,
    `  Step Functions ${stack.endpoints.sfn}   ${stack.stateMachineArn} (${stack.workflowType}; --workflow-type STANDARD|EXPRESS)`,
    `  CloudWatch     ${stack.endpoints.cloudwatch}   GetMetricData of AWS/SQS ApproximateAgeOfOldestMessage (Maximum), sampled every second`,
    `  Lambda         dist/apps/{api-handler,validate-order,store-order,fulfill-order,dlq-handler,reconcile-orders}/main.js (fulfilment success rate ${s.fulfillment.successRate})`,
    `  Reconciler     reconcile-orders every ${options.reconcileIntervalSeconds ?? s.reconciler.intervalSeconds} s (--reconcile-interval; --reconcile-after shortens its thresholds)`,
    ...(options.visibilityTimeoutSeconds === undefined && s.fulfillment.successRate < 1
      ? [dim(`  A failed fulfilment attempt is retried after ${s.queues.visibilityTimeoutSeconds} s, as in production; --visibility-timeout 5 retries sooner.`)]
      : []),
    '',
    ...callLines(stack, bold, dim),
    '',
    bold('Point an SDK at the stack (and the aws CLI at its credentials):'),
    `  export AWS_REGION=${e['AWS_REGION']} AWS_DEFAULT_REGION=${e['AWS_REGION']} AWS_ACCESS_KEY_ID=${e['AWS_ACCESS_KEY_ID']} AWS_SECRET_ACCESS_KEY=${e['AWS_SECRET_ACCESS_KEY']}`,
    `  export AWS_ENDPOINT_URL_DYNAMODB=${e['AWS_ENDPOINT_URL_DYNAMODB']} AWS_ENDPOINT_URL_SQS=${e['AWS_ENDPOINT_URL_SQS']} AWS_ENDPOINT_URL_SFN=${e['AWS_ENDPOINT_URL_SFN']} AWS_ENDPOINT_URL_CLOUDWATCH=${e['AWS_ENDPOINT_URL_CLOUDWATCH']}`,
    dim('  (the aws CLI v1 ignores AWS_ENDPOINT_URL_SQS and v2 before 2.13 ignores them all: the commands below pass --endpoint-url, which every version honours)'),
    `  aws dynamodb scan --endpoint-url ${stack.endpoints.dynamodb} --table-name ${s.tables.orders}`,
    `  aws sqs get-queue-attributes --endpoint-url ${stack.endpoints.sqs} --queue-url ${stack.queueUrls.orderQueueUrl} --attribute-names All`,
    ...(stack.workflowType === 'STANDARD'
      ? [
          `  aws stepfunctions list-executions --endpoint-url ${stack.endpoints.sfn} --state-machine-arn ${stack.stateMachineArn}`,
          `  aws stepfunctions describe-execution --endpoint-url ${stack.endpoints.sfn} --execution-arn ${stack.stateMachineArn.replace(':stateMachine:', ':execution:')}:<order_id>`,
        ]
      : []),
    '',
    dim('Ctrl-C stops everything.'),
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  // Lambda runs in UTC; so do the local functions (worker threads share the process time zone).
  process.env['TZ'] = 'UTC';
  let options: CliOptions;
  try {
    options = parseCli(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const logger = new StackLogger({ quiet: options.quiet, verbose: options.verbose });
  if (!options.quiet) logger.info(`starting${options.fresh ? ' (fresh: empty tables, no history)' : ''}...`);

  let stack: LocalStack | undefined;
  let stopping: Promise<void> | undefined;
  let stopRequestedAt = 0;
  const stop = (reason: string, code: number) => {
    if (stopping) {
      // The same Ctrl-C often arrives twice (from the terminal and forwarded by npm/nx): only a
      // later one means "now". The JVM is still killed by @dofs/local-aws's exit hook.
      if (Date.now() - stopRequestedAt < 1500) return;
      process.stderr.write('stopping immediately\n');
      process.exit(code || 1);
    }
    stopRequestedAt = Date.now();
    logger.raw(`\n${logger.paint('stopping', 'yellow')} (${reason})...`);
    stopping = (stack ? stack.stop() : Promise.resolve()).then(
      () => {
        logger.raw('stopped.');
        process.exit(code);
      },
      (error: Error) => {
        logger.error(`while stopping: ${error.message}`);
        process.exit(1);
      },
    );
  };
  let pendingSignal: NodeJS.Signals | undefined;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (!stack) {
        // Still starting: stop as soon as start-up is done (or has failed and cleaned up).
        if (pendingSignal && Date.now() - stopRequestedAt >= 1500) process.exit(1);
        if (!pendingSignal) stopRequestedAt = Date.now();
        pendingSignal = signal;
        return;
      }
      stop(signal, 0);
    });
  }
  process.on('uncaughtException', (error) => {
    logger.error(`unexpected: ${error.stack ?? error.message}`);
    stop('unexpected error', 1);
  });

  try {
    stack = await startLocalStack({
      ...options,
      logger,
      // A server died and could not be started again: stop, and say so with the exit status.
      onFatal: (error) => {
        logger.error(error.message);
        stop('a server could not be restarted', 1);
      },
    });
  } catch (error) {
    if (pendingSignal) return 0; // stopped during start-up (the failure is the stop itself)
    const e = error as Error;
    const known = ['StackStartError', 'JavaNotFoundError', 'PortUnavailableError', 'LocalServerStartError'].includes(e.name);
    process.stderr.write(`error: ${known ? e.message.split('\n')[0] : (e.stack ?? e.message)}\n`);
    return 1;
  }
  if (pendingSignal) {
    await stack.stop();
    return 0;
  }
  logger.raw(banner(stack, logger, options));
  return -1; // keep running until a signal arrives
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exit(code);
    },
    (error: Error) => {
      process.stderr.write(`error: ${error.stack ?? error.message}\n`);
      process.exit(1);
    },
  );
}
