/**
 * The artifact manifest: Plan deploys exactly the artifact set of the commit being deployed.
 * Runs the Publish stage's scripts (publish-artifacts.sh, publish-artifact.sh,
 * artifact-manifest.mjs) as the pipeline does. S3 is a directory behind a stand-in `aws`
 * command (test/support/fake-aws/aws): there is no local S3 server to run them against.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INFRA_ROOT } from './support/terraform';
import { APPS } from './support/settings';

const BUCKET = 'dofs-dev-lambda-artifacts';
const PUBLISH = join(INFRA_ROOT, 'scripts', 'publish-artifacts.sh');
const FAKE_AWS = join(INFRA_ROOT, 'test', 'support', 'fake-aws');

const W = 'a'.repeat(40);
const X = 'b'.repeat(40);
const Y = 'c'.repeat(40);

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

/** Build & Test's output artifact for `commit`: a zip per rebuilt app (content = label) and build.json. */
function bundles(commit: string, base: string | null, rebuilt: Record<string, string>): string {
  const dir = join(work, `bundles-${commit.slice(0, 4)}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(join(dir, 'artifacts'), { recursive: true });
  writeFileSync(join(dir, 'artifacts', 'build.json'), JSON.stringify({ commit, base }));
  for (const [app, content] of Object.entries(rebuilt)) writeFileSync(join(dir, 'artifacts', `${app}.zip`), content);
  return dir;
}

function publish(dir: string, commit: string): { status: number | null; stderr: string; manifest?: Manifest } {
  const out = join(dir, 'manifest-output');
  const run = spawnSync('bash', [PUBLISH, dir, out], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${FAKE_AWS}:${process.env.PATH}`, FAKE_S3: s3, DOFS_ARTIFACTS_BUCKET: BUCKET, COMMIT_ID: commit },
  });
  if (run.status !== 0) return { status: run.status, stderr: run.stderr };
  const manifest = JSON.parse(readFileSync(join(out, 'artifacts.tfvars.json'), 'utf8')) as Manifest;
  return { status: run.status, stderr: run.stderr, manifest };
}

const everyApp = (label: string): Record<string, string> => Object.fromEntries(APPS.map((app) => [app, `${label}-${app}`]));

describe('the artifact manifest', () => {
  it('of a first deployment names every app\'s package, uploaded under its content address, and is stored by commit', () => {
    const { status, stderr, manifest } = publish(bundles(W, null, everyApp('W')), W);
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
    expect(JSON.parse(readFileSync(join(s3, BUCKET, 'manifests', `${W}.json`), 'utf8'))).toEqual(manifest);
  });

  it('after a rejected change and its revert, deploys the last deployed commit\'s package, not the rejected one', () => {
    const w = publish(bundles(W, null, everyApp('W')), W).manifest as Manifest;
    // X changes api-handler; it is rejected (or fails the smoke test): last-deployed-sha stays W.
    const x = publish(bundles(X, W, { 'api-handler': 'X-api-handler' }), X).manifest as Manifest;
    expect(x.artifacts['api-handler']?.s3_key).not.toBe(w.artifacts['api-handler']?.s3_key);
    expect(x.artifacts['fulfill-order']).toEqual(w.artifacts['fulfill-order']);
    // Y reverts X: `nx affected` W..Y rebuilds nothing, and the manifest is W's.
    const y = publish(bundles(Y, W, {}), Y).manifest as Manifest;
    expect(y).toEqual(w);
  });

  it('does not re-upload a package that is already published (same content, same key and version)', () => {
    const w = publish(bundles(W, null, everyApp('W')), W).manifest as Manifest;
    const again = publish(bundles(X, W, { 'store-order': 'W-store-order' }), X).manifest as Manifest;
    expect(again.artifacts['store-order']).toEqual(w.artifacts['store-order']);
    const calls = readFileSync(join(s3, 'calls.log'), 'utf8').trim().split('\n');
    expect(calls.filter((c) => c.startsWith('s3api put-object'))).toHaveLength(APPS.length);
  });

  it('fails, rather than deploy an incomplete set, when an app is neither rebuilt nor in a base manifest', () => {
    const { status, stderr } = publish(bundles(X, null, { 'api-handler': 'X-api-handler' }), X);
    expect(status).not.toBe(0);
    expect(stderr).toContain('no artifact for');
    expect(stderr).toContain('dlq-handler');
  });

  it('fails when the bundles were built from another commit than the one being deployed', () => {
    const { status, stderr } = publish(bundles(X, null, everyApp('X')), Y);
    expect(status).not.toBe(0);
    expect(stderr).toContain(`built from ${X}, not ${Y}`);
  });
});
