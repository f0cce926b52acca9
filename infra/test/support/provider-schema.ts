/**
 * Checks Terraform configurations against the AWS provider's schema without the provider: every
 * resource and data block's arguments and nested blocks (names, block vs argument, required
 * ones present) against infra/schema/aws-provider.json, and every module call's arguments
 * against the called module's variables. The schema file is a trimmed extract of the provider
 * (infra/scripts/provider-schema.mjs); a type it lacks is reported, never skipped.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { type HclBlock, hclStructure } from './hcl-structure';

export interface SchemaNode {
  arguments: string[];
  required: string[];
  blocks: Record<string, SchemaNode>;
}

export interface ProviderSchema {
  source: string;
  provider: string;
  resource: Record<string, SchemaNode>;
  data: Record<string, SchemaNode>;
}

export const SCHEMA_FILE = resolve(__dirname, '..', '..', 'schema', 'aws-provider.json');
export const REGENERATE = 'node infra/scripts/provider-schema.mjs';

export function loadSchema(path = SCHEMA_FILE): ProviderSchema {
  return JSON.parse(readFileSync(path, 'utf8')) as ProviderSchema;
}

/** Meta-arguments Terraform accepts in every resource / data / module block. */
const META_ARGUMENTS = {
  resource: new Set(['count', 'for_each', 'provider', 'depends_on']),
  data: new Set(['count', 'for_each', 'provider', 'depends_on']),
  module: new Set(['source', 'version', 'count', 'for_each', 'providers', 'depends_on']),
};
const META_BLOCKS = {
  resource: new Set(['lifecycle', 'provisioner', 'connection']),
  data: new Set(['lifecycle']),
  module: new Set<string>(),
};
const DYNAMIC_ARGUMENTS = new Set(['for_each', 'iterator', 'labels']);

export interface TfDir {
  /** Directory relative to the root the check was given, e.g. envs/dev */
  dir: string;
  files: { path: string; blocks: HclBlock[] }[];
}

const SKIP_DIRS = new Set(['.terraform', 'node_modules']);

/** Every directory under `root` holding .tf files, parsed (the `skip` names are not entered). */
export function loadTfDirs(root: string, skip: string[] = []): Map<string, TfDir> {
  const dirs = new Map<string, TfDir>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name) && !skip.includes(entry.name)) walk(path);
      } else if (entry.isFile() && entry.name.endsWith('.tf')) {
        const key = relative(root, dir) || '.';
        const tfDir = dirs.get(key) ?? { dir: key, files: [] };
        const rel = relative(root, path);
        tfDir.files.push({ path: rel, blocks: hclStructure(readFileSync(path, 'utf8'), rel) });
        dirs.set(key, tfDir);
      }
    }
  };
  walk(root);
  return dirs;
}

function checkBody(
  where: string,
  block: HclBlock,
  node: SchemaNode,
  meta: { arguments: Set<string>; blocks: Set<string> } | undefined,
  problems: string[],
): void {
  const given = new Set<string>();
  for (const attr of block.attributes) {
    given.add(attr.name);
    if (node.arguments.includes(attr.name) || meta?.arguments.has(attr.name)) continue;
    if (attr.name in node.blocks) problems.push(`${where}:${attr.line}: ${attr.name} is a nested block, not an argument`);
    else problems.push(`${where}:${attr.line}: unknown argument ${attr.name}`);
  }
  for (const child of block.blocks) {
    if (child.type === 'dynamic') {
      const name = child.labels[0] ?? '';
      given.add(name);
      const nested = node.blocks[name];
      if (!nested) {
        problems.push(
          `${where}:${child.line}: dynamic "${name}": ${node.arguments.includes(name) ? 'an argument, not a block' : 'unknown block'}`,
        );
        continue;
      }
      for (const attr of child.attributes) {
        if (!DYNAMIC_ARGUMENTS.has(attr.name)) problems.push(`${where}:${attr.line}: unknown argument ${attr.name} of dynamic "${name}"`);
      }
      for (const content of child.blocks) {
        if (content.type === 'content') checkBody(where, content, nested, undefined, problems);
        else problems.push(`${where}:${content.line}: dynamic "${name}" has a ${content.type} block (only content)`);
      }
      continue;
    }
    given.add(child.type);
    if (meta?.blocks.has(child.type)) continue;
    const nested = node.blocks[child.type];
    if (nested) checkBody(where, child, nested, undefined, problems);
    else if (node.arguments.includes(child.type)) {
      problems.push(`${where}:${child.line}: ${child.type} is an argument, not a block: write ${child.type} = ...`);
    } else problems.push(`${where}:${child.line}: unknown block ${child.type}`);
  }
  for (const name of node.required) {
    if (!given.has(name)) problems.push(`${where}:${block.line}: missing required ${name in node.blocks ? 'block' : 'argument'} ${name}`);
  }
}

