// The priced settings as Terraform would deploy them: read from an environment folder
// (infra/envs/dev by default), the modules it calls and infra/settings.json, never restated.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { evaluate, functionEnvironment, functionModules, loadEnvironment } from '../lib/terraform.mjs';
import { customMetrics, emfLineBytes } from './emf.mjs';

const DEFAULT_SAMPLING = { reservoirPerSecond: 1, fixedRate: 0.05, source: 'X-Ray default rule (no aws_xray_sampling_rule in Terraform)' };

const first = (blocks) => (Array.isArray(blocks) ? blocks[0] : blocks);

/** A module call's argument, else the module's own default, evaluated. */
function argument(environment, module, name) {
  const value = module.call[name] !== undefined ? module.call[name] : module.defaults[name];
  return evaluate(value, environment, (ref) => `<${ref}>`);
}

function resourceBody(module, type, name = 'this') {
  return first(module.parsed.resource?.[type]?.[name]);
}

function modulesFrom(environment, moduleDir) {
  return Object.entries(environment.modules).filter(([, m]) => m.source.endsWith(join('modules', moduleDir)));
}

/**
 * The fields of an access log format `jsonencode({ key = "$context.x", ... })` as written in the
 * module: key -> context variable, in order (the model renders it with representative values).
 */
function accessLogFormat(format) {
  const fields = Object.fromEntries([...String(format).matchAll(/(\w+)\s*=\s*"(\$context\.[\w.]+)"/g)].map((m) => [m[1], m[2]]));
  if (Object.keys(fields).length === 0) throw new Error(`cannot read the access log format: ${format}`);
  return fields;
}

/** A value written inside a module: `${var.x}` is the module call's argument (or the module's default). */
function moduleValue(environment, module, expression) {
  const variable = /^\$\{var\.(\w+)\}$/.exec(String(expression));
  return variable ? argument(environment, module, variable[1]) : evaluate(expression, environment, (ref) => `<${ref}>`);
}

const MINUTES = { seconds: 1 / 60, minutes: 1, hours: 60, days: 1440 };

/**
 * Who issues the API's tokens: the identity module's Cognito user pool (its feature plan, its
 * client-credentials app clients and the lifetime of their access tokens, which is how long a
 * backend caches one), an external issuer (`jwt_issuer` set: priced by its provider), or none.
 */
function readIdentity(environment) {
  const issuer = environment.variables.jwt_issuer;
  if (issuer !== undefined && issuer !== null) return { provider: 'external', issuer };
  const [name, module] = modulesFrom(environment, 'identity')[0] ?? [];
  if (!module) return null;
  const pool = resourceBody(module, 'aws_cognito_user_pool');
  if (!pool) return null;
  const clients = Object.entries(module.parsed.resource?.aws_cognito_user_pool_client ?? {}).map(([client, blocks]) => ({ client, body: first(blocks) }));
  const machine = clients.filter(({ body }) => (body.allowed_oauth_flows ?? []).includes('client_credentials'));
  const lifetime = (body) => {
    // Cognito's unit when token_validity_units does not say: hours.
    const unit = first(body.token_validity_units)?.access_token ?? 'hours';
    const value = body.access_token_validity === undefined ? 1 : Number(moduleValue(environment, module, body.access_token_validity));
    return (value * MINUTES[unit]);
  };
  return {
    provider: 'cognito',
    module: name,
    userPoolTier: moduleValue(environment, module, pool.user_pool_tier ?? 'ESSENTIALS'),
    machineClients: machine.length,
    customerClients: clients.length - machine.length,
    tokenLifetimeMinutes: machine.length > 0 ? Math.min(...machine.map(({ body }) => lifetime(body))) : undefined,
  };
}

