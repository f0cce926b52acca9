/**
 * One offline validate + plan of the three roots per test run, shared by every spec file that
 * needs it. Jest runs spec files in several worker processes: the first to ask plans (holding a
 * lock directory in the run's temporary folder, made by global-setup.cjs) and writes the result;
 * the others wait for it. Nothing is cached beyond the run (global-teardown.cjs deletes it).
 *
 * Where the plugin directory with the provider binary does not exist (see plugin-dir.ts), the
 * checks are skipped with a notice; where it does, they are required.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPluginDir, terraformOnPath } from './plugin-dir';
import { planAllOffline, type OfflineResult } from './terraform-offline';

export type Offline = { available: true; result: OfflineResult } | { available: false; reason: string };

const WAIT_MS = 10 * 60 * 1000;

function runDir(): string {
  const dir = process.env.DOFS_OFFLINE_PLAN_DIR;
  if (dir) return dir;
  // Outside `jest -c infra/jest.config.cjs` (no global setup): this process alone.
  process.env.DOFS_OFFLINE_PLAN_DIR = mkdtempSync(join(tmpdir(), 'dofs-offline-run-'));
  return process.env.DOFS_OFFLINE_PLAN_DIR;
}

async function waitFor(file: string, failure: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!existsSync(file)) {
    if (existsSync(failure)) throw new Error(`the offline plan failed in another worker:\n${readFileSync(failure, 'utf8')}`);
    if (Date.now() > deadline) throw new Error('timed out waiting for the offline plan of another worker');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

let loaded: Promise<Offline> | undefined;

export function offline(): Promise<Offline> {
  loaded ??= (async (): Promise<Offline> => {
    if (!terraformOnPath()) return { available: false, reason: 'terraform is not on PATH' };
    const plugins = findPluginDir();
    if (!plugins.dir) return { available: false, reason: plugins.reason ?? 'no plugin directory' };
    const dir = runDir();
    const result = join(dir, 'result.json');
    const failure = join(dir, 'failure.txt');
    try {
      mkdirSync(join(dir, 'lock'));
    } catch {
      await waitFor(result, failure);
      return { available: true, result: JSON.parse(readFileSync(result, 'utf8')) as OfflineResult };
    }
    try {
      const planned = await planAllOffline(plugins.dir);
      writeFileSync(`${result}.tmp`, JSON.stringify(planned));
      renameSync(`${result}.tmp`, result);
      return { available: true, result: planned };
    } catch (error) {
      writeFileSync(failure, error instanceof Error ? (error.stack ?? error.message) : String(error));
      throw error;
    }
  })();
  return loaded;
}

/** `describe` when the offline plan can run here, otherwise a skipped block that says why. */
export function describeOffline(name: string, body: (get: () => OfflineResult) => void): void {
  const terraform = terraformOnPath();
  const plugins = terraform ? findPluginDir() : undefined;
  const reason = !terraform ? 'terraform is not on PATH' : plugins?.dir ? undefined : plugins?.reason;
  if (reason) {
    // The notice the test run shows where the checks cannot run.
    console.warn(`[infra] skipped "${name}": ${reason}; these checks run where the provider's plugin directory exists (infra/README.md).`);
    describe.skip(name, () => body(() => ({}) as OfflineResult));
    return;
  }
  describe(name, () => {
    let result: OfflineResult;
    beforeAll(async () => {
      const got = await offline();
      if (!got.available) throw new Error(got.reason);
      result = got.result;
    }, WAIT_MS);
    body(() => result);
  });
}