/** Variables of a module directory: name -> whether a call must set it (no default). */
function moduleVariables(tfDir: TfDir): Map<string, boolean> {
  const variables = new Map<string, boolean>();
  for (const file of tfDir.files) {
    for (const block of file.blocks) {
      if (block.type !== 'variable') continue;
      variables.set(block.labels[0] ?? '', !block.attributes.some((a) => a.name === 'default'));
    }
  }
  return variables;
}

function moduleSource(root: string, tfDir: TfDir, block: HclBlock): string | undefined {
  const expression = block.attributes.find((a) => a.name === 'source')?.expression ?? '';
  const source = /^"(\.[^"$]*)"$/.exec(expression)?.[1];
  if (!source) return undefined;
  return relative(root, resolve(root, tfDir.dir, source)) || '.';
}

/** Problems of every configuration under `root` (empty when all is well). */
export function checkTfDirs(root: string, schema: ProviderSchema, dirs = loadTfDirs(root)): string[] {
  const problems: string[] = [];
  for (const tfDir of dirs.values()) {
    for (const file of tfDir.files) {
      for (const block of file.blocks) {
        if (block.type === 'resource' || block.type === 'data') {
          const kind = block.type;
          const [type = '', name = ''] = block.labels;
          const where = `${file.path} ${kind === 'data' ? 'data.' : ''}${type}.${name}`;
          const node = schema[kind][type];
          if (!node) {
            problems.push(`${where}:${block.line}: ${kind} type ${type} is not in the trimmed provider schema (regenerate it: ${REGENERATE})`);
            continue;
          }
          checkBody(where, block, node, { arguments: META_ARGUMENTS[kind], blocks: META_BLOCKS[kind] }, problems);
        } else if (block.type === 'module') {
          const name = block.labels[0] ?? '';
          const where = `${file.path} module.${name}`;
          const sourceDir = moduleSource(root, tfDir, block);
          const target = sourceDir === undefined ? undefined : dirs.get(sourceDir);
          if (!target) {
            problems.push(`${where}:${block.line}: source is not a local module directory`);
            continue;
          }
          const variables = moduleVariables(target);
          const given = new Set(block.attributes.map((a) => a.name));
          for (const attr of block.attributes) {
            if (!variables.has(attr.name) && !META_ARGUMENTS.module.has(attr.name)) {
              problems.push(`${where}:${attr.line}: ${target.dir} has no variable ${attr.name}`);
            }
          }
          for (const child of block.blocks) problems.push(`${where}:${child.line}: unexpected block ${child.type} in a module call`);
          for (const [variable, required] of variables) {
            if (required && !given.has(variable)) problems.push(`${where}:${block.line}: missing required variable ${variable} of ${target.dir}`);
          }
        }
      }
    }
  }
  return problems;
}

/** The resource and data source types the configurations use. */
export function usedTypes(dirs: Map<string, TfDir>): { resource: string[]; data: string[] } {
  const used = { resource: new Set<string>(), data: new Set<string>() };
  for (const tfDir of dirs.values()) {
    for (const file of tfDir.files) {
      for (const block of file.blocks) {
        if (block.type === 'resource' || block.type === 'data') used[block.type].add(block.labels[0] ?? '');
      }
    }
  }
  return { resource: [...used.resource].sort(), data: [...used.data].sort() };
}
