#!/usr/bin/env node
// Zips a Lambda bundle for deployment: dist/apps/<app>/main.js -> dist/artifacts/<app>.zip
// (the `package` target of every Lambda app; Lambda's handler setting is `main.handler`).
//
// The zip is deterministic, so an unchanged bundle gives a byte-identical zip and the same hash
// (Terraform's source_code_hash, `nx affected -t deploy`): one entry, a fixed name, a fixed
// DOS timestamp (no extended-timestamp field, which would carry a real time), fixed permissions,
// and no compression, which would make the bytes depend on the zlib build of the machine.
//
//   node tools/package-lambda.mjs <app> [--dist dist]
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** 2000-01-01 00:00:00 in local time: DOS timestamps have no zone, so this encodes the same everywhere. */
const FIXED_MTIME = new Date(2000, 0, 1, 0, 0, 0);
/** A regular file, rw-r--r--. */
const FILE_MODE = 0o100644;
const ENTRY_NAME = 'main.js';

function usage(message) {
  console.error(`${message}\nusage: node tools/package-lambda.mjs <app> [--dist <dir>]`);
  process.exit(2);
}

/** Builds the zip in memory: returns its bytes. */
export function zipBundle(bundle) {
  return new Promise((resolveZip, reject) => {
    const zip = new yazl.ZipFile();
    zip.addBuffer(bundle, ENTRY_NAME, { mtime: FIXED_MTIME, mode: FILE_MODE, compress: false, forceDosTimestamp: true });
    zip.end();
    const chunks = [];
    zip.outputStream.on('data', (chunk) => chunks.push(chunk));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolveZip(Buffer.concat(chunks)));
  });
}

async function main() {
  const args = process.argv.slice(2);
  const app = args.find((a) => !a.startsWith('--'));
  if (!app || !/^[a-z0-9-]+$/.test(app)) usage('an app name is required');
  const distIndex = args.indexOf('--dist');
  const dist = resolve(root, distIndex >= 0 ? (args[distIndex + 1] ?? usage('--dist needs a value')) : 'dist');
  const bundlePath = join(dist, 'apps', app, ENTRY_NAME);
  let bundle;
  try {
    bundle = readFileSync(bundlePath);
  } catch {
    usage(`no bundle at ${relative(root, bundlePath)}: run nx run ${app}:build first`);
  }
  const zip = await zipBundle(bundle);
  const out = join(dist, 'artifacts', `${app}.zip`);
  mkdirSync(dirname(out), { recursive: true });
  // Write then rename, so a reader never sees half a zip.
  const tmp = `${out}.tmp-${process.pid}`;
  await new Promise((done, fail) => {
    const stream = createWriteStream(tmp);
    stream.on('error', fail);
    stream.end(zip, done);
  });
  renameSync(tmp, out);
  const sha256 = createHash('sha256').update(zip).digest();
  console.log(`${relative(root, out)}  ${zip.length} bytes  sha256 ${sha256.toString('hex')}  (base64 ${sha256.toString('base64')})`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
