/**
 * Loads every Terraform configuration under infra/ as JSON (through @cdktf/hcl2json, the HCL
 * parser Terraform's own JSON syntax mirrors) so tests can assert invariants without providers.
 *
 * A "config" is one directory of .tf files (a root module or a child module), merged the way
 * Terraform merges the files of a module.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse } from '@cdktf/hcl2json';

export const INFRA_ROOT = resolve(__dirname, '..', '..');
export const WORKSPACE_ROOT = resolve(INFRA_ROOT, '..');

/** A block body as hcl2json renders it: attributes, nested blocks (arrays) and `dynamic` blocks. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Body = Record<string, any>;

export interface TfFile {
  /** Path relative to infra/, e.g. modules/sqs-queue/main.tf */
  path: string;
  text: string;
  json: Body;
}

export interface TfConfig {
  /** Directory relative to infra/, e.g. envs/dev */
  dir: string;
  files: TfFile[];
  resources: Record<string, Record<string, Body>>;
  data: Record<string, Record<string, Body>>;
  modules: Record<string, Body>;
  variables: Record<string, Body>;
  outputs: Record<string, Body>;
  locals: Body;
  terraform: Body[];
  providers: Record<string, Body>;
}

const SKIP_DIRS = new Set(['.terraform', 'node_modules', 'generated', 'test', 'scripts']);

export function listTfFiles(dir = INFRA_ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return SKIP_DIRS.has(entry.name) ? [] : listTfFiles(path);
      return entry.isFile() && entry.name.endsWith('.tf') ? [path] : [];
    })
    .sort();
}

function mergeNamed(target: Record<string, Body>, source: Record<string, Body[]> | undefined, where: string): void {
  for (const [name, blocks] of Object.entries(source ?? {})) {
    if (name in target) throw new Error(`duplicate block ${name} in ${where}`);
    if (blocks.length !== 1) throw new Error(`block ${name} declared ${blocks.length} times in ${where}`);
    target[name] = blocks[0] as Body;
  }
}

function mergeTyped(
  target: Record<string, Record<string, Body>>,
  source: Record<string, Record<string, Body[]>> | undefined,
  where: string,
): void {
  for (const [type, named] of Object.entries(source ?? {})) {
    target[type] ??= {};
    mergeNamed(target[type], named, `${where} (${type})`);
  }
}

async function loadConfig(dir: string, paths: string[]): Promise<TfConfig> {
  const config: TfConfig = {
    dir,
    files: [],
    resources: {},
    data: {},
    modules: {},
    variables: {},
    outputs: {},
    locals: {},
    terraform: [],
    providers: {},
  };
  for (const absolute of paths) {
    const path = relative(INFRA_ROOT, absolute);
    const text = readFileSync(absolute, 'utf8');
    // hcl2json runs a Go WebAssembly parser; calls are serialised on purpose.
    const json = (await parse(path, text)) as Body;
    config.files.push({ path, text, json });
    mergeTyped(config.resources, json.resource, path);
    mergeTyped(config.data, json.data, path);
    mergeNamed(config.modules, json.module, path);
    mergeNamed(config.variables, json.variable, path);
    mergeNamed(config.outputs, json.output, path);
    for (const block of (json.locals ?? []) as Body[]) {
      for (const [name, value] of Object.entries(block)) {
        if (name in config.locals) throw new Error(`duplicate local ${name} in ${path}`);
        config.locals[name] = value;
      }
    }
    config.terraform.push(...((json.terraform ?? []) as Body[]));
    for (const [name, blocks] of Object.entries((json.provider ?? {}) as Record<string, Body[]>)) {
      config.providers[name] = blocks[0] as Body;
    }
  }
  return config;
}

let cache: Promise<Map<string, TfConfig>> | undefined;

