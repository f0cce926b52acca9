// The settings the capacity model sizes, as Terraform would deploy them: read from an environment
// folder (infra/envs/dev by default), the modules it calls and infra/settings.json, never restated;
// and the one figure that lives in code, the open-orders shard count.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { evaluate, functionModules, loadEnvironment, ROOT } from '../lib/terraform.mjs';

const first = (blocks) => (Array.isArray(blocks) ? blocks[0] : blocks);
const OFFLINE = (ref) => `<${ref}>`;

/** A module call's argument, else the module's own default, evaluated (module outputs stay `<ref>`). */
function argument(environment, module, name) {
  const value = module.call[name] !== undefined ? module.call[name] : module.defaults[name];
  return evaluate(value, environment, OFFLINE);
}

function modulesFrom(environment, moduleDir) {
  return Object.entries(environment.modules).filter(([, m]) => m.source.endsWith(join('modules', moduleDir)));
}

/** The largest value a module variable's validation accepts (`var.x <= N`), or undefined. */
function validatedMaximum(module, variable) {
  const block = first(module.parsed.variable?.[variable]);
  const conditions = [block?.validation ?? []].flat().map((v) => String(v.condition));
  for (const condition of conditions) {
    const m = new RegExp(`var\\.${variable}\\s*<=\\s*(\\d+)`).exec(condition);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** OPEN_ORDER_SHARDS of libs/ddb-repo/src/orders-table.ts: the open-orders index partition keys. */
export function readOpenOrderShards(constantsFile = join(ROOT, 'libs/ddb-repo/src/orders-table.ts')) {
  const m = /export const OPEN_ORDER_SHARDS\s*=\s*(\d+)/.exec(readFileSync(constantsFile, 'utf8'));
  if (!m) throw new Error(`no OPEN_ORDER_SHARDS in ${constantsFile}`);
  return Number(m[1]);
}

/** Reads everything the capacity model sizes. `constantsFile` points at another orders-table file (tests). */
export async function readInputs(envDir, { constantsFile } = {}) {
  const environment = await loadEnvironment(envDir === undefined ? undefined : resolve(envDir));
  const { settings } = environment;

  const functions = {};
  for (const [app, module] of Object.entries(functionModules(environment))) {
    const sources = argument(environment, module, 'sqs_event_sources') ?? {};
    const [queue, source] = Object.entries(sources)[0] ?? [];
    const reserved = Number(argument(environment, module, 'reserved_concurrent_executions') ?? -1);
    functions[app] = {
      module: module.name,
      reserved: reserved >= 0 ? reserved : null,
      timeoutSeconds: Number(argument(environment, module, 'timeout')),
      memoryMb: Number(argument(environment, module, 'memory_size')),
      ...(source
        ? {
            eventSource: {
              queue,
              batchSize: Number(source.batch_size),
              windowSeconds: Number(source.maximum_batching_window_in_seconds),
              maximumConcurrency: source.maximum_concurrency === undefined || source.maximum_concurrency === null ? null : Number(source.maximum_concurrency),
            },
          }
        : {}),
    };
  }

  const [, machineModule] = modulesFrom(environment, 'state-machine')[0];
  const definitionFile = /templatefile\("\$\{path\.module\}\/([^"]+)"/.exec(machineModule.call.definition)?.[1];
  if (!definitionFile) throw new Error('cannot find the workflow file in the state machine module call');
  const stateMachine = {
    type: argument(environment, machineModule, 'type'),
    definition: JSON.parse(readFileSync(join(environment.dir, definitionFile), 'utf8')),
  };

  const [apiName, apiModule] = modulesFrom(environment, 'http-api')[0] ?? modulesFrom(environment, 'rest-api')[0];
  const api = {
    module: apiName,
    rateLimit: Number(argument(environment, apiModule, 'throttling_rate_limit')),
    burstLimit: Number(argument(environment, apiModule, 'throttling_burst_limit')),
    rateLimitMaximum: validatedMaximum(apiModule, 'throttling_rate_limit'),
    burstLimitMaximum: validatedMaximum(apiModule, 'throttling_burst_limit'),
  };

  const tables = {};
  for (const [name, module] of modulesFrom(environment, 'dynamodb-table')) {
    tables[name] = { globalSecondaryIndexes: (argument(environment, module, 'global_secondary_indexes') ?? []).map((index) => index.name) };
  }

  return {
    envDir: environment.dir,
    region: environment.variables.region,
    functions,
    stateMachine,
    api,
    tables,
    openOrderShards: readOpenOrderShards(constantsFile),
    queues: {
      maxReceiveCount: Number(settings.queues.maxReceiveCount),
      visibilityTimeoutSeconds: Number(settings.queues.visibilityTimeoutSeconds),
    },
    fulfilment: { successRate: Number(settings.fulfillment.successRate), maxReceiveCount: Number(settings.queues.maxReceiveCount) },
    reconciler: { intervalSeconds: Number(settings.reconciler.intervalSeconds), maxOrdersPerRun: Number(settings.reconciler.maxOrdersPerRun) },
  };
}
