/**
 * The artifact manifest: a plan deploys exactly the artifact set of the commit being deployed.
 * Runs what `nx affected -t deploy` runs for it: every app's deploy (publish-artifact.sh), then
 * infra:deploy's manifest step (artifact-manifest.mjs). S3 is a directory behind a stand-in `aws`
 * command (test/support/fake-aws/aws): there is no local S3 server to run them against.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INFRA_ROOT } from './support/terraform';
import { APPS } from './support/settings';

const BUCKET = 'dofs-dev-lambda-artifacts';
const PUBLISH = join(INFRA_ROOT, 'scripts', 'publish-artifact.sh');
const MANIFEST = join(INFRA_ROOT, 'scripts', 'artifact-manifest.mjs');
const FAKE_AWS = join(INFRA_ROOT, 'test', 'support', 'fake-aws');

interface Entry {
  s3_bucket: string;
  s3_key: string;
  s3_object_version: string;
  sha256: string;
  version: string;
}
type Manifest = { artifacts: Record<string, Entry> };

let work: string;
let s3: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'manifest-spec-'));
  s3 = join(work, 's3');
  mkdirSync(s3);
});

afterEach(() => rmSync(work, { recursive: true, force: true }));

/**
 * One commit's `nx affected -t deploy` up to the plan: the packages `package` wrote (content = the
 * bytes of each app's zip at that commit), each published, then the manifest assembled.
 */
function deploy(packages: Record<string, string>): { status: number | null; stderr: string; manifest?: Manifest } {
  const dist = join(work, `dist-${Math.random().toString(36).slice(2)}`);
  mkdirSync(join(dist, 'artifacts'), { recursive: true });
  const env = { ...process.env, PATH: `${FAKE_AWS}:${process.env.PATH}`, FAKE_S3: s3, DOFS_ARTIFACTS_BUCKET: BUCKET, DOFS_DIST: dist };
  for (const [app, content] of Object.entries(packages)) {
    writeFileSync(join(dist, 'artifacts', `${app}.zip`), content);
    const published = spawnSync('bash', [PUBLISH, app], { encoding: 'utf8', env });
    if (published.status !== 0) return { status: published.status, stderr: published.stderr };
  }
  const out = join(dist, 'artifacts.tfvars.json');
  const run = spawnSync(process.execPath, [MANIFEST, '--dist', dist, '--out', out], { encoding: 'utf8', env });
  if (run.status !== 0) return { status: run.status, stderr: run.stderr };
  return { status: 0, stderr: run.stderr, manifest: JSON.parse(readFileSync(out, 'utf8')) as Manifest };
}

const everyApp = (label: string, changed: Record<string, string> = {}): Record<string, string> =>
  Object.fromEntries(APPS.map((app) => [app, changed[app] ?? `${label}-${app}`]));
const putObjects = (): string[] => readFileSync(join(s3, 'calls.log'), 'utf8').trim().split('\n').filter((c) => c.startsWith('s3api put-object'));

describe('the artifact manifest', () => {
  it('names every app\'s package, uploaded under its content address', () => {
    const { status, stderr, manifest } = deploy(everyApp('W'));
    expect({ status, stderr: status === 0 ? '' : stderr }).toEqual({ status: 0, stderr: '' });
    expect(Object.keys(manifest?.artifacts ?? {}).sort()).toEqual([...APPS].sort());
    for (const app of APPS) {
      const entry = manifest?.artifacts[app] as Entry;
      expect(entry.s3_bucket).toBe(BUCKET);
      expect(entry.s3_key).toMatch(new RegExp(`^${app}/[0-9a-f]{64}\\.zip$`));
      expect(readFileSync(join(s3, BUCKET, entry.s3_key), 'utf8')).toBe(`W-${app}`);
      expect(entry.s3_object_version).toMatch(/^v-/);
      expect(Buffer.from(entry.sha256, 'base64')).toHaveLength(32);
      expect(entry.version).toMatch(/^\d+\.\d+\.\d+/);
    }
  });

  it('changes only the entry of the app whose package changed; the others are found already published', () => {
    const w = deploy(everyApp('W')).manifest as Manifest;
    const x = deploy(everyApp('W', { 'api-handler': 'X-api-handler' })).manifest as Manifest;
    expect(APPS.filter((app) => JSON.stringify(x.artifacts[app]) !== JSON.stringify(w.artifacts[app]))).toEqual(['api-handler']);
    expect(putObjects()).toHaveLength(APPS.length + 1);
  });

  it('after a rejected change and its revert, deploys the last deployed commit\'s packages, not the rejected one', () => {
    const w = deploy(everyApp('W')).manifest as Manifest;
    // X changes api-handler; it is rejected (or fails the smoke test). Y reverts it: its packages
    // are W's bytes again (packaging is deterministic), so its manifest is W's.
    deploy(everyApp('W', { 'api-handler': 'X-api-handler' }));
    const y = deploy(everyApp('W')).manifest as Manifest;
    expect(y).toEqual(w);
  });

  it('fails, rather than deploy an incomplete set, when an app\'s deploy did not run', () => {
    const others = Object.fromEntries(Object.entries(everyApp('X')).filter(([app]) => app !== 'dlq-handler'));
    const { status, stderr } = deploy(others);
    expect(status).not.toBe(0);
    expect(stderr).toContain('no artifact for dlq-handler');
  });
});
