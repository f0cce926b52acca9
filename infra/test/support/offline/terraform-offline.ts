/**
 * `terraform validate` and `terraform plan` of the three roots with the real provider binary and
 * no network: a temporary copy of infra/ with a local backend, `init -plugin-dir`, dummy
 * credentials, every AWS endpoint pointed at a local stand-in (fake-aws-endpoint.ts) and
 * `-refresh=false`.
 *
 * A first plan of a new environment leaves ARNs, ids and URLs "known after apply", so the policy
 * documents built from them are unknown too. To render them, the plan is repeated against a
 * state made from the previous plan's values with those attributes filled by placeholders of
 * full length (placeholders.ts): the provider then plans updates of existing resources and reads
 * every data source. That repeated plan is also the one Terraform makes when a later commit
 * changes the workflow (a known, changed definition), which is when the provider calls
 * ValidateStateMachineDefinition: the stand-in endpoint records it.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INFRA_ROOT } from '../terraform';
import { OFFLINE_ACCOUNT_ID, startFakeAwsEndpoint, type RecordedCall } from './fake-aws-endpoint';
import { fallbackId, placeholdersFor, type PlaceholderContext } from './placeholders';

export const ROOTS = ['bootstrap', 'cicd', 'envs/dev'] as const;
export type Root = (typeof ROOTS)[number];

export const OFFLINE_CONTEXT: PlaceholderContext = { partition: 'aws', region: 'us-east-1', account: OFFLINE_ACCOUNT_ID };
export const ALARM_EMAIL = 'dofs-alarms@example.com';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Diagnostic {
  severity: string;
  summary: string;
  detail?: string;
}

export interface RootResult {
  root: Root;
  validate: { valid: boolean; diagnostics: Diagnostic[] };
  /** `terraform show -json` of the first plan (a new environment). */
  plan: Json;
  /** The last plan against the placeholder state: every data source read. */
  rendered: Json;
  /** The placeholder state that plan was made against (every attribute of every instance). */
  state: Json;
  passes: number;
  /** Calls the provider made while planning (all passes). */
  calls: RecordedCall[];
  /** envs/dev only: the plan after one app's package changed (artifact manifest entry). */
  oneAppChange?: Json;
  /** envs/dev only: `terraform test` (mocked provider). */
  test?: { passed: boolean; output: string };
}

