#!/usr/bin/env node
// Assembles the artifact manifest of one commit: which package every function deploys. Terraform
// reads it with -var-file (variable `artifacts` of infra/envs/<env>), so a plan deploys exactly
// the artifact set of the commit being deployed, never what some other run last published.
//
//   node infra/scripts/artifact-manifest.mjs [--dist <dir>] [--out <file>]
//
// The entries are the ones this run's deploy tasks wrote (<dist>/artifacts/<app>.artifact.json,
// publish-artifact.sh): `infra:deploy` runs after every app's `deploy` (Nx `^deploy`), so each
// function's entry comes from this commit's tree. Packages are deterministic and content-addressed,
// so an app that did not change has the key it already has, and Terraform leaves it alone. Every
// function in infra/settings.json must have an entry; an entry for an app that is not a function
// is refused.
//
// Output (default <dist>/artifacts/artifacts.tfvars.json):
//   {"artifacts": {"<app>": {"s3_bucket", "s3_key", "s3_object_version", "sha256", "version"}}}
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIELDS = ['s3_bucket', 's3_key', 's3_object_version', 'sha256', 'version'];
const ENTRY_SUFFIX = '.artifact.json';

function fail(message) {
  console.error(`artifact-manifest: ${message}`);
  process.exit(1);
}

function checkEntry(app, entry, from) {
  for (const field of FIELDS) {
    if (typeof entry?.[field] !== 'string' || entry[field] === '') fail(`${from}: ${app} has no ${field}`);
  }
  if (!entry.s3_key.startsWith(`${app}/`) || !entry.s3_key.endsWith('.zip')) fail(`${from}: ${app} key ${entry.s3_key} is not ${app}/<sha256>.zip`);
  return Object.fromEntries(FIELDS.map((f) => [f, entry[f]]));
}

function main() {
  const args = process.argv.slice(2);
  const option = (name) => {
    const at = args.indexOf(name);
    return at >= 0 ? (args[at + 1] ?? fail(`${name} needs a value`)) : undefined;
  };
  const dist = resolve(option('--dist') ?? join(root, 'dist'));
  const out = resolve(option('--out') ?? join(dist, 'artifacts', 'artifacts.tfvars.json'));
  const apps = Object.keys(JSON.parse(readFileSync(join(root, 'infra', 'settings.json'), 'utf8')).functions).sort();

  const artifacts = {};

  const dir = join(dist, 'artifacts');
  const published = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(ENTRY_SUFFIX)).sort() : [];
  for (const file of published) {
    const app = file.slice(0, -ENTRY_SUFFIX.length);
    if (!apps.includes(app)) fail(`${file}: ${app} is not a function in infra/settings.json`);
    artifacts[app] = checkEntry(app, JSON.parse(readFileSync(join(dir, file), 'utf8')), file);
  }

  const missing = apps.filter((app) => !artifacts[app]);
  if (missing.length > 0) fail(`no artifact for ${missing.join(', ')} (its deploy task did not run: run \`nx affected -t deploy\`, which runs every app's deploy before infra's)`);

  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ artifacts }, null, 2)}\n`);
  for (const app of apps) console.log(`${app}: ${artifacts[app].s3_key} (${artifacts[app].version})`);
  console.log(`wrote ${out}`);
}

main();
