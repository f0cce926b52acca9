#!/usr/bin/env node
// Writes docs/openapi.json, the OpenAPI 3.1 document of the order API, from openApiDocument() in
// libs/order-domain/src/openapi.ts (built from the typebox schemas: never edit the JSON by hand).
//
//   node tools/generate-openapi.mjs          write the file   (npx nx run order-domain:generate-openapi)
//   node tools/generate-openapi.mjs --check  exit 1 if the committed file is stale (a test checks it too)
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const OPENAPI_FILE = join(root, 'docs/openapi.json');

/** Bundles the TypeScript module (typebox left external, resolved from the workspace) and imports it. */
async function loadOpenApiModule() {
  const tmpRoot = join(root, 'tmp');
  mkdirSync(tmpRoot, { recursive: true });
  const dir = mkdtempSync(join(tmpRoot, 'openapi-'));
  const outfile = join(dir, 'openapi.mjs');
  try {
    await build({ entryPoints: [join(root, 'libs/order-domain/src/openapi.ts')], bundle: true, format: 'esm', platform: 'node', packages: 'external', outfile, logLevel: 'error' });
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const { renderOpenApiDocument } = await loadOpenApiModule();
const expected = renderOpenApiDocument();
const current = existsSync(OPENAPI_FILE) ? readFileSync(OPENAPI_FILE, 'utf8') : undefined;
const shown = relative(process.cwd(), OPENAPI_FILE);
if (process.argv.includes('--check')) {
  if (current !== expected) {
    console.error(`${shown} is stale: run node tools/generate-openapi.mjs`);
    process.exit(1);
  }
  console.log(`${shown} is up to date`);
} else if (current === expected) {
  console.log(`${shown} unchanged`);
} else {
  writeFileSync(OPENAPI_FILE, expected);
  console.log(`wrote ${shown}`);
}
