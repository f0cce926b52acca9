/**
 * `nx affected --target=deploy` is the deploy command: the task graph Nx builds for it (the same
 * one the pipeline's Plan and Apply stages run with `-c plan` and `-c apply`, and a person runs
 * by hand) for a change to one app, to infra/settings.json and to the docs alone.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from './support/terraform';
import { APPS } from './support/settings';

interface TaskGraph {
  tasks: Record<string, { target: { project: string; target: string } }>;
  dependencies: Record<string, string[]>;
}

function deployGraph(file: string, configuration?: string): TaskGraph {
  const dir = mkdtempSync(join(tmpdir(), 'dofs-deploy-graph-'));
  try {
    const out = join(dir, 'graph.json');
    const args = ['nx', 'affected', '-t', 'deploy', ...(configuration ? ['-c', configuration] : []), `--files=${file}`, `--graph=${out}`];
    const run = spawnSync('npx', args, { cwd: WORKSPACE_ROOT, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' }, timeout: 120_000 });
    expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
    return (JSON.parse(readFileSync(out, 'utf8')) as { tasks: TaskGraph }).tasks;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every task that must have finished before `task` starts (transitively). */
function before(graph: TaskGraph, task: string, seen = new Set<string>()): Set<string> {
  for (const dep of graph.dependencies[task] ?? []) {
    if (seen.has(dep)) continue;
    seen.add(dep);
    before(graph, dep, seen);
  }
  return seen;
}

const chain = (app: string) => [`${app}:build`, `${app}:package`, `${app}:deploy`];
const EVERY_APP = APPS.flatMap(chain);

describe('nx affected -t deploy', () => {
  let oneApp: TaskGraph;
  let settings: TaskGraph;

  beforeAll(() => {
    oneApp = deployGraph('apps/api-handler/src/handler.ts');
    settings = deployGraph('infra/settings.json');
  }, 240_000);

  it.each([
    ['a change to one app', () => oneApp],
    ['a change to infra/settings.json', () => settings],
  ])('for %s: every app is packaged and published, then Terraform deploys once, after all of them', (_name, graph) => {
    const tasks = Object.keys(graph().tasks).sort();
    expect(tasks).toEqual([...EVERY_APP, 'infra:deploy'].sort());
    // Each app: build, then package, then publish.
    for (const app of APPS) {
      expect(graph().dependencies[`${app}:deploy`]).toEqual([`${app}:package`]);
      expect(graph().dependencies[`${app}:package`]).toEqual([`${app}:build`]);
    }
    // Terraform reads the manifest only once every publish has written its entry: no race.
    expect([...before(graph(), 'infra:deploy')].sort()).toEqual(EVERY_APP.sort());
    // Nothing waits for Terraform.
    expect(Object.values(graph().dependencies).flat()).not.toContain('infra:deploy');
  });

  it('deploys nothing for a change that touches no deployed project', () => {
    expect(Object.keys(deployGraph('docs/design.md').tasks)).toEqual([]);
  }, 120_000);

  it('runs the same task graph in the pipeline\'s two stages (-c plan, -c apply)', () => {
    const plan = deployGraph('apps/api-handler/src/handler.ts', 'plan');
    expect(plan.dependencies).toEqual(oneApp.dependencies);
  }, 120_000);
});
