#!/usr/bin/env node
// Writes infra/schema/aws-provider.json: the AWS provider schema of exactly the resource and data
// source types infra/ uses (argument names, which names are nested blocks, required arguments),
// which infra/test/provider-schema.spec.ts checks every .tf file against, offline.
//
// The schema comes from the npm package @cdktf/provider-aws (Terraform bindings generated from
// hashicorp/aws): each lib/<type>/index.js lists a block's arguments in its *ToHclTerraform /
// synthesizeHclAttributes functions with `isBlock`, and index.d.ts marks optional ones with `?`.
// The package is ~390 MB unpacked, so it is never a dependency of the workspace: this script
// installs it into a temporary folder, reads it and deletes the folder.
//
//   node infra/scripts/provider-schema.mjs                    # install, extract, write
//   node infra/scripts/provider-schema.mjs --package-dir DIR  # use an installed package instead
//   node infra/scripts/provider-schema.mjs --check            # exit 1 if the file would change
//
// Run it after adding a resource or data source type to infra/ (the schema test names the missing type).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const INFRA = join(ROOT, 'infra');
const OUT = join(INFRA, 'schema', 'aws-provider.json');
const PACKAGE = '@cdktf/provider-aws';
/** 21.x binds hashicorp/aws 6.x, the provider range every versions.tf pins. */
const PACKAGE_RANGE = '21';
const SKIP_DIRS = new Set(['.terraform', 'node_modules', 'test', 'schema']);

/** Every .tf file under infra/ (test fixtures excluded). */
export function tfFiles(dir = INFRA) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const path = join(dir, e.name);
      if (e.isDirectory()) return SKIP_DIRS.has(e.name) ? [] : tfFiles(path);
      return e.isFile() && e.name.endsWith('.tf') ? [path] : [];
    })
    .sort();
}

/** The resource and data source types infra/ declares: { resource: [...], data: [...] }. */
export function usedTypes(files = tfFiles()) {
  const used = { resource: new Set(), data: new Set() };
  for (const file of files) {
    // terraform fmt puts top-level block headers at the start of a line.
    for (const m of readFileSync(file, 'utf8').matchAll(/^(resource|data)\s+"([a-z0-9_]+)"/gm)) used[m[1]].add(m[2]);
  }
  return { resource: [...used.resource].sort(), data: [...used.data].sort() };
}

function filesUnder(dir, suffix) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return filesUnder(path, suffix);
    return e.name.endsWith(suffix) ? [path] : [];
  });
}

/** The text of `const attrs = { ... };` starting at `from`, by brace matching. */
function attrsObject(js, from) {
  const start = js.indexOf('const attrs = {', from);
  if (start < 0) return undefined;
  let depth = 0;
  for (let i = js.indexOf('{', start); i < js.length; i += 1) {
    if (js[i] === '{') depth += 1;
    else if (js[i] === '}' && --depth === 0) return js.slice(start, i + 1);
  }
  throw new Error('unbalanced attrs object');
}

