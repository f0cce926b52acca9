// Reads the dev environment's Terraform (infra/envs/dev and the modules it calls) offline with
// @cdktf/hcl2json, for tools that must use the values Terraform deploys rather than restate them
// (tools/bench-bundles.mjs: each function's environment; tools/cost: the priced settings).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@cdktf/hcl2json';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Every block of every `.tf` file of a folder, merged: { variable: { name: [..] }, module: { .. }, resource: { .. }, locals: [..] }. */
export async function parseFolder(dir) {
  const merged = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.tf')).sort()) {
    const json = await parse(file, readFileSync(join(dir, file), 'utf8'));
    for (const [kind, blocks] of Object.entries(json)) {
      if (Array.isArray(blocks)) merged[kind] = [...(merged[kind] ?? []), ...blocks];
      else {
        merged[kind] ??= {};
        for (const [name, value] of Object.entries(blocks)) {
          if (kind === 'resource' || kind === 'data') merged[kind][name] = { ...(merged[kind][name] ?? {}), ...value };
          else merged[kind][name] = value;
        }
      }
    }
  }
  return merged;
}

/** `{ name: default }` of a parsed folder's variables (variables without a default are left out). */
export function variableDefaults(parsed) {
  return Object.fromEntries(
    Object.entries(parsed.variable ?? {})
      .filter(([, [block]]) => block.default !== undefined)
      .map(([name, [block]]) => [name, block.default]),
  );
}

/** The merged `locals` of a parsed folder (values are hcl2json's strings for expressions). */
export function locals(parsed) {
  return Object.assign({}, ...(parsed.locals ?? []));
}

/** The environment (infra/envs/dev by default) with its variable defaults, locals, module calls and the modules' own defaults. */
export async function loadEnvironment(envDir = join(ROOT, 'infra/envs/dev')) {
  const parsed = await parseFolder(envDir);
  const settingsPath = join(envDir, '../../settings.json');
  const modules = {};
  for (const [name, [call]] of Object.entries(parsed.module ?? {})) {
    const source = resolve(envDir, call.source);
    modules[name] = { call, source, defaults: existsSync(source) ? variableDefaults(await parseFolder(source)) : {}, parsed: existsSync(source) ? await parseFolder(source) : {} };
  }
  return { dir: envDir, parsed, variables: variableDefaults(parsed), locals: locals(parsed), modules, settings: JSON.parse(readFileSync(settingsPath, 'utf8')) };
}

/** End index (exclusive) of the `${ ... }` starting at `start`, matching nested braces. */
function interpolationEnd(text, start) {
  let depth = 0;
  for (let i = start; i < text.length; i += 1) {
    if (text[i] === '{') depth += 1;
    else if (text[i] === '}' && --depth === 0) return i + 1;
  }
  throw new Error(`unbalanced interpolation in ${text}`);
}

/** Follows `a.b["c"].d` through an object. */
function walk(value, path) {
  let node = value;
  for (const [, dotted, quoted] of path.matchAll(/\.?([A-Za-z_][\w-]*)|\["([^"]+)"\]/g)) {
    const key = dotted ?? quoted;
    if (node === null || typeof node !== 'object' || !(key in node)) return undefined;
    node = node[key];
  }
  return node;
}

/**
 * Evaluates the small set of Terraform expressions the environment uses for plain values:
 * literals, `var.x`, `local.settings...`, `local.x`, `tostring(...)`, `merge(a, { K = v })` and
 * `"${...}"` interpolation; `lookup(ref)` answers the references it cannot know offline (module
 * outputs, data sources) or throws.
 */
export function evaluate(expression, environment, lookup = (ref) => { throw new Error(`cannot evaluate ${ref} offline`); }) {
  if (Array.isArray(expression)) return expression.map((e) => evaluate(e, environment, lookup));
  if (expression !== null && typeof expression === 'object') {
    return Object.fromEntries(Object.entries(expression).map(([k, v]) => [k, evaluate(v, environment, lookup)]));
  }
  if (typeof expression !== 'string' || !expression.includes('${')) return expression;
  const first = expression.indexOf('${');
  if (first === 0 && interpolationEnd(expression, 1) === expression.length) return evalExpression(expression.slice(2, -1), environment, lookup);
  let out = '';
  let at = 0;
  for (let i = expression.indexOf('${'); i >= 0; i = expression.indexOf('${', at)) {
    const end = interpolationEnd(expression, i + 1);
    out += expression.slice(at, i) + String(evalExpression(expression.slice(i + 2, end - 1), environment, lookup));
    at = end;
  }
  return out + expression.slice(at);
}

function evalExpression(text, environment, lookup) {
  const expr = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(expr)) return Number(expr);
  if (expr === 'true' || expr === 'false') return expr === 'true';
  if (/^"[^"]*"$/.test(expr)) return evaluate(expr.slice(1, -1), environment, lookup);
  let m = /^tostring\((.*)\)$/s.exec(expr);
  if (m) return String(evalExpression(m[1], environment, lookup));
  m = /^merge\((.*)\)$/s.exec(expr);
  if (m) return Object.assign({}, ...splitTopLevel(m[1]).map((part) => evalExpression(part, environment, lookup)));
  if (expr.startsWith('{') && expr.endsWith('}')) {
    const object = {};
    for (const line of expr.slice(1, -1).split('\n').map((l) => l.trim()).filter(Boolean)) {
      const entry = /^("?)([A-Za-z_][\w-]*)\1\s*=\s*(.+)$/.exec(line);
      if (!entry) throw new Error(`cannot read object entry ${line}`);
      object[entry[2]] = evalExpression(entry[3], environment, lookup);
    }
    return object;
  }
  if (expr.startsWith('var.')) {
    const name = expr.slice(4);
    if (!(name in environment.variables)) throw new Error(`variable ${name} has no default`);
    return environment.variables[name];
  }
  if (expr.startsWith('local.settings')) return walk(environment.settings, expr.slice('local.settings'.length));
  if (expr.startsWith('local.')) {
    const [name] = expr.slice(6).split(/[.[]/);
    const value = evaluate(environment.locals[name], environment, lookup);
    return walk(value, expr.slice(6 + name.length));
  }
  return lookup(expr);
}

function splitTopLevel(text) {
  const parts = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '{' || ch === '(' || ch === '[') depth += 1;
    if (ch === '}' || ch === ')' || ch === ']') depth -= 1;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  if (current.trim()) parts.push(current);
  return parts;
}

/** The lambda-function module calls of the environment, by app name (function_name `${local.name_prefix}-<app>`). */
export function functionModules(environment) {
  const out = {};
  for (const [name, module] of Object.entries(environment.modules)) {
    if (!module.source.endsWith(join('modules', 'lambda-function'))) continue;
    const app = String(module.call.function_name).replace('${local.name_prefix}-', '');
    out[app] = { name, ...module };
  }
  return out;
}

/** The environment variables Terraform gives an app's function; `lookup` answers module outputs (table names, ARNs). */
export function functionEnvironment(environment, app, lookup) {
  const module = functionModules(environment)[app];
  if (!module) throw new Error(`no lambda-function module for ${app} in ${environment.dir}`);
  const value = module.call.environment_variables === undefined ? {} : evaluate(module.call.environment_variables, environment, lookup);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}