export interface OfflineResult {
  providerVersion: string;
  roots: Record<Root, RootResult>;
  /** `terraform providers schema -json` of the types infra/ uses, as infra/schema/aws-provider.json holds 6.x's. */
  schema: OfflineSchema;
  seconds: number;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cwd: string, args: string[], env: NodeJS.ProcessEnv, stdoutFile?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('terraform', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const sink = stdoutFile ? createWriteStream(stdoutFile) : undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (sink ? sink.write(chunk) : (stdout += chunk)));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (sink) sink.end(() => resolve({ code: code ?? 1, stdout, stderr }));
      else resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

async function must(cwd: string, args: string[], env: NodeJS.ProcessEnv, stdoutFile?: string): Promise<Run> {
  const result = await run(cwd, args, env, stdoutFile);
  if (result.code !== 0) throw new Error(`terraform ${args.join(' ')} in ${cwd} failed:\n${result.stderr}\n${result.stdout}`.slice(0, 8000));
  return result;
}

/** The artifact manifest Plan receives (infra/scripts/artifact-manifest.mjs), with full-length values. */
export function placeholderManifest(bucket: string, label = 'deployed'): Json {
  const settings = JSON.parse(readFileSync(join(INFRA_ROOT, 'settings.json'), 'utf8')) as { functions: Record<string, unknown> };
  const hash = (app: string) => Buffer.from(`${label}:${app}`.padEnd(32, '#').slice(0, 32));
  return {
    artifacts: Object.fromEntries(
      Object.keys(settings.functions).map((app) => [
        app,
        {
          s3_bucket: bucket,
          s3_key: `${app}/${hash(app).toString('hex')}.zip`,
          s3_object_version: hash(`${app}/version`).toString('base64url').slice(0, 32),
          sha256: hash(app).toString('base64'),
          version: '0.1.0',
        },
      ]),
    ),
  };
}

function rootVariables(root: Root): Json {
  const { region, account } = OFFLINE_CONTEXT;
  switch (root) {
    case 'bootstrap':
      return {};
    case 'cicd':
      return {
        github_repository: 'dofs-example/distributed-order-fulfillment',
        state_bucket_name: `dofs-tfstate-${account}-${region}`,
        alarm_email_addresses: [ALARM_EMAIL],
        create_pipeline: true,
      };
    case 'envs/dev':
      return { ...placeholderManifest(`dofs-dev-lambda-artifacts-${account}-${region}`), alarm_email_addresses: [ALARM_EMAIL] };
  }
}

type SchemaVersions = Record<string, number>;

/** A state holding every planned instance, with AWS-assigned attributes filled by placeholders. */
export function placeholderState(plan: Json, versions: SchemaVersions): Json {
  const fill = (after: Json, unknown: Json): Json => {
    if (unknown === true) return null;
    if (Array.isArray(unknown)) return unknown.map((u, i) => fill(after?.[i], u));
    if (unknown && typeof unknown === 'object') {
      const out: Json = { ...(after ?? {}) };
      for (const [key, u] of Object.entries(unknown)) out[key] = fill(after?.[key], u);
      return out;
    }
    return after;
  };
  // State v4 marks sensitive values by path; without the marks Terraform plans an update to add them.
  const sensitivePaths = (marks: Json, path: Json[] = []): Json[][] => {
    if (marks === true) return [path];
    if (Array.isArray(marks)) return marks.flatMap((m, i) => sensitivePaths(m, [...path, { type: 'index', value: { value: i, type: 'number' } }]));
    if (marks && typeof marks === 'object') return Object.entries(marks).flatMap(([k, m]) => sensitivePaths(m, [...path, { type: 'get_attr', value: k }]));
    return [];
  };
  const resources = new Map<string, Json>();
  for (const change of plan.resource_changes as Json[]) {
    if (change.mode !== 'managed' || change.change.actions.includes('delete') && !change.change.actions.includes('create')) continue;
    const attributes = fill(change.change.after, change.change.after_unknown);
    const assigned = placeholdersFor(change.type, attributes, change.address, OFFLINE_CONTEXT);
    for (const [key, value] of Object.entries(assigned)) if (attributes[key] === null || attributes[key] === undefined) attributes[key] = value;
    attributes.id ??= fallbackId(change.address);
    const key = `${change.module_address ?? ''}|${change.type}|${change.name}`;
    if (!resources.has(key)) {
      resources.set(key, {
        mode: 'managed',
        type: change.type,
        name: change.name,
        ...(change.module_address ? { module: change.module_address } : {}),
        provider: 'provider["registry.terraform.io/hashicorp/aws"]',
        instances: [],
      });
    }
    resources.get(key).instances.push({
      ...(change.index !== undefined ? { index_key: change.index } : {}),
      schema_version: versions[change.type] ?? 0,
      attributes,
      sensitive_attributes: sensitivePaths(change.change.after_sensitive),
    });
  }
  return { version: 4, terraform_version: '1.11.4', serial: 1, lineage: '00000000-0000-4000-8000-000000000000', outputs: {}, resources: [...resources.values()] };
}

/** Data sources Terraform could not read while planning (their arguments depend on unknowns). */
export function deferredDataSources(plan: Json): string[] {
  return (plan.resource_changes as Json[]).filter((c) => c.mode === 'data' && c.change.actions.includes('read')).map((c) => c.address as string);
}

export interface OfflineSchemaNode {
  arguments: string[];
  required: string[];
  blocks: Record<string, OfflineSchemaNode>;
}

export interface OfflineSchema {
  provider: string;
  versions: Record<string, number>;
  resource: Record<string, OfflineSchemaNode>;
  data: Record<string, OfflineSchemaNode>;
}

/** The same shape as infra/schema/aws-provider.json (test/support/provider-schema.ts), for the types it lists. */
function reduceSchema(raw: Json): OfflineSchema {
  const provider = raw.provider_schemas['registry.terraform.io/hashicorp/aws'];
  const used = JSON.parse(readFileSync(join(INFRA_ROOT, 'schema', 'aws-provider.json'), 'utf8')) as { resource: Record<string, unknown>; data: Record<string, unknown> };
  const node = (block: Json): OfflineSchemaNode => {
    const attributes = Object.entries((block.attributes ?? {}) as Record<string, Json>);
    const nested = Object.entries((block.block_types ?? {}) as Record<string, Json>);
    return {
      arguments: attributes.filter(([, a]) => a.required || a.optional).map(([name]) => name).sort(),
      required: [...attributes.filter(([, a]) => a.required).map(([name]) => name), ...nested.filter(([, b]) => (b.min_items ?? 0) > 0).map(([name]) => name)].sort(),
      blocks: Object.fromEntries(nested.map(([name, b]) => [name, node(b.block)])),
    };
  };
  const reduce = (schemas: Record<string, Json>, types: string[]) => Object.fromEntries(types.filter((t) => schemas[t]).map((t) => [t, node(schemas[t].block)]));
  return {
    provider: 'hashicorp/aws@5.100.0',
    versions: Object.fromEntries(Object.entries(provider.resource_schemas as Record<string, Json>).map(([t, s]) => [t, s.version as number])),
    resource: reduce(provider.resource_schemas, Object.keys(used.resource)),
    data: reduce(provider.data_source_schemas, Object.keys(used.data)),
  };
}

async function planRoot(work: string, root: Root, baseEnv: NodeJS.ProcessEnv, pluginDir: string, versions: (dir: string) => Promise<SchemaVersions>): Promise<RootResult> {
  const dir = join(work, 'infra', root);
  // One endpoint per root, so that each root's calls are its own.
  const endpoint = await startFakeAwsEndpoint();
  try {
    return await planRootWith(dir, root, { ...baseEnv, AWS_ENDPOINT_URL: endpoint.url }, pluginDir, versions, endpoint.calls);
  } finally {
    await endpoint.close();
  }
}

async function planRootWith(dir: string, root: Root, env: NodeJS.ProcessEnv, pluginDir: string, versions: (dir: string) => Promise<SchemaVersions>, calls: RecordedCall[]): Promise<RootResult> {
  if (root !== 'bootstrap') writeFileSync(join(dir, 'zz_offline_backend_override.tf'), 'terraform {\n  backend "local" {}\n}\n');
  writeFileSync(join(dir, 'offline.auto.tfvars.json'), JSON.stringify(rootVariables(root)));
  await must(dir, ['init', '-input=false', '-no-color', `-plugin-dir=${pluginDir}`], env);

  const show = async (planFile: string): Promise<Json> => {
    const out = join(dir, `${planFile}.json`);
    await must(dir, ['show', '-json', planFile], env, out);
    return JSON.parse(readFileSync(out, 'utf8'));
  };
  const plan = async (name: string): Promise<Json> => {
    await must(dir, ['plan', '-input=false', '-no-color', '-refresh=false', '-lock=false', `-out=${name}`], env);
    return show(name);
  };

  // validate and the first plan read the same working directory and write nothing it shares.
  const [validate, first] = await Promise.all([run(dir, ['validate', '-json', '-no-color'], env), plan('pass1.tfplan')]);
  const validation = JSON.parse(validate.stdout || '{}') as { valid?: boolean; diagnostics?: Diagnostic[] };
  let rendered = first;
  let state: Json = { resources: [] };
  let passes = 1;
  const schemaVersions = await versions(dir);
  while (deferredDataSources(rendered).length > 0 && passes < 4) {
    state = placeholderState(rendered, schemaVersions);
    writeFileSync(join(dir, 'terraform.tfstate'), JSON.stringify(state));
    passes += 1;
    rendered = await plan(`pass${passes}.tfplan`);
  }
  if (passes === 1) state = placeholderState(first, schemaVersions);

  const result: RootResult = {
    root,
    validate: { valid: validation.valid === true, diagnostics: validation.diagnostics ?? [] },
    plan: first,
    rendered,
    state,
    passes,
    calls: [],
  };

  if (root === 'envs/dev') {
    // The same environment after a commit that changed one app: its manifest entry changes.
    const manifest = rootVariables(root);
    const changed = placeholderManifest(manifest.artifacts['api-handler'].s3_bucket, 'changed').artifacts['api-handler'];
    manifest.artifacts['api-handler'] = changed;
    writeFileSync(join(dir, 'offline.auto.tfvars.json'), JSON.stringify(manifest));
    writeFileSync(join(dir, 'terraform.tfstate'), JSON.stringify(placeholderState(rendered, schemaVersions)));
    result.oneAppChange = await plan('one-app.tfplan');
    const test = await run(dir, ['test', '-no-color'], env);
    result.test = { passed: test.code === 0, output: `${test.stdout}\n${test.stderr}`.trim() };
  }
  result.calls = [...calls];
  return result;
}

/** Validates and plans every root (of `source`, infra/ by default); the plugin directory holds the provider binary. */
export async function planAllOffline(pluginDir: string, source = INFRA_ROOT): Promise<OfflineResult> {
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'dofs-offline-plan-'));
  try {
    cpSync(source, join(work, 'infra'), {
      recursive: true,
      filter: (src) => !/[/\\](node_modules|test|\.terraform)([/\\]|$)|\.terraform\.lock\.hcl$|\.tfstate(\.backup)?$|\.tfplan$/.test(src.slice(source.length)),
    });
    const cliConfig = join(work, 'terraformrc');
    writeFileSync(cliConfig, '');
    mkdirSync(join(work, 'home'));
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: join(work, 'home'),
      TF_CLI_CONFIG_FILE: cliConfig,
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      CHECKPOINT_DISABLE: '1',
      AWS_ACCESS_KEY_ID: 'AKIAOFFLINEPLAN00000',
      AWS_SECRET_ACCESS_KEY: 'offline-plan-secret',
      AWS_REGION: OFFLINE_CONTEXT.region,
      AWS_CONFIG_FILE: join(work, 'aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(work, 'aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    };

    let schema: OfflineSchema | undefined;
    let schemaLoading: Promise<OfflineSchema> | undefined;
    const loadSchema = (dir: string) =>
      (schemaLoading ??= (async () => {
        const out = join(work, 'schema.json');
        await must(dir, ['providers', 'schema', '-json'], env, out);
        schema = reduceSchema(JSON.parse(readFileSync(out, 'utf8')));
        return schema;
      })());
    // Read once, from whichever root is initialised first.
    const versions = async (dir: string): Promise<SchemaVersions> => (await loadSchema(dir)).versions;

    const results = await Promise.all(ROOTS.map((root) => planRoot(work, root, env, pluginDir, versions)));
    const roots = Object.fromEntries(results.map((r) => [r.root, r])) as Record<Root, RootResult>;
    if (!schema) throw new Error('the provider schema was not read');
    return { providerVersion: '5.100.0', roots, schema, seconds: (Date.now() - started) / 1000 };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
