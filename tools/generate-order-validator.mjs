#!/usr/bin/env node
// Generates validators in libs/order-domain/src/generated/ from the one typebox definition of each
// schema (libs/order-domain/src/schemas.ts), so no Lambda bundle carries any of typebox's runtime
// (type builder and value module ~150 KB minified, error reporter ~55 KB, guard + format ~11 KB):
//   create-order-request.validator.ts (CreateOrderRequestSchema)
//     - `Check`: typebox's standalone validation code (typebox/compile `Code()`), made
//       self-contained: the one typebox helper it calls (code point counting) is written inline;
//     - `CREATE_ORDER_REQUEST_JSON_SCHEMA`: the schema as plain JSON, walked by the small error
//       lister in validate.ts on the (rare) invalid request to list every bad field. The lister
//       knows a fixed set of keywords: generation fails if the schema uses another.
//   order-message.validator.ts (OrderMessageSchema): `Check`.
//
//   node tools/generate-order-validator.mjs          write the files
//   node tools/generate-order-validator.mjs --check  exit 1 if a committed file is stale (a test runs this)
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const schemaSource = join(root, 'libs/order-domain/src/schemas.ts');
const generatedDir = join(root, 'libs/order-domain/src/generated');

/** schema export -> generated file, and the name of its plain JSON Schema export (if any). */
const TARGETS = [
  { schema: 'CreateOrderRequestSchema', file: 'create-order-request.validator.ts', jsonExport: 'CREATE_ORDER_REQUEST_JSON_SCHEMA' },
  { schema: 'OrderMessageSchema', file: 'order-message.validator.ts' },
];