/** Reads everything the cost model prices from Terraform and the settings file. */
export async function readInputs(envDir) {
  const environment = await loadEnvironment(envDir === undefined ? undefined : resolve(envDir));
  const { settings } = environment;

  const functions = {};
  for (const [app, module] of Object.entries(functionModules(environment))) {
    const fn = resourceBody(module, 'aws_lambda_function');
    const sources = argument(environment, module, 'sqs_event_sources') ?? {};
    const source = Object.values(sources)[0];
    functions[app] = {
      memoryMb: Number(argument(environment, module, 'memory_size')),
      architecture: argument(environment, module, 'architectures')[0],
      tracingMode: argument(environment, module, 'tracing_mode'),
      logLevel: functionEnvironment(environment, app, (ref) => `<${ref}>`)['LOG_LEVEL'] ?? 'info',
      logFormat: first(fn.logging_config)?.log_format ?? 'Text',
      systemLogLevel: first(fn.logging_config)?.system_log_level ?? 'INFO',
      applicationLogLevel: first(fn.logging_config)?.application_log_level ?? 'INFO',
      logRetentionDays: Number(argument(environment, module, 'log_retention_in_days')),
      ...(source ? { batchSize: Number(source.batch_size), batchWindowSeconds: Number(source.maximum_batching_window_in_seconds) } : {}),
    };
  }

  const [, machineModule] = modulesFrom(environment, 'state-machine')[0];
  const definitionFile = /templatefile\("\$\{path\.module\}\/([^"]+)"/.exec(machineModule.call.definition)?.[1];
  if (!definitionFile) throw new Error('cannot find the workflow file in the state machine module call');
  const machine = resourceBody(machineModule, 'aws_sfn_state_machine');
  const stateMachine = {
    type: argument(environment, machineModule, 'type'),
    logLevel: argument(environment, machineModule, 'log_level'),
    includeExecutionData: argument(environment, machineModule, 'include_execution_data'),
    tracing: evaluate(first(machine.tracing_configuration)?.enabled ?? false, environment),
    logRetentionDays: Number(argument(environment, machineModule, 'log_retention_in_days')),
    definition: JSON.parse(readFileSync(join(environment.dir, definitionFile), 'utf8')),
  };

  const [apiName, apiModule] = [...modulesFrom(environment, 'rest-api'), ...modulesFrom(environment, 'http-api')][0];
  const stage = resourceBody(apiModule, 'aws_api_gateway_stage') ?? resourceBody(apiModule, 'aws_apigatewayv2_stage');
  const accessLog = first(stage?.access_log_settings);
  const api = {
    module: apiName,
    type: apiModule.source.endsWith('rest-api') ? 'REST' : 'HTTP',
    xray: evaluate(stage?.xray_tracing_enabled ?? false, environment) === true,
    executionLogging: argument(environment, apiModule, 'execution_logging_level') ?? 'OFF',
    accessLogs: Boolean(accessLog),
    accessLogFormat: accessLog ? accessLogFormat(accessLog.format) : {},
    logRetentionDays: Number(argument(environment, apiModule, 'access_log_retention_in_days')),
  };

  const tables = {};
  for (const [name, module] of modulesFrom(environment, 'dynamodb-table')) {
    tables[name] = {
      pointInTimeRecovery: argument(environment, module, 'point_in_time_recovery_enabled') !== false,
      // The table module declares its indexes with a `dynamic "global_secondary_index"` block fed
      // by the call's `global_secondary_indexes`: count the argument (a literal block as a fallback).
      globalSecondaryIndexes: (argument(environment, module, 'global_secondary_indexes') ?? resourceBody(module, 'aws_dynamodb_table').global_secondary_index ?? []).length,
    };
  }

  const rules = Object.values(environment.parsed.resource?.aws_xray_sampling_rule ?? {}).map(first);
  const rule = rules.sort((a, b) => Number(evaluate(a.priority, environment)) - Number(evaluate(b.priority, environment)))[0];
  const sampling = rule
    ? { reservoirPerSecond: Number(evaluate(rule.reservoir_size, environment)), fixedRate: Number(evaluate(rule.fixed_rate, environment)), source: `aws_xray_sampling_rule ${rule.rule_name ?? ''}`.trim() }
    : DEFAULT_SAMPLING;

  const alarmModules = modulesFrom(environment, 'alarms');
  let alarms = 0;
  for (const [, module] of alarmModules) {
    for (const body of Object.values(module.parsed.resource?.aws_cloudwatch_metric_alarm ?? {}).map(first)) {
      alarms += body.for_each ? Object.keys(functions).length : 1;
    }
  }

  const dashboards = Object.keys(environment.parsed.resource?.aws_cloudwatch_dashboard ?? {}).length;

  return {
    envDir: environment.dir,
    functions,
    stateMachine,
    api,
    tables,
    sampling,
    alarms,
    dashboards,
    identity: readIdentity(environment),
    metrics: { custom: customMetrics(Object.keys(functions)), emfLineBytes: await emfLineBytes() },
    reconciler: { intervalSeconds: Number(settings.reconciler.intervalSeconds) },
    fulfilment: { successRate: Number(settings.fulfillment.successRate), maxReceiveCount: Number(settings.queues.maxReceiveCount) },
  };
}
