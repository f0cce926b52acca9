/**
 * A Node 22 binary for running the bundles on the Lambda runtime's major. The npm package `node`
 * ships Node binaries; it is installed into a folder under the OS temp directory (never a
 * dependency of the workspace) and reused by later runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NODE_MAJOR = 22;
const CACHE = join(tmpdir(), `dofs-node${NODE_MAJOR}`);
const binaryIn = (dir: string): string => join(dir, 'node_modules', 'node', 'bin', 'node');

function versionOf(binary: string): string | undefined {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch {
    return undefined;
  }
}

/** The path of a Node 22 binary: this one when it is 22, else `node@22` from the npm registry, installed on first use. */
export function node22(): string {
  if (process.versions.node.startsWith(`${NODE_MAJOR}.`)) return process.execPath;
  const cached = binaryIn(CACHE);
  if (versionOf(cached)?.startsWith(`v${NODE_MAJOR}.`)) return cached;
  const staging = mkdtempSync(join(tmpdir(), `dofs-node${NODE_MAJOR}-`));
  try {
    writeFileSync(join(staging, 'package.json'), '{"private":true}\n');
    execFileSync('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `node@${NODE_MAJOR}`], {
      cwd: staging,
      stdio: 'ignore',
      timeout: 90_000,
    });
    if (!versionOf(binaryIn(staging))?.startsWith(`v${NODE_MAJOR}.`)) throw new Error(`node@${NODE_MAJOR} did not install a working binary`);
    rmSync(CACHE, { recursive: true, force: true });
    try {
      renameSync(staging, CACHE);
    } catch {
      // Another run installed it at the same moment: use that one.
      if (!existsSync(cached)) throw new Error(`could not place Node ${NODE_MAJOR} at ${CACHE}`);
    }
    return cached;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
