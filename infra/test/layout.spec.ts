/**
 * Layout and a provider-free stand-in for `terraform validate`: every reference resolves, every
 * module call matches the module's variables, every variable is typed and described, and the
 * code is `terraform fmt` clean.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Body,
  type TfConfig,
  INFRA_ROOT,
  config,
  expr,
  isFile,
  loadConfigs,
  moduleSource,
  readWorkspaceFile,
  strings,
} from './support/terraform';

const MODULE_FILES = ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf'];
const ROOTS = ['envs/dev', 'bootstrap', 'cicd'];
const META_ARGUMENTS = new Set(['source', 'version', 'providers', 'depends_on', 'count', 'for_each']);

const hasTerraform = spawnSync('terraform', ['version'], { encoding: 'utf8' }).status === 0;

function moduleDirs(): string[] {
  return readdirSync(join(INFRA_ROOT, 'modules'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => `modules/${e.name}`)
    .sort();
}

/** Interpolated strings of a configuration (the only places references live). */
function expressions(cfg: TfConfig): { file: string; value: string }[] {
  return cfg.files.flatMap((f) =>
    strings(f.json)
      .filter((s) => s.value.includes('${'))
      .map((s) => ({ file: f.path, value: s.value })),
  );
}

describe('layout', () => {
  it('has the module, environment, bootstrap and pipeline directories', async () => {
    const dirs = [...(await loadConfigs()).keys()];
    expect(dirs).toEqual(expect.arrayContaining([...ROOTS, ...moduleDirs()]));
    expect(moduleDirs().length).toBeGreaterThanOrEqual(6);
  });

  it.each(moduleDirs())('%s has main.tf, variables.tf, outputs.tf and versions.tf', (dir) => {
    for (const file of MODULE_FILES) expect(isFile(join(INFRA_ROOT, dir, file))).toBe(true);
  });

  it.each(ROOTS)('%s has main.tf, variables.tf, outputs.tf and versions.tf', (dir) => {
    for (const file of MODULE_FILES) expect(isFile(join(INFRA_ROOT, dir, file))).toBe(true);
  });

  it('pins Terraform and the AWS provider in every configuration', async () => {
    for (const cfg of (await loadConfigs()).values()) {
      const tf = cfg.terraform.find((t) => t.required_version);
      // Root modules need 1.11, where the S3 backend's use_lockfile became generally available;
      // child modules only need what their syntax needs (the root's constraint governs).
      const floor = ROOTS.includes(cfg.dir) ? '1.11' : '1.10';
      expect({ dir: cfg.dir, required_version: tf?.required_version }).toEqual({
        dir: cfg.dir,
        required_version: `>= ${floor}, < 2.0`,
      });
      const aws = (tf?.required_providers as Body[] | undefined)?.[0]?.aws as Body | undefined;
      expect({ dir: cfg.dir, source: aws?.source, version: aws?.version }).toEqual({
        dir: cfg.dir,
        source: 'hashicorp/aws',
        version: '>= 5.100, < 7.0',
      });
    }
  });

  it('pins a Terraform release that satisfies required_version (infra/.terraform-version)', () => {
    const pinned = readWorkspaceFile('infra/.terraform-version').trim();
    const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(pinned);
    expect(match).not.toBeNull();
    const [major, minor] = [Number(match?.[1]), Number(match?.[2])];
    expect(major).toBe(1);
    expect(minor).toBeGreaterThanOrEqual(11);
  });

  it('types and describes every variable, and describes every output', async () => {
    const problems: string[] = [];
    for (const cfg of (await loadConfigs()).values()) {
      for (const [name, v] of Object.entries(cfg.variables)) {
        if (!v.type) problems.push(`${cfg.dir}: variable ${name} has no type`);
        if (!(typeof v.description === 'string' && v.description.length > 10)) {
          problems.push(`${cfg.dir}: variable ${name} has no description`);
        }
        for (const validation of (v.validation ?? []) as Body[]) {
          if (!validation.condition || !validation.error_message) {
            problems.push(`${cfg.dir}: variable ${name} has an incomplete validation`);
          }
        }
      }
      for (const [name, o] of Object.entries(cfg.outputs)) {
        if (!(typeof o.description === 'string' && o.description.length > 5)) {
          problems.push(`${cfg.dir}: output ${name} has no description`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('validates the variables whose values have rules', async () => {
    const withRules = [
      ['modules/lambda-function', ['function_name', 'runtime', 'architectures', 'timeout', 'memory_size', 'source_code_hash', 'sqs_event_sources']],
      ['modules/sqs-queue', ['max_receive_count', 'visibility_timeout_seconds', 'dead_letter_message_retention_seconds']],
      ['modules/state-machine', ['type', 'log_level', 'definition']],
      ['modules/http-api', ['name', 'throttling_rate_limit', 'throttling_burst_limit', 'access_log_retention_in_days', 'jwt_issuer', 'jwt_audience']],
      ['modules/identity', ['name', 'domain_prefix', 'user_pool_tier', 'access_token_validity_minutes', 'customer_callback_urls']],
      ['envs/dev', ['region', 'state_machine_type', 'alarm_email_addresses', 'jwt_issuer', 'jwt_audience']],
      ['cicd', ['github_repository', 'state_bucket_name']],
    ] as const;
    for (const [dir, names] of withRules) {
      const cfg = await config(dir);
      for (const name of names) {
        expect({ dir, name, validations: ((cfg.variables[name]?.validation ?? []) as Body[]).length > 0 }).toEqual({
          dir,
          name,
          validations: true,
        });
      }
    }
  });

  it('resolves every var., local., module., data. and resource reference (a stand-in for terraform validate)', async () => {
    const problems: string[] = [];
    for (const cfg of (await loadConfigs()).values()) {
      for (const { file, value } of expressions(cfg)) {
        for (const [, name = ''] of value.matchAll(/\bvar\.([A-Za-z_][\w-]*)/g)) {
          if (!(name in cfg.variables)) problems.push(`${file}: undeclared var.${name}`);
        }
        for (const [, name = ''] of value.matchAll(/\blocal\.([A-Za-z_]\w*)/g)) {
          if (!(name in cfg.locals)) problems.push(`${file}: undefined local.${name}`);
        }
        for (const [, type = '', name = ''] of value.matchAll(/\bdata\.([a-z0-9_]+)\.([A-Za-z_]\w*)/g)) {
          if (!cfg.data[type]?.[name]) problems.push(`${file}: undeclared data.${type}.${name}`);
        }
        for (const [, type = '', name = ''] of value.matchAll(/(?<![.\w])(aws_[a-z0-9_]+)\.([A-Za-z_]\w*)/g)) {
          if (!cfg.resources[type]?.[name]) problems.push(`${file}: undeclared resource ${type}.${name}`);
        }
        for (const [, name = '', output] of value.matchAll(/\bmodule\.([A-Za-z_]\w*)(?:\.([A-Za-z_]\w*))?/g)) {
          const call = cfg.modules[name];
          if (!call) {
            problems.push(`${file}: undeclared module.${name}`);
            continue;
          }
          if (output && !((await moduleSource(cfg, call)).outputs[output])) {
            problems.push(`${file}: module.${name} has no output ${output}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('calls every module with exactly the variables it declares, all required ones included', async () => {
    const problems: string[] = [];
    for (const cfg of (await loadConfigs()).values()) {
      for (const [name, call] of Object.entries(cfg.modules)) {
        const source = call.source as string;
        expect(source.startsWith('../')).toBe(true);
        const target = await moduleSource(cfg, call);
        for (const file of MODULE_FILES) expect(isFile(join(INFRA_ROOT, target.dir, file))).toBe(true);
        const passed = Object.keys(call).filter((k) => !META_ARGUMENTS.has(k));
        for (const arg of passed) {
          if (!(arg in target.variables)) problems.push(`${cfg.dir}: module ${name} passes undeclared ${arg}`);
        }
        for (const [variable, v] of Object.entries(target.variables)) {
          if (!('default' in v) && !passed.includes(variable)) {
            problems.push(`${cfg.dir}: module ${name} misses required ${variable}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('references only files that exist from file() and templatefile()', async () => {
    const problems: string[] = [];
    for (const cfg of (await loadConfigs()).values()) {
      for (const { file, value } of expressions(cfg)) {
        for (const [, path = ''] of value.matchAll(/\b(?:file|templatefile)\("\$\{path\.module\}\/([^"]+)"/g)) {
          if (!isFile(join(INFRA_ROOT, cfg.dir, path))) problems.push(`${file}: ${path} does not exist`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('keeps environment state in S3 with a lock file, in us-east-1 by default', async () => {
    for (const dir of ['envs/dev', 'cicd']) {
      const cfg = await config(dir);
      const s3 = cfg.terraform.flatMap((t) => ((t.backend?.s3 ?? []) as Body[]))[0];
      expect(s3).toMatchObject({ use_lockfile: true, encrypt: true, region: 'us-east-1' });
      expect(s3?.bucket).toBeUndefined(); // passed at init: the name carries the account id
    }
    const devKey = (await config('envs/dev')).terraform.flatMap((t) => ((t.backend?.s3 ?? []) as Body[]))[0]?.key;
    expect(devKey).toMatch(/^dofs\/[a-z]+\/terraform\.tfstate$/);
    // One pipeline state per environment: the key is given at init, never fixed.
    const cicdBackend = (await config('cicd')).terraform.flatMap((t) => ((t.backend?.s3 ?? []) as Body[]))[0];
    expect(cicdBackend?.key).toBeUndefined();
    expect(readWorkspaceFile('infra/README.md')).toContain('-backend-config="key=dofs/cicd/dev/terraform.tfstate"');
    const dev = await config('envs/dev');
    expect(dev.variables.region?.default).toBe('us-east-1');
    expect(expr(dev.providers.aws?.region)).toBe('var.region');
  });

  it('makes the pipeline use the environment state key the backend declares', async () => {
    const dev = await config('envs/dev');
    const cicd = await config('cicd');
    const key = dev.terraform.flatMap((t) => ((t.backend?.s3 ?? []) as Body[]))[0]?.key as string;
    const pattern = expr(cicd.locals.state_key);
    const rendered = pattern
      .replace('${var.project}', cicd.variables.project?.default as string)
      .replace('${var.environment}', cicd.variables.environment?.default as string);
    expect(rendered).toBe(key);
    // and passes it to terraform.sh, so a renamed project or environment moves state and IAM together.
    expect(expr(cicd.locals.codebuild_environment.TF_STATE_KEY)).toBe('local.state_key');
    expect(readWorkspaceFile('infra/scripts/terraform.sh')).toContain('-backend-config=key=${TF_STATE_KEY}');
  });

  it('passes the pipeline\'s region, project and environment to the environment\'s Terraform', async () => {
    const cicd = await config('cicd');
    const env = cicd.locals.codebuild_environment as Body;
    expect(env).toMatchObject({
      TF_VAR_region: '${var.region}',
      TF_VAR_project: '${var.project}',
      TF_VAR_environment: '${var.environment}',
      TF_STATE_REGION: '${var.region}',
      DOFS_ENV: '${var.environment}',
    });
    // Each is a variable of the environment, which names its resources and ARNs from them.
    const dev = await config('envs/dev');
    for (const name of ['region', 'project', 'environment']) expect(dev.variables[name]).toBeDefined();
  });

  it('bootstraps the state bucket with local state (it cannot live in the bucket it creates)', async () => {
    const bootstrap = await config('bootstrap');
    expect(bootstrap.terraform.some((t) => t.backend)).toBe(false);
    expect(expr(bootstrap.modules.state_bucket?.source)).toBe('../modules/s3-bucket');
    expect(bootstrap.modules.state_bucket?.versioning_enabled).toBe(true);
    expect(bootstrap.modules.state_bucket?.force_destroy).toBe(false);
  });

  it('keeps Terraform working files out of git', () => {
    const ignore = readWorkspaceFile('infra/.gitignore');
    for (const entry of ['.terraform/', '*.tfplan', 'terraform.tfstate']) expect(ignore).toContain(entry);
  });

  (hasTerraform ? it : it.skip)('is terraform fmt clean (terraform fmt -check -recursive infra)', () => {
    const result = spawnSync('terraform', ['fmt', '-check', '-recursive', '-list=true', INFRA_ROOT], {
      encoding: 'utf8',
    });
    expect({ status: result.status, unformatted: result.stdout.trim() }).toEqual({ status: 0, unformatted: '' });
  });
});