async function loadSchemaModule() {
  // Bundle the TypeScript schema module (typebox left external) into the workspace tmp/ folder so
  // that `typebox` resolves from the workspace node_modules, then import it.
  const tmpRoot = join(root, 'tmp');
  mkdirSync(tmpRoot, { recursive: true });
  const dir = mkdtempSync(join(tmpRoot, 'order-validator-'));
  const outfile = join(dir, 'schemas.mjs');
  try {
    await build({ entryPoints: [schemaSource], bundle: true, format: 'esm', platform: 'node', packages: 'external', outfile, logLevel: 'error' });
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function regexLiteral(value) {
  if (!(value instanceof RegExp)) {
    throw new Error(`the generated validator needs an external value that is not a RegExp (${typeof value}); extend ${relative(root, fileURLToPath(import.meta.url))}`);
  }
  return value.toString();
}

/** The JSON Schema keywords validate.ts's error lister implements (and annotations it may ignore). */
const LISTED_KEYWORDS = new Set(['type', 'required', 'properties', 'additionalProperties', 'items', 'minItems', 'maxItems', 'minLength', 'maxLength', 'pattern', 'minimum', 'maximum']);
const ANNOTATIONS = new Set(['title', 'description', '$comment', 'examples', 'default']);
const LISTED_TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean', 'null']);

/** Throws unless every keyword of the schema is one the error lister knows (so none is silently skipped). */
export function assertListable(schema, at = '#') {
  if (typeof schema === 'boolean') return;
  for (const [keyword, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(keyword)) continue;
    if (!LISTED_KEYWORDS.has(keyword)) throw new Error(`${at}: keyword "${keyword}" is not supported by the error lister in libs/order-domain/src/validate.ts; extend it (and its equivalence test) first`);
    if (keyword === 'type' && !LISTED_TYPES.has(value)) throw new Error(`${at}: type ${JSON.stringify(value)} is not supported by the error lister`);
    if (keyword === 'additionalProperties' && value !== false && value !== true) throw new Error(`${at}: only additionalProperties true/false is supported by the error lister`);
    if (keyword === 'items' && (Array.isArray(value) || typeof value !== 'object')) throw new Error(`${at}: only a single items schema is supported by the error lister`);
  }
  for (const [key, sub] of Object.entries(schema.properties ?? {})) assertListable(sub, `${at}/properties/${key}`);
  if (schema.items !== undefined) assertListable(schema.items, `${at}/items`);
}

/** What typebox's guard module does for the generated code, inline (importing it brings ~11 KB of format checks). */
const INLINE_GUARD = [
  '// typebox/guard `CodePointCount`, inline: the length in code points, a surrogate pair counting once.',
  'const Guard = {',
  '  CodePointCount(value: string): number {',
  '    let result = 0, prev = 0;',
  '    for (let index = 0; index < value.length; index++) {',
  '      const next = value.charCodeAt(index) >> 0xa;',
  '      result += +(((prev << 8) | next) !== 0x3637);',
  '      prev = next;',
  '    }',
  '    return result;',
  '  },',
  '};',
].join('\n');

/** The code of `Code()` without imports of typebox: fails if it needs anything but what is inlined here. */
function selfContained(code, name) {
  let out = code.replace('import { Hashing } from "typebox/system"\n', '');
  if (/\bHashing\./.test(out)) throw new Error(`${name}: the generated check uses typebox's Hashing; inline it in ${relative(root, fileURLToPath(import.meta.url))}`);
  const guardCalls = new Set([...out.matchAll(/\bGuard\.(\w+)/g)].map((m) => m[1]));
  const unknown = [...guardCalls].filter((fn) => fn !== 'CodePointCount');
  if (unknown.length > 0) throw new Error(`${name}: the generated check uses Guard.${unknown.join(', Guard.')}; inline it in ${relative(root, fileURLToPath(import.meta.url))}`);
  out = out.replace('import { Guard } from "typebox/guard"\n', guardCalls.size > 0 ? `${INLINE_GUARD}\n` : '');
  if (/from "typebox/.test(out)) throw new Error(`${name}: the generated check still imports typebox`);
  return out;
}

function renderOne(Code, schema, name, jsonExport) {
  const result = Code(schema);
  const variables = result.External.variables.map(regexLiteral);
  const lines = [
    '/* eslint-disable */',
    `// GENERATED by tools/generate-order-validator.mjs from ${name} (../schemas.ts). Do not edit:`,
    '// after changing the schema run `node tools/generate-order-validator.mjs` (a test fails while this file is stale).',
    '',
    selfContained(result.Code.trim(), name),
    '',
    "// The external values of the code above (the schema's patterns), set once at module load.",
    `SetExternal({ identifier: ${JSON.stringify(result.External.identifier)}, variables: [${variables.join(', ')}] });`,
    '',
  ];
  if (jsonExport) {
    assertListable(JSON.parse(JSON.stringify(schema)), name);
    const jsonSchema = JSON.stringify(JSON.parse(JSON.stringify(schema)), null, 2);
    lines.push(`/** ${name} as plain JSON Schema, for the error lister in ../validate.ts. */`, `export const ${jsonExport}: Record<string, unknown> = ${jsonSchema};`, '');
  }
  return lines.join('\n');
}

/** The generated files: path -> text. */
export async function render() {
  const schemas = await loadSchemaModule();
  const { Code } = await import('typebox/compile');
  return new Map(TARGETS.map((t) => [join(generatedDir, t.file), renderOne(Code, schemas[t.schema], t.schema, t.jsonExport)]));
}

async function main() {
  const files = await render();
  if (process.argv.includes('--check')) {
    const stale = [...files].filter(([path, text]) => {
      try {
        return readFileSync(path, 'utf8') !== text;
      } catch {
        return true;
      }
    });
    for (const [path] of stale) console.error(`${relative(root, path)} is stale: run node tools/generate-order-validator.mjs`);
    if (stale.length > 0) process.exit(1);
    console.log(`${[...files.keys()].map((p) => relative(root, p)).join(', ')} up to date`);
    return;
  }
  mkdirSync(generatedDir, { recursive: true });
  for (const [path, text] of files) {
    writeFileSync(path, text);
    console.log(`wrote ${relative(root, path)}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
