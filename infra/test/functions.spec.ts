/**
 * The six Lambda functions: every app has a function, an artifact pointer and a role, with the
 * runtime, architecture, tracing, logging, environment and event sources the design fixes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Body,
  WORKSPACE_ROOT,
  blocks,
  config,
  dataSource,
  expr,
  isFile,
  moduleCall,
  readWorkspaceFile,
  resource,
  squash,
} from './support/terraform';
import { APPS, moduleName } from './support/settings';

const EXPECTED_APPS = ['api-handler', 'validate-order', 'store-order', 'fulfill-order', 'dlq-handler', 'reconcile-orders'];

/** Environment variables of each app (docs/design.md), besides LOG_LEVEL which all have. */
const ENVIRONMENT: Record<string, Record<string, string>> = {
  'api-handler': {
    ORDERS_TABLE: 'module.orders_table.name',
    IDEMPOTENCY_TABLE: 'module.idempotency_keys_table.name',
    IDEMPOTENCY_WINDOW_SECONDS: 'tostring(local.settings.idempotency.windowSeconds)',
    STATE_MACHINE_ARN: 'module.order_workflow.state_machine_arn',
    // The JWT authorizer verified the caller; the handler fails closed without its claims.
    AUTH_MODE: '"jwt"',
  },
  'validate-order': {},
  'store-order': { ORDERS_TABLE: 'module.orders_table.name', ENQUEUE_WITHIN_SECONDS: 'tostring(local.settings.workflow.enqueueWithinSeconds)' },
  'fulfill-order': {
    ORDERS_TABLE: 'module.orders_table.name',
    FULFILLMENT_SUCCESS_RATE: 'tostring(local.settings.fulfillment.successRate)',
    MAX_RECEIVE_COUNT: 'tostring(local.settings.queues.maxReceiveCount)',
  },
  'dlq-handler': {
    ORDERS_TABLE: 'module.orders_table.name',
    FAILED_ORDERS_TABLE: 'module.failed_orders_table.name',
    ORDER_QUEUE_URL: 'module.order_queue.queue_url',
    MAX_RECEIVE_COUNT: 'tostring(local.settings.queues.maxReceiveCount)',
    DLQ_REDRIVE_BUDGET: 'tostring(local.settings.queues.deadLetterRedrive.budget)',
    DLQ_REDRIVE_DELAY_SECONDS: 'tostring(local.settings.queues.deadLetterRedrive.delaySeconds)',
  },
  'reconcile-orders': {
    ORDERS_TABLE: 'module.orders_table.name',
    FAILED_ORDERS_TABLE: 'module.failed_orders_table.name',
    IDEMPOTENCY_TABLE: 'module.idempotency_keys_table.name',
    IDEMPOTENCY_WINDOW_SECONDS: 'tostring(local.settings.idempotency.windowSeconds)',
    ORDER_QUEUE_URL: 'module.order_queue.queue_url',
    STATE_MACHINE_ARN: 'module.order_workflow.state_machine_arn',
    RECEIVED_AFTER_SECONDS: 'tostring(local.settings.reconciler.receivedAfterSeconds)',
    STALLED_AFTER_SECONDS: 'tostring(local.reconcile_stalled_after_seconds)',
    MAX_REDRIVES: 'tostring(local.settings.reconciler.maxRedrives)',
    MAX_ORDERS_PER_RUN: 'tostring(local.settings.reconciler.maxOrdersPerRun)',
    ORDER_DLQ_URL: 'module.order_queue.dead_letter_queue_url',
    WORKFLOW_TIMEOUT_SECONDS: 'tostring(local.settings.workflow.timeoutSeconds)',
    QUEUE_METRIC_PERIOD_SECONDS: 'tostring(local.settings.reconciler.queueMetricPeriodSeconds)',
  },
};

/** Parses `merge(local.common_environment, { K = v ... })` or `local.common_environment`. */
function environmentOf(call: Body): { common: boolean; extra: Record<string, string> } {
  const text = squash(call.environment_variables);
  if (text === 'local.common_environment') return { common: true, extra: {} };
  const merged = /^merge\(local\.common_environment, \{ (.*) \}\)$/.exec(text);
  if (!merged) return { common: false, extra: {} };
  const extra: Record<string, string> = {};
  for (const [, key, value] of (merged[1] as string).matchAll(/([A-Z_]+) = (\S+(?:\([^)]*\))?)/g)) {
    extra[key as string] = value as string;
  }
  return { common: true, extra };
}

