// What a start needs before anything runs: its folders, settings and issuer, and the checks that
// fail in milliseconds with a message a person can act on (no bundles, another stack on the data).
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ensureAuthMaterial, type AuthMaterial } from '@dofs/local-aws/auth';
import { bundlePath, effectiveSettings, type EffectiveSettings } from '../config';
import { DEFAULT_WORKFLOW_TYPE, FUNCTION_NAMES } from '../constants';
import { StackLogger } from '../log';
import { findWorkspaceRoot } from '../paths';
import type { WorkflowType } from '../sfn/service';
import type { LocalStackOptions } from '../stack-options';

export const STATE_FILE = 'local-stack.json';

/** A problem a person can fix; main.ts prints its message as is (one line). */
export class StackStartError extends Error {
  override name = 'StackStartError';
}

export interface StackPlan {
  logger: StackLogger;
  dataDir: string;
  bundleDir: string;
  /** DynamoDB Local's data. */
  dbPath: string;
  /** The Step Functions execution journal. */
  journalFile: string;
  stateFile: string;
  settings: EffectiveSettings;
  logLevel: string;
  workflowType: WorkflowType;
  authMode: 'jwt' | 'none';
  /** The local issuer's key pair and app client: created at the first start, reused afterwards. */
  authMaterial: AuthMaterial;
}

export async function planStack(options: LocalStackOptions): Promise<StackPlan> {
  const root = options.root ?? findWorkspaceRoot();
  const dataDir = path.resolve(options.dataDir ?? path.join(root, '.data'));
  const bundleDir = path.resolve(options.bundleDir ?? path.join(root, 'dist', 'apps'));
  const dbPath = path.join(dataDir, 'dynamodb');
  const journalFile = path.join(dataDir, 'stepfunctions', 'executions.jsonl');
  const stateFile = path.join(dataDir, STATE_FILE);
  const settings = effectiveSettings({ successRate: options.successRate, visibilityTimeoutSeconds: options.visibilityTimeoutSeconds });
  // The SDK's "Node 20 is going away" notice is about this machine, not about the Lambda runtime (nodejs22.x).
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

  const missing = FUNCTION_NAMES.filter((name) => !existsSync(bundlePath(bundleDir, name)));
  if (missing.length > 0) {
    throw new StackStartError(
      `missing bundles ${missing.map((n) => `dist/apps/${n}/main.js`).join(', ')}: build them with "npx nx run-many -t build -p ${FUNCTION_NAMES.join(',')}" (npm start does it for you)`,
    );
  }
  const previous = livePid(stateFile);
  if (previous !== undefined) {
    throw new StackStartError(`another local stack (pid ${previous}) is using ${dataDir}: stop it first, or give this one its own --data-dir`);
  }
  if (options.fresh) {
    rmSync(dbPath, { recursive: true, force: true });
    rmSync(path.dirname(journalFile), { recursive: true, force: true });
  }
  mkdirSync(dataDir, { recursive: true });
  return {
    logger: options.logger ?? new StackLogger(),
    dataDir,
    bundleDir,
    dbPath,
    journalFile,
    stateFile,
    settings,
    logLevel: options.logLevel ?? 'info',
    workflowType: options.workflowType ?? DEFAULT_WORKFLOW_TYPE,
    authMode: options.auth === false ? 'none' : 'jwt',
    authMaterial: await ensureAuthMaterial(dataDir),
  };
}

/** The pid of another process's stack that still runs on this data, from its state file. */
function livePid(stateFile: string): number | undefined {
  if (!existsSync(stateFile)) return undefined;
  let pid: number | undefined;
  try {
    pid = (JSON.parse(readFileSync(stateFile, 'utf8')) as { pid?: number }).pid;
  } catch {
    return undefined; // unreadable: left by a stack that died while writing it
  }
  return pid && pid !== process.pid && pidAlive(pid) ? pid : undefined;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
