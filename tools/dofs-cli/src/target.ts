import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CliError } from './errors';

/** Where the CLI reads and writes, and how its SDK clients reach it. */
export interface Target {
  /** For people: where the names and endpoints came from. */
  source: string;
  ordersTable: string;
  failedOrdersTable: string;
  /** Needed by `failed redrive` only. */
  orderQueueUrl?: string;
  /** Extra SDK client configuration (the local stack's endpoints and credentials); empty = the SDK's own configuration. */
  dynamodb: ClientSettings;
  sqs: ClientSettings;
}

export interface ClientSettings {
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface TargetFlags {
  stackFile?: string;
  aws?: boolean;
  ordersTable?: string;
  failedOrdersTable?: string;
  orderQueueUrl?: string;
  region?: string;
}

/** What the local stack writes to `<data-dir>/local-stack.json` (apps/local-stack/src/stack.ts), as far as the CLI reads it. */
interface StackState {
  pid?: number;
  endpoints?: { dynamodb?: string; sqs?: string };
  clientEnv?: Record<string, string>;
  queueUrls?: { orderQueueUrl?: string };
  settings?: { tables?: { orders?: string; failedOrders?: string } };
}

export const STACK_STATE_FILE = path.join('.data', 'local-stack.json');
export const TERRAFORM_DIR = path.join('infra', 'envs', 'dev');

/** The workspace root (nx.json + infra/settings.json) at or above `from`, else undefined. */
export function findWorkspaceRoot(from: string): string | undefined {
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(dir, 'nx.json')) && existsSync(path.join(dir, 'infra', 'settings.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The local stack's state file (`local-stack.json`), parsed, if the stack that wrote it still runs.
 * `otherwise` ends the message of a stopped stack (what else the person can do).
 */
export function readLiveStackState<T extends { pid?: number }>(file: string, otherwise = ''): T {
  let state: T;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (error) {
    throw new CliError(`cannot read the local stack's state file ${file}: ${(error as Error).message}`);
  }
  if (state.pid !== undefined && !pidAlive(state.pid)) {
    throw new CliError(`the local stack that wrote ${file} is not running (pid ${state.pid}): start it with npm start${otherwise}`);
  }
  return state;
}

function fromStackFile(file: string): Target {
  const state = readLiveStackState<StackState>(file, ', or pass --aws with table names');
  const orders = state.settings?.tables?.orders;
  const failed = state.settings?.tables?.failedOrders;
  const env = state.clientEnv ?? {};
  if (!orders || !failed || !state.endpoints?.dynamodb) throw new CliError(`${file} has no table names or DynamoDB endpoint: is it a local-stack.json?`);
  const credentials = env['AWS_ACCESS_KEY_ID'] && env['AWS_SECRET_ACCESS_KEY'] ? { accessKeyId: env['AWS_ACCESS_KEY_ID'], secretAccessKey: env['AWS_SECRET_ACCESS_KEY'] } : undefined;
  const base = { region: env['AWS_REGION'] ?? 'us-east-1', ...(credentials ? { credentials } : {}) };
  return {
    source: `local stack (${file})`,
    ordersTable: orders,
    failedOrdersTable: failed,
    ...(state.queueUrls?.orderQueueUrl ? { orderQueueUrl: state.queueUrls.orderQueueUrl } : {}),
    dynamodb: { ...base, endpoint: state.endpoints.dynamodb },
    sqs: { ...base, ...(state.endpoints.sqs ? { endpoint: state.endpoints.sqs } : {}) },
  };
}

/** `terraform output -json` of infra/envs/dev, or undefined when terraform or its state is not there. */
function terraformOutputs(root: string | undefined): Record<string, string> | undefined {
  if (!root || !existsSync(path.join(root, TERRAFORM_DIR))) return undefined;
  try {
    const text = execFileSync('terraform', [`-chdir=${path.join(root, TERRAFORM_DIR)}`, 'output', '-json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 });
    const outputs = JSON.parse(text) as Record<string, { value?: unknown }>;
    const values: Record<string, string> = {};
    for (const [name, output] of Object.entries(outputs)) if (typeof output.value === 'string') values[name] = output.value;
    return Object.keys(values).length > 0 ? values : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Finds the system to operate on, in this order:
 * 1. `--stack-file <file>`: that local stack;
 * 2. `--aws`, a table or queue flag, or ORDERS_TABLE in the environment: the AWS SDK's own
 *    configuration (AWS_PROFILE, region, AWS_ENDPOINT_URL_*), names from the flags, else from the
 *    functions' variables (ORDERS_TABLE, FAILED_ORDERS_TABLE, ORDER_QUEUE_URL), else from
 *    `terraform -chdir=infra/envs/dev output -json`;
 * 3. a running local stack's `.data/local-stack.json` in the workspace;
 * 4. the SDK's configuration with the Terraform outputs.
 */
export function resolveTarget(flags: TargetFlags, env: NodeJS.ProcessEnv, cwd: string): Target {
  const root = findWorkspaceRoot(cwd);
  if (flags.stackFile) return withRegion(fromStackFile(path.resolve(cwd, flags.stackFile)), flags.region);
  const named = flags.aws || flags.ordersTable || flags.failedOrdersTable || flags.orderQueueUrl || env['ORDERS_TABLE'];
  const stackFile = root ? path.join(root, STACK_STATE_FILE) : undefined;
  if (!named && stackFile && existsSync(stackFile)) return withRegion(fromStackFile(stackFile), flags.region);

  let ordersTable = flags.ordersTable ?? env['ORDERS_TABLE'];
  let failedOrdersTable = flags.failedOrdersTable ?? env['FAILED_ORDERS_TABLE'];
  let orderQueueUrl = flags.orderQueueUrl ?? env['ORDER_QUEUE_URL'];
  let source = 'AWS SDK configuration, names from flags/environment';
  if (!ordersTable || !failedOrdersTable || !orderQueueUrl) {
    const outputs = terraformOutputs(root);
    if (outputs) {
      ordersTable ??= outputs['orders_table_name'];
      failedOrdersTable ??= outputs['failed_orders_table_name'];
      orderQueueUrl ??= outputs['order_queue_url'];
      source = `AWS SDK configuration, names from terraform output (${TERRAFORM_DIR})`;
    }
  }
  if (!ordersTable || !failedOrdersTable) {
    throw new CliError('no local stack running (.data/local-stack.json) and no table names: pass --orders-table and --failed-orders-table (and --order-queue-url to redrive), or run terraform in infra/envs/dev');
  }
  const sdk: ClientSettings = flags.region ? { region: flags.region } : {};
  return { source, ordersTable, failedOrdersTable, ...(orderQueueUrl ? { orderQueueUrl } : {}), dynamodb: sdk, sqs: sdk };
}

function withRegion(target: Target, region: string | undefined): Target {
  return region ? { ...target, dynamodb: { ...target.dynamodb, region }, sqs: { ...target.sqs, region } } : target;
}