/** Every Terraform directory under infra/, keyed by its path relative to infra/. */
export function loadConfigs(): Promise<Map<string, TfConfig>> {
  cache ??= (async () => {
    const byDir = new Map<string, string[]>();
    for (const file of listTfFiles()) {
      const dir = relative(INFRA_ROOT, resolve(file, '..'));
      byDir.set(dir, [...(byDir.get(dir) ?? []), file]);
    }
    const configs = new Map<string, TfConfig>();
    for (const [dir, paths] of [...byDir.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      configs.set(dir, await loadConfig(dir, paths));
    }
    return configs;
  })();
  return cache;
}

export async function config(dir: string): Promise<TfConfig> {
  const found = (await loadConfigs()).get(dir);
  if (!found) throw new Error(`no Terraform configuration in infra/${dir}`);
  return found;
}

export function resource(cfg: TfConfig, type: string, name: string): Body {
  const found = cfg.resources[type]?.[name];
  if (!found) throw new Error(`${cfg.dir}: no resource ${type}.${name}`);
  return found;
}

export function dataSource(cfg: TfConfig, type: string, name: string): Body {
  const found = cfg.data[type]?.[name];
  if (!found) throw new Error(`${cfg.dir}: no data source data.${type}.${name}`);
  return found;
}

export function moduleCall(cfg: TfConfig, name: string): Body {
  const found = cfg.modules[name];
  if (!found) throw new Error(`${cfg.dir}: no module "${name}"`);
  return found;
}

/** The config a module block's `source` points to (local sources only). */
export async function moduleSource(cfg: TfConfig, call: Body): Promise<TfConfig> {
  const source = call.source as string;
  return config(relative(INFRA_ROOT, resolve(INFRA_ROOT, cfg.dir, source)));
}

/** Nested blocks of a body, static and `dynamic` ones (whose `content` is returned). */
export function blocks(body: Body, name: string): Body[] {
  const direct = (body[name] ?? []) as Body[];
  const dynamic = ((body.dynamic?.[name] ?? []) as Body[]).flatMap((d) => (d.content ?? []) as Body[]);
  return [...direct, ...dynamic];
}

/** Unwraps a whole-expression string: "${var.x}" -> "var.x"; literals are returned as is. */
export function expr(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (!text.startsWith('${') || !text.endsWith('}')) return text;
  // Only when the first interpolation spans the whole string ("${a}-${b}" stays a template).
  let depth = 0;
  for (let i = 1; i < text.length; i += 1) {
    if (text[i] === '{') depth += 1;
    else if (text[i] === '}' && --depth === 0) return i === text.length - 1 ? text.slice(2, -1).trim() : text;
  }
  return text;
}

/** Collapses whitespace so expressions compare independently of formatting. */
export function squash(value: unknown): string {
  return expr(value).replace(/\s+/g, ' ').trim();
}

export interface Statement {
  config: string;
  document: string;
  sid?: string;
  effect: 'Allow' | 'Deny';
  actions: string[];
  resources: string[];
  dynamic: boolean;
  body: Body;
}

/** Every statement of every aws_iam_policy_document in every configuration. */
export async function policyStatements(): Promise<Statement[]> {
  const out: Statement[] = [];
  for (const cfg of (await loadConfigs()).values()) {
    for (const [document, doc] of Object.entries(cfg.data.aws_iam_policy_document ?? {})) {
      const direct = ((doc.statement ?? []) as Body[]).map((body) => ({ body, dynamic: false }));
      const dynamic = ((doc.dynamic?.statement ?? []) as Body[]).flatMap((d) =>
        ((d.content ?? []) as Body[]).map((body) => ({ body, dynamic: true })),
      );
      for (const { body, dynamic: isDynamic } of [...direct, ...dynamic]) {
        out.push({
          config: cfg.dir,
          document,
          sid: body.sid as string | undefined,
          effect: ((body.effect as string | undefined) ?? 'Allow') as 'Allow' | 'Deny',
          actions: asList(body.actions),
          resources: asList(body.resources),
          dynamic: isDynamic,
          body,
        });
      }
    }
  }
  return out;
}

function asList(value: unknown): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  return [String(value)];
}

/** Every string inside a JSON value, with the path where it was found. */
export function strings(value: unknown, path = ''): { path: string; value: string }[] {
  if (typeof value === 'string') return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => strings(v, path ? `${path}.${k}` : k));
  }
  return [];
}

export function readWorkspaceFile(path: string): string {
  return readFileSync(join(WORKSPACE_ROOT, path), 'utf8');
}

export function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

export function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