describe('functions', () => {
  it('are the six apps of the design, one per settings.functions entry', () => {
    expect([...APPS].sort()).toEqual([...EXPECTED_APPS].sort());
  });

  it('cover every deployable app project in apps/ (type:app, not the local stack)', () => {
    const appsDir = join(WORKSPACE_ROOT, 'apps');
    const deployable = readdirSync(appsDir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && isFile(join(appsDir, e.name, 'project.json')))
      .map((e) => ({ name: e.name, project: JSON.parse(readFileSync(join(appsDir, e.name, 'project.json'), 'utf8')) }))
      .filter(({ project }) => (project.tags ?? []).includes('type:app') && project.name !== 'local-stack')
      .map(({ name }) => name);
    for (const app of deployable) expect(APPS).toContain(app);
  });

  it.each(EXPECTED_APPS)('%s has a function module, an artifact pointer and a role', async (app) => {
    const dev = await config('envs/dev');
    const call = moduleCall(dev, moduleName(app));
    expect(call.source).toBe('../../modules/lambda-function');
    expect(expr(call.function_name)).toBe(`\${local.name_prefix}-${app}`);

    // Artifact: the pointer published by the app's deploy target.
    expect(expr(call.s3_bucket)).toBe(`local.artifacts["${app}"].s3_bucket`);
    expect(expr(call.s3_key)).toBe(`local.artifacts["${app}"].s3_key`);
    expect(expr(call.source_code_hash)).toBe(`local.artifacts["${app}"].sha256`);
    expect(expr(call.package_version)).toBe(`local.artifacts["${app}"].version`);

    // Settings: timeout and memory.
    expect(expr(call.timeout)).toBe(`local.settings.functions["${app}"].timeoutSeconds`);
    expect(expr(call.memory_size)).toBe(`local.settings.functions["${app}"].memoryMb`);

    // Role: the module creates one per function, bounded by the environment's boundary.
    expect(expr(call.role_permissions_boundary)).toBe('local.role_permissions_boundary');
    const lambda = await config('modules/lambda-function');
    expect(Object.keys(lambda.resources.aws_iam_role ?? {})).toEqual(['this']);
    expect(expr(resource(lambda, 'aws_lambda_function', 'this').role)).toBe('aws_iam_role.this.arn');

    // Nothing overrides the module's runtime, architecture, handler or tracing mode.
    for (const key of ['runtime', 'architectures', 'handler', 'tracing_mode']) expect(call[key]).toBeUndefined();
  });

  it('take their packages from the artifact manifest of the commit (a variable), not from shared pointers', async () => {
    const dev = await config('envs/dev');
    expect(expr(dev.locals.artifacts)).toBe('var.artifacts');
    expect(dev.data.aws_ssm_parameter).toBeUndefined();
    const type = squash(dev.variables.artifacts?.type);
    for (const field of ['s3_bucket', 's3_key', 's3_object_version', 'sha256', 'version']) expect(type).toContain(`${field} = string`);
    expect(dev.variables.artifacts?.default).toBeUndefined(); // required: plan without a manifest fails
  });

  it('have a manifest entry in the mocked-provider terraform test for every app', () => {
    const tests = readWorkspaceFile('infra/envs/dev/tests/dev.tftest.hcl');
    for (const app of APPS) {
      expect({ app, entry: tests.includes(`"${app}" = {`) && tests.includes(`s3_key            = "${app}/0000.zip"`) }).toEqual({ app, entry: true });
    }
  });

  it('read manifest fields that the publish script writes', async () => {
    const script = readWorkspaceFile('infra/scripts/publish-artifact.sh');
    const written = /JSON\.stringify\(\{ ([^}]*) \}\)/.exec(script)?.[1]?.split(/,\s*/) ?? [];
    const dev = await config('envs/dev');
    const read = new Set<string>();
    for (const file of dev.files) {
      for (const [, field] of file.text.matchAll(/local\.artifacts\["[a-z-]+"\]\.(\w+)/g)) read.add(field as string);
    }
    expect([...read].sort()).toEqual(['s3_bucket', 's3_key', 'sha256', 'version']);
    // Everything read is written; the object version is recorded for audits and rollbacks.
    expect(written.sort()).toEqual([...read, 's3_object_version'].sort());
  });

  it('run nodejs22.x on arm64 with main.handler, X-Ray pass-through and code from the artifact', async () => {
    const lambda = await config('modules/lambda-function');
    expect(lambda.variables.runtime?.default).toBe('nodejs22.x');
    expect(lambda.variables.architectures?.default).toEqual(['arm64']);
    expect(lambda.variables.handler?.default).toBe('main.handler');
    expect(lambda.variables.tracing_mode?.default).toBe('PassThrough');

    const fn = resource(lambda, 'aws_lambda_function', 'this');
    expect(expr(fn.runtime)).toBe('var.runtime');
    expect(expr(fn.architectures)).toBe('var.architectures');
    expect(expr(fn.handler)).toBe('var.handler');
    expect(expr(fn.s3_bucket)).toBe('var.s3_bucket');
    expect(expr(fn.s3_key)).toBe('var.s3_key');
    expect(expr(fn.source_code_hash)).toBe('var.source_code_hash');
    expect(fn.filename).toBeUndefined();
    expect(expr((fn.tracing_config as Body[])[0]?.mode)).toBe('var.tracing_mode');
  });

  it('tag each function with its package version', async () => {
    const lambda = await config('modules/lambda-function');
    expect(expr(resource(lambda, 'aws_lambda_function', 'this').tags)).toBe('local.tags');
    expect(squash(lambda.locals.tags)).toContain('"dofs:package-version" = var.package_version');
    expect(lambda.variables.package_version?.validation).toBeDefined();
  });

  it('log to their own log group with a retention, created before the function', async () => {
    const lambda = await config('modules/lambda-function');
    const group = resource(lambda, 'aws_cloudwatch_log_group', 'this');
    expect(expr(group.name)).toBe('/aws/lambda/${var.function_name}');
    expect(expr(group.retention_in_days)).toBe('var.log_retention_in_days');
    expect(lambda.variables.log_retention_in_days?.default).toBeGreaterThan(0);
    const fn = resource(lambda, 'aws_lambda_function', 'this');
    expect(expr((fn.logging_config as Body[])[0]?.log_group)).toBe('aws_cloudwatch_log_group.this.name');
    expect((fn.depends_on as string[]).map(expr)).toContain('aws_cloudwatch_log_group.this');
  });

  it('log JSON with the platform at WARN (no START/END/REPORT lines) and the application at INFO or below', async () => {
    const lambda = await config('modules/lambda-function');
    const logging = (resource(lambda, 'aws_lambda_function', 'this').logging_config as Body[])[0] as Body;
    expect(logging.log_format).toBe('JSON');
    expect(logging.system_log_level).toBe('WARN');
    // Our EMF metric lines (libs/handler-kit/src/metrics.ts) have no `level` key: Lambda classes
    // them INFO and drops them at WARN or above, and the business metrics with them.
    const order = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
    const level = String(logging.application_log_level);
    expect(order).toContain(level);
    expect(order.indexOf(level)).toBeLessThanOrEqual(order.indexOf('INFO'));
    // Our logger filters by LOG_LEVEL itself; the environment default keeps warnings and errors.
    const dev = await config('envs/dev');
    expect(dev.variables.log_level?.default).toBe('warn');
  });

  it.each(EXPECTED_APPS)('%s gets its environment from the shared settings and the created resources', async (app) => {
    const dev = await config('envs/dev');
    const env = environmentOf(moduleCall(dev, moduleName(app)));
    expect(env).toEqual({ common: true, extra: ENVIRONMENT[app] });
    expect(dev.locals.common_environment).toEqual({ LOG_LEVEL: '${var.log_level}' });
  });

  it('consume order_queue (fulfill-order) and order_dlq (dlq-handler) with the settings batch size and window', async () => {
    const dev = await config('envs/dev');
    const fulfill = moduleCall(dev, 'fulfill_order').sqs_event_sources as Body;
    expect(Object.keys(fulfill)).toEqual(['order_queue']);
    expect(fulfill.order_queue).toEqual({
      queue_arn: '${module.order_queue.queue_arn}',
      batch_size: '${local.settings.eventSources.fulfillOrder.batchSize}',
      maximum_batching_window_in_seconds: '${local.settings.eventSources.fulfillOrder.maximumBatchingWindowSeconds}',
    });
    const dlq = moduleCall(dev, 'dlq_handler').sqs_event_sources as Body;
    expect(Object.keys(dlq)).toEqual(['order_dlq']);
    expect(dlq.order_dlq).toEqual({
      queue_arn: '${module.order_queue.dead_letter_queue_arn}',
      batch_size: '${local.settings.eventSources.dlqHandler.batchSize}',
      maximum_batching_window_in_seconds: '${local.settings.eventSources.dlqHandler.maximumBatchingWindowSeconds}',
    });
    for (const app of ['api-handler', 'validate-order', 'store-order', 'reconcile-orders']) {
      expect(moduleCall(dev, moduleName(app)).sqs_event_sources).toBeUndefined();
    }
  });

  it('map SQS batches with ReportBatchItemFailures', async () => {
    const lambda = await config('modules/lambda-function');
    const mapping = resource(lambda, 'aws_lambda_event_source_mapping', 'sqs');
    expect(expr(mapping.for_each)).toBe('var.sqs_event_sources');
    expect(mapping.function_response_types).toEqual(['ReportBatchItemFailures']);
    expect(expr(mapping.batch_size)).toBe('each.value.batch_size');
    expect(expr(mapping.maximum_batching_window_in_seconds)).toBe('each.value.maximum_batching_window_in_seconds');
    expect(expr(mapping.event_source_arn)).toBe('each.value.queue_arn');
    // The mapping polls with the function's role: its queue permissions must exist first.
    expect((mapping.depends_on as string[]).map(expr)).toContain('aws_iam_role_policy.this');
  });

  it('let only the API invoke api-handler, scoped to its execution ARN', async () => {
    const api = await config('modules/http-api');
    const permission = resource(api, 'aws_lambda_permission', 'api');
    expect(permission.principal).toBe('apigateway.amazonaws.com');
    expect(permission.action).toBe('lambda:InvokeFunction');
    expect(expr(permission.function_name)).toBe('var.lambda_function_name');
    // Every route and method of this API (the $default route forwards every path), no other API.
    expect(expr(permission.source_arn)).toBe('${aws_apigatewayv2_api.this.execution_arn}/*');
    const dev = await config('envs/dev');
    expect(expr(moduleCall(dev, 'api').lambda_function_name)).toBe('module.api_handler.function_name');
  });

  it('run reconcile-orders on an EventBridge Scheduler schedule at the settings interval, on time, through a role that may invoke it alone', async () => {
    const dev = await config('envs/dev');
    const schedule = resource(dev, 'aws_scheduler_schedule', 'reconcile_orders');
    expect(squash(dev.locals.reconcile_interval_minutes)).toContain('local.settings.reconciler.intervalSeconds / 60');
    expect(squash(schedule.schedule_expression)).toContain('rate(1 minute)');
    expect(squash(schedule.schedule_expression)).toContain('rate(${local.reconcile_interval_minutes} minutes)');
    expect(blocks(schedule, 'flexible_time_window')).toEqual([{ mode: 'OFF' }]);
    const [target] = blocks(schedule, 'target');
    expect(expr(target?.arn)).toBe('module.reconcile_orders.function_arn');
    expect(expr(target?.role_arn)).toBe('aws_iam_role.reconcile_schedule.arn');

    const role = resource(dev, 'aws_iam_role', 'reconcile_schedule');
    expect(expr(role.permissions_boundary)).toBe('local.role_permissions_boundary');
    const assume = blocks(dataSource(dev, 'aws_iam_policy_document', 'reconcile_schedule_assume'), 'statement');
    expect(assume.flatMap((st) => blocks(st, 'principals')).flatMap((p) => p.identifiers as string[])).toEqual(['scheduler.amazonaws.com']);
    const invoke = blocks(dataSource(dev, 'aws_iam_policy_document', 'reconcile_schedule'), 'statement');
    expect(invoke.map((st) => ({ actions: st.actions, resources: st.resources }))).toEqual([
      { actions: ['lambda:InvokeFunction'], resources: ['${module.reconcile_orders.function_arn}'] },
      // An invocation Scheduler could not deliver goes to the schedule's dead-letter queue (with this role).
      { actions: ['sqs:SendMessage'], resources: ['${aws_sqs_queue.reconcile_schedule_dlq.arn}'] },
    ]);
    expect(blocks(target as Body, 'dead_letter_config')).toEqual([{ arn: '${aws_sqs_queue.reconcile_schedule_dlq.arn}' }]);
    // It starts firing when it exists: its role's policy must exist first.
    expect(schedule.depends_on).toEqual(['${aws_iam_role_policy.reconcile_schedule}']);
    expect(expr(resource(dev, 'aws_iam_role_policy', 'reconcile_schedule').role)).toBe('aws_iam_role.reconcile_schedule.id');
  });

  it('derive the reconciler stalled threshold from maxReceiveCount x visibility timeout plus the margin', async () => {
    const dev = await config('envs/dev');
    expect(squash(dev.locals.reconcile_stalled_after_seconds)).toBe(
      'local.settings.queues.maxReceiveCount * local.settings.queues.visibilityTimeoutSeconds + local.settings.reconciler.stalledMarginSeconds',
    );
  });
});