/** [{ name, isBlock, nested }] of one attrs object; nested = the *ToHclTerraform function of a block. */
function arguments_(attrs) {
  const out = [];
  for (const m of attrs.matchAll(/^\s{8,12}(\w+): \{\s*value: ([\s\S]*?),\s*isBlock: (true|false),/gm)) {
    const nested = /(?<!cdktf\.)\b(\w+)ToHclTerraform\b/.exec(m[2]);
    out.push({ name: m[1], isBlock: m[3] === 'true', nested: m[3] === 'true' && nested ? `${nested[1]}ToHclTerraform` : undefined });
  }
  return out;
}

/**
 * Interfaces of the .d.ts files: name -> Map(snake_case argument -> optional?). The snake_case
 * name is the anchor of each property's doc link (`...#role_arn Codepipeline#role_arn`).
 */
function interfaces(dts) {
  const out = new Map();
  for (const m of dts.matchAll(/export interface (\w+)(?: extends [\w.]+)? \{([\s\S]*?)\n\}/g)) {
    const props = new Map();
    for (const p of m[2].matchAll(/#(\w+) \w+#\w+\}\s*\*\/\s*readonly (\w+)(\??):/g)) props.set(p[1], p[3] === '?');
    out.set(m[1], props);
  }
  return out;
}

/** Reads one type's folder into { arguments: [...], required: [...], blocks: { name: {...} } }. */
function extractType(dir, tfType) {
  const js = filesUnder(dir, '.js').map((f) => readFileSync(f, 'utf8')).join('\n');
  const dts = filesUnder(dir, '.d.ts').map((f) => readFileSync(f, 'utf8')).join('\n');
  const ifaces = interfaces(dts);
  const structOf = new Map(
    [...dts.matchAll(/export declare function (\w+ToHclTerraform)\(struct\?: ([^)]+)\)/g)].map((m) => [
      m[1],
      // e.g. `XOutputReference | X`, `X[] | cdktf.IResolvable`: the plain interface X.
      m[2]
        .split('|')
        .map((t) => t.trim().replace(/\[\]$/, ''))
        .find((t) => /^\w+$/.test(t) && !t.endsWith('OutputReference')),
    ]),
  );
  const fnBody = (fn) => {
    const at = js.indexOf(`function ${fn}(struct)`);
    if (at < 0) throw new Error(`${tfType}: no ${fn} in ${dir}`);
    return attrsObject(js, at) ?? '{}';
  };

  const describe = (attrsText, iface, path) => {
    const props = ifaces.get(iface);
    if (!props) throw new Error(`${tfType}: no interface ${iface} for ${path}`);
    const node = { arguments: [], required: [], blocks: {} };
    for (const arg of arguments_(attrsText)) {
      if (arg.isBlock) {
        if (!arg.nested) throw new Error(`${tfType}: block ${path}.${arg.name} has no nested mapper`);
        node.blocks[arg.name] = describe(fnBody(arg.nested), structOf.get(arg.nested), `${path}.${arg.name}`);
      } else {
        node.arguments.push(arg.name);
      }
      if (props.get(arg.name) === false) node.required.push(arg.name);
    }
    node.arguments.sort();
    node.required.sort();
    node.blocks = Object.fromEntries(Object.entries(node.blocks).sort(([a], [b]) => a.localeCompare(b)));
    return node;
  };

  const classMatch = new RegExp(`(\\w+)\\.tfResourceType = "${tfType}";`).exec(js);
  if (!classMatch) throw new Error(`${dir} does not define ${tfType}`);
  const synth = js.indexOf('synthesizeHclAttributes()');
  return describe(attrsObject(js, synth), `${classMatch[1]}Config`, tfType);
}

function folderOf(kind, tfType) {
  const base = tfType.replace(/^aws_/, '').replaceAll('_', '-');
  return kind === 'data' ? `data-aws-${base}` : base;
}

export function extract(packageDir, types = usedTypes()) {
  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const schema = {
    $comment: 'Generated by infra/scripts/provider-schema.mjs; do not edit. Regenerate after adding a resource or data source type.',
    source: `${pkg.name}@${pkg.version}`,
    provider: `hashicorp/aws@${pkg.cdktf?.provider?.version ?? 'unknown'}`,
    resource: {},
    data: {},
  };
  for (const kind of ['resource', 'data']) {
    for (const tfType of types[kind]) {
      const dir = join(packageDir, 'lib', folderOf(kind, tfType));
      if (!existsSync(dir)) throw new Error(`${kind} ${tfType}: ${relative(packageDir, dir)} not in ${pkg.name}@${pkg.version}`);
      schema[kind][tfType] = extractType(dir, tfType);
    }
  }
  return schema;
}

function installPackage() {
  const dir = mkdtempSync(join(tmpdir(), 'provider-schema-'));
  writeFileSync(join(dir, 'package.json'), '{"private":true}\n');
  execFileSync(
    'npm',
    ['install', '--no-save', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund', `${PACKAGE}@${PACKAGE_RANGE}`],
    { cwd: dir, stdio: 'inherit' },
  );
  return { dir, packageDir: join(dir, 'node_modules', ...PACKAGE.split('/')) };
}

function main() {
  const args = process.argv.slice(2);
  const at = args.indexOf('--package-dir');
  const given = at >= 0 ? resolve(args[at + 1] ?? '') : undefined;
  const installed = given ? undefined : installPackage();
  try {
    const schema = extract(given ?? installed.packageDir);
    const text = `${JSON.stringify(schema, null, 2)}\n`;
    if (args.includes('--check')) {
      const current = existsSync(OUT) ? readFileSync(OUT, 'utf8') : '';
      if (current !== text) {
        console.error(`${relative(ROOT, OUT)} is out of date: run node infra/scripts/provider-schema.mjs`);
        process.exit(1);
      }
      console.log(`${relative(ROOT, OUT)} is up to date`);
      return;
    }
    writeFileSync(OUT, text);
    const count = Object.keys(schema.resource).length + Object.keys(schema.data).length;
    console.log(`${relative(ROOT, OUT)}: ${count} types from ${schema.source} (${schema.provider})`);
  } finally {
    if (installed) rmSync(installed.dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
