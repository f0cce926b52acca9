import { existsSync } from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

function walkUp(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, 'nx.json')) && existsSync(path.join(dir, 'infra', 'settings.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The monorepo root (where nx.json and infra/ live): from DOFS_WORKSPACE_ROOT, this file (the source
 * tree, or a bundle under dist/) or the working directory. The local tools run inside the workspace.
 */
export function findWorkspaceRoot(): string {
  if (cached) return cached;
  const fromEnv = process.env['DOFS_WORKSPACE_ROOT'];
  const found =
    (fromEnv && walkUp(fromEnv)) ||
    (typeof __dirname === 'string' ? walkUp(__dirname) : undefined) ||
    walkUp(process.cwd());
  if (!found) throw new Error('Cannot find the DOFS workspace root (a folder with nx.json and infra/settings.json).');
  cached = found;
  return found;
}
