/**
 * The committed lockfile: the pipeline and the pull-request checks install exactly what was
 * tested (`npm ci --ignore-scripts`), and a clone on macOS or Windows still gets its platform's
 * native binaries (esbuild, swc, Nx, ...), because the lockfile lists every platform's optional
 * package, each with its integrity hash, and names no registry.
 */
import { spawnSync } from 'node:child_process';
import { readWorkspaceFile, WORKSPACE_ROOT } from './support/terraform';

interface LockedPackage {
  version?: string;
  integrity?: string;
  resolved?: string;
  link?: boolean;
  os?: string[];
  cpu?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const lock = JSON.parse(readWorkspaceFile('package-lock.json')) as { lockfileVersion: number; packages: Record<string, LockedPackage> };
const manifest = JSON.parse(readWorkspaceFile('package.json')) as Record<string, Record<string, string>>;

/** The entry node's resolution would pick for `name` required from the package at `from`. */
function resolveFrom(from: string, name: string): LockedPackage | undefined {
  const parts = from ? from.split('/node_modules/') : [];
  for (let depth = parts.length; depth >= 0; depth -= 1) {
    const prefix = parts.slice(0, depth).join('/node_modules/');
    const found = lock.packages[`${prefix ? `${prefix}/` : ''}node_modules/${name}`];
    if (found) return found;
  }
  return undefined;
}

describe('package-lock.json', () => {
  it('is committed (not ignored) and in the format npm ci reads', () => {
    const ignored = spawnSync('git', ['check-ignore', '-q', 'package-lock.json'], { cwd: WORKSPACE_ROOT });
    expect(ignored.status).toBe(1); // 1: not ignored
    expect(lock.lockfileVersion).toBe(3);
  });

  it('locks what package.json asks for (npm ci refuses a lockfile out of sync)', () => {
    const root = lock.packages[''] as LockedPackage;
    expect(root.dependencies).toEqual(manifest.dependencies);
    expect(root.devDependencies).toEqual(manifest.devDependencies);
  });

  it('names no registry: every entry is fetched from the installing machine\'s registry and checked by integrity', () => {
    const withUrls = Object.entries(lock.packages).filter(([, p]) => p.resolved && !p.link);
    expect(withUrls.map(([k]) => k)).toEqual([]);
    const withoutIntegrity = Object.entries(lock.packages).filter(([k, p]) => k.includes('node_modules/') && !p.link && !p.integrity);
    expect(withoutIntegrity.map(([k]) => k)).toEqual([]);
    expect(readWorkspaceFile('.npmrc')).toMatch(/^omit-lockfile-registry-resolved=true$/m);
  });

  it('lists every platform\'s optional native package, so macOS and Windows installs get theirs', () => {
    const missing: string[] = [];
    for (const [path, pkg] of Object.entries(lock.packages)) {
      for (const name of Object.keys(pkg.optionalDependencies ?? {})) {
        if (!resolveFrom(path, name)) missing.push(`${path || '(root)'} -> ${name}`);
      }
    }
    expect(missing).toEqual([]);
    const platforms = (name: string): string[] =>
      Object.entries(lock.packages)
        .filter(([k]) => k.startsWith(`node_modules/${name}`))
        .flatMap(([, p]) => p.os ?? []);
    for (const name of ['@esbuild/', '@swc/core-', '@nx/nx-']) {
      expect({ name, os: [...new Set(platforms(name))].sort() }).toEqual({ name, os: expect.arrayContaining(['darwin', 'linux', 'win32']) });
    }
  });

  it('is what CodeBuild and GitHub Actions install, with no install scripts', () => {
    for (const file of ['buildspec.yml', '.github/workflows/ci.yml']) {
      const text = readWorkspaceFile(file);
      expect({ file, ci: text.includes('npm ci --ignore-scripts') }).toEqual({ file, ci: true });
      expect({ file, install: /npm install\b/.test(text) }).toEqual({ file, install: false });
    }
  });
});
