/**
 * The delivery pipeline (infra/cicd), its buildspecs, the GitHub pull-request checks and the
 * scripts that connect Nx targets to AWS.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import {
  type Body,
  INFRA_ROOT,
  WORKSPACE_ROOT,
  blocks,
  config,
  dataSource,
  expr,
  isFile,
  readWorkspaceFile,
  resource,
  squash,
} from './support/terraform';
import { APPS } from './support/settings';

const buildspec = readWorkspaceFile('buildspec.yml');
const ci = readWorkspaceFile('.github/workflows/ci.yml');

function stageNames(text: string): string[] {
  // Stage blocks in source order, the dynamic (optional) one included.
  const body = text.slice(text.indexOf('resource "aws_codepipeline" "this"'));
  return [...body.matchAll(/^\s{2}(?:stage|dynamic "stage") \{[\s\S]*?\bname\s+=\s+"(\w+)"/gm)].map((m) => m[1] as string);
}

function action(pipeline: Body, stage: string): Body {
  const found = blocks(pipeline, 'stage').find((s) => s.name === stage);
  if (!found) throw new Error(`no stage ${stage}`);
  return (found.action as Body[])[0] as Body;
}

describe('pipeline', () => {
  it('connects to GitHub through CodeConnections', async () => {
    const cicd = await config('cicd');
    const connection = resource(cicd, 'aws_codeconnections_connection', 'github');
    expect(connection.provider_type).toBe('GitHub');
  });

  it('is a V2 pipeline running one execution at a time, triggered by pushes to the branch', async () => {
    const cicd = await config('cicd');
    const pipeline = resource(cicd, 'aws_codepipeline', 'this');
    expect(pipeline.pipeline_type).toBe('V2');
    expect(pipeline.execution_mode).toBe('QUEUED');
    const git = blocks(blocks(pipeline, 'trigger')[0] as Body, 'git_configuration')[0] as Body;
    expect(git.source_action_name).toBe('Source');
    expect(blocks(blocks(git, 'push')[0] as Body, 'branches')[0]?.includes).toEqual(['${var.branch}']);
    expect(expr(blocks(pipeline, 'artifact_store')[0]?.location)).toBe('module.pipeline_artifacts.bucket_id');
  });

  it('runs Source -> Build & Test -> Plan -> optional approval -> Apply -> Smoke test', async () => {
    const cicd = await config('cicd');
    const main = cicd.files.find((f) => f.path === 'cicd/main.tf')?.text ?? '';
    expect(stageNames(main)).toEqual(['Source', 'BuildAndTest', 'Plan', 'Approve', 'Apply', 'SmokeTest']);
    const pipeline = resource(cicd, 'aws_codepipeline', 'this');
    const approval = (pipeline.dynamic.stage as Body[])[0] as Body;
    expect(expr(approval.for_each)).toBe('var.require_manual_approval ? [1] : []');
    expect(((approval.content as Body[])[0]?.action as Body[])[0]).toMatchObject({ category: 'Approval', provider: 'Manual' });
    expect(cicd.variables.require_manual_approval?.type).toBe('${bool}');
  });

  it('clones the repository (not a zip) so nx affected sees the history', async () => {
    const source = action(resource(await config('cicd'), 'aws_codepipeline', 'this'), 'Source');
    expect(source).toMatchObject({ provider: 'CodeStarSourceConnection', namespace: 'SourceVariables' });
    expect(source.configuration).toMatchObject({
      ConnectionArn: '${aws_codeconnections_connection.github.arn}',
      OutputArtifactFormat: 'CODEBUILD_CLONE_REF',
      FullRepositoryId: '${var.github_repository}',
      BranchName: '${var.branch}',
    });
    // AWS ignores DetectChanges once a trigger is configured: the trigger alone starts runs.
    expect(source.configuration.DetectChanges).toBeUndefined();
  });

  it('is created only once the GitHub connection is confirmed: CodePipeline starts a run the moment a pipeline exists', async () => {
    const cicd = await config('cicd');
    const pipeline = resource(cicd, 'aws_codepipeline', 'this');
    expect(expr(pipeline.count)).toBe('var.create_pipeline ? 1 : 0');
    expect(cicd.variables.create_pipeline?.default).toBe(false);
    const [precondition] = blocks(blocks(pipeline, 'lifecycle')[0] as Body, 'precondition');
    expect(squash(precondition?.condition)).toBe('aws_codeconnections_connection.github.connection_status == "AVAILABLE"');
  });

  it('builds with buildspec.yml, plans to an artifact and applies that saved plan', async () => {
    const cicd = await config('cicd');
    const projects = cicd.locals.codebuild_projects as Record<string, Body>;
    expect(Object.fromEntries(Object.entries(projects).map(([k, p]) => [k, p.buildspec]))).toEqual({
      build: 'buildspec.yml',
      plan: 'infra/cicd/buildspecs/plan.yml',
      apply: 'infra/cicd/buildspecs/apply.yml',
      smoke: 'infra/cicd/buildspecs/smoke.yml',
    });
    for (const p of Object.values(projects)) expect(isFile(join(WORKSPACE_ROOT, p.buildspec as string))).toBe(true);

    const pipeline = resource(cicd, 'aws_codepipeline', 'this');
    expect(action(pipeline, 'BuildAndTest').configuration.ProjectName).toBe('${aws_codebuild_project.this["build"].name}');
    expect(action(pipeline, 'Plan').output_artifacts).toEqual(['plan']);
    const apply = action(pipeline, 'Apply');
    expect(apply.input_artifacts).toEqual(['source', 'plan']);
    expect(apply.configuration).toMatchObject({ PrimarySource: 'source' });
    expect(apply.namespace).toBe('ApplyVariables');
    // Apply runs the same `nx affected` as Plan: the base Plan compared against.
    expect(action(pipeline, 'Plan').namespace).toBe('PlanVariables');
    expect(squash(apply.configuration.EnvironmentVariables)).toContain('name = "NX_BASE", value = "#{PlanVariables.NX_BASE}"');
    const smoke = squash(action(pipeline, 'SmokeTest').configuration.EnvironmentVariables);
    expect(smoke).toContain('name = "API_URL", value = "#{ApplyVariables.API_URL}"');
    expect(smoke).toContain('name = "COMMIT_ID", value = "#{SourceVariables.CommitId}"');
  });

  it('gives every CodeBuild project its own role, log group and the deployment settings', async () => {
    const cicd = await config('cicd');
    const project = resource(cicd, 'aws_codebuild_project', 'this');
    expect(expr(project.service_role)).toBe('aws_iam_role.codebuild[each.key].arn');
    expect(expr(blocks(blocks(project, 'logs_config')[0] as Body, 'cloudwatch_logs')[0]?.group_name)).toBe(
      'aws_cloudwatch_log_group.codebuild[each.key].name',
    );
    expect(cicd.locals.codebuild_environment).toMatchObject({
      DOFS_ARTIFACTS_BUCKET: '${module.lambda_artifacts.bucket_id}',
      LAST_DEPLOYED_SHA_PARAMETER: '${aws_ssm_parameter.last_deployed_sha.name}',
      TF_STATE_BUCKET: '${var.state_bucket_name}',
      DOFS_ENV: '${var.environment}',
    });
  });

  it('keeps the last successfully deployed commit in SSM, owned by the pipeline after creation', async () => {
    const cicd = await config('cicd');
    const parameter = resource(cicd, 'aws_ssm_parameter', 'last_deployed_sha');
    expect(expr(parameter.name)).toBe('/${var.project}/${var.environment}/last-deployed-sha');
    expect(parameter.value).toBe('none');
    expect(blocks(parameter, 'lifecycle')[0]?.ignore_changes).toEqual(['${value}']);
    const smoke = dataSource(cicd, 'aws_iam_policy_document', 'smoke');
    expect(blocks(smoke, 'statement')[0]?.actions).toContain('ssm:PutParameter');
  });

  it('keeps Lambda packages and per-commit manifests in their own bucket', async () => {
    const cicd = await config('cicd');
    expect(cicd.modules.lambda_artifacts?.source).toBe('../modules/s3-bucket');
    expect(cicd.modules.lambda_artifacts?.expiration_days).toBeNull();
    expect(cicd.locals.manifest_prefix).toBe('manifests/');
    const publish = readWorkspaceFile('infra/scripts/publish-artifact.sh');
    expect(publish).toContain('key="$app/$sha256_hex.zip"');
    expect(publish).toContain('--query VersionId');
    expect(publish).not.toContain('ssm');
    expect(readWorkspaceFile('infra/scripts/terraform.sh')).toContain('"s3://$DOFS_ARTIFACTS_BUCKET/manifests/$COMMIT_ID.json"');
  });
});

describe('the deploy command is `nx affected -t deploy`', () => {
  const plan = readWorkspaceFile('infra/cicd/buildspecs/plan.yml');
  const apply = readWorkspaceFile('infra/cicd/buildspecs/apply.yml');

  it('Build & Test lints, typechecks, tests and builds what changed, and publishes nothing', async () => {
    const pipeline = resource(await config('cicd'), 'aws_codepipeline', 'this');
    expect(action(pipeline, 'BuildAndTest').output_artifacts).toBeUndefined();
    expect(buildspec).toContain('npx nx affected -t lint typecheck test build --base="$NX_BASE" --head=HEAD');
    const commands = buildspec.split('\n').filter((line) => /^\s+- /.test(line)).join('\n');
    expect(commands).not.toMatch(/-t deploy|-t package|publish-artifact|put-parameter|s3 cp|put-object/);
  });

  it('Plan runs `nx affected -t deploy -c plan` and Apply `nx affected -t deploy -c apply`, against the same base', () => {
    expect(plan).toContain('npx nx affected -t deploy -c plan --base="$NX_BASE" --head=HEAD');
    expect(plan).toMatch(/exported-variables:\s+- NX_BASE/);
    expect(apply).toContain('npx nx affected -t deploy -c apply --base="${NX_BASE:?NX_BASE comes from the Plan stage}" --head=HEAD');
    for (const [file, text] of [['plan.yml', plan], ['apply.yml', apply]] as const) {
      expect({ file, ci: text.includes('npm ci --ignore-scripts') }).toEqual({ file, ci: true });
      // The only deploy command: no script or terraform call beside it that deploys.
      expect({ file, other: /publish-artifact|terraform\.sh (plan|apply|deploy)|terraform (plan|apply)/.test(text) }).toEqual({ file, other: false });
    }
  });

  it('the deploy targets publish before Terraform reads the manifest (^deploy), in both configurations', () => {
    const nx = JSON.parse(readWorkspaceFile('nx.json')) as Body;
    const app = nx.targetDefaults.deploy as Body;
    expect(app.dependsOn).toEqual(['package']);
    expect(app.options.command).toBe('bash infra/scripts/publish-artifact.sh {projectName}');
    expect(app.configurations.plan.command).toBe('bash infra/scripts/publish-artifact.sh {projectName}');
    const infra = JSON.parse(readWorkspaceFile('infra/project.json')) as Body;
    expect(infra.targets.deploy.dependsOn).toEqual(['^deploy']);
    expect([...(infra.implicitDependencies as string[])].sort()).toEqual([...APPS].sort());
  });

  it('the base is the last deployed commit when it is an ancestor, else the empty tree (everything affected)', () => {
    const base = readWorkspaceFile('infra/scripts/affected-base.sh');
    expect(base).toContain('git merge-base --is-ancestor "$last_deployed" HEAD');
    expect(base).toContain('EMPTY_TREE="4b825dc642cb6eb9a060e54bf8d69288fbee4904"');
    for (const file of ['buildspec.yml', 'infra/cicd/buildspecs/plan.yml']) expect(readWorkspaceFile(file)).toContain('source infra/scripts/affected-base.sh');
  });

  it('only the smoke test moves last-deployed-sha, after the test passed', async () => {
    const cicd = await config('cicd');
    const writers = [...Object.entries(cicd.data.aws_iam_policy_document ?? {})]
      .filter(([, doc]) => blocks(doc, 'statement').some((st) => (st.actions as string[]).includes('ssm:PutParameter')))
      .map(([name]) => name);
    expect(writers).toEqual(['smoke']);
    for (const file of ['buildspec.yml', 'infra/cicd/buildspecs/plan.yml', 'infra/cicd/buildspecs/apply.yml']) {
      expect({ file, writes: readWorkspaceFile(file).includes('put-parameter') }).toEqual({ file, writes: false });
    }
  });
});

describe('buildspecs', () => {
  it('buildspec.yml installs Node 22, the pinned Terraform and exactly the locked dependencies, without install scripts', () => {
    expect(buildspec).toMatch(/^version: 0\.2$/m);
    expect(buildspec).toMatch(/runtime-versions:\s+nodejs: 22/);
    expect(buildspec).toContain('bash infra/scripts/install-terraform.sh');
    expect(buildspec).toContain('- npm ci --ignore-scripts');
    expect(buildspec).not.toContain('npm install');
  });

  it('buildspec.yml gates on lint, typecheck, test and build of what changed since the last deployed commit', () => {
    expect(buildspec).toContain('source infra/scripts/affected-base.sh');
    // esbuild skips type checking and jest uses swc: typecheck is the only tsc run.
    expect(buildspec).toContain('npx nx affected -t lint typecheck test build --base="$NX_BASE" --head=HEAD');
    expect(buildspec).toMatch(/last successfully deployed commit is kept in the SSM parameter/);
    const base = readWorkspaceFile('infra/scripts/affected-base.sh');
    expect(base).toContain('aws ssm get-parameter --name "${LAST_DEPLOYED_SHA_PARAMETER:?}"');
  });

  it('plan.yml saves the plan directory (plan, its text, the manifest, the lock file) as the stage artifact', () => {
    const plan = readWorkspaceFile('infra/cicd/buildspecs/plan.yml');
    expect(plan).toContain('TF_PLAN_DIR="$CODEBUILD_SRC_DIR/plan-output" npx nx affected -t deploy -c plan');
    expect(plan).toMatch(/artifacts:\s+base-directory: plan-output\s+files:\s+- "\*\*\/\*"/);
    expect(plan).toContain('NOTHING_TO_DEPLOY');
    const script = readWorkspaceFile('infra/scripts/terraform.sh');
    expect(script).toContain('plan -input=false -var-file="$manifest" -out="$plan_file"');
    expect(script).toContain('cp "$dir/.terraform.lock.hcl" "$plan_dir/"');
  });

  it('apply.yml applies the plan artifact and exports the API URL', () => {
    const apply = readWorkspaceFile('infra/cicd/buildspecs/apply.yml');
    expect(apply).toContain('TF_PLAN_DIR="$CODEBUILD_SRC_DIR_plan" npx nx affected -t deploy -c apply');
    expect(apply).toMatch(/exported-variables:\s+- API_URL/);
    expect(apply).toContain('bash infra/scripts/terraform.sh outputs');
    expect(apply).toContain('.api_url.value');
  });

  it('gives the smoke test a machine token: Apply exports the pool, token endpoint and client id, the smoke role reads the secret from Cognito, nothing exports it', async () => {
    const apply = readWorkspaceFile('infra/cicd/buildspecs/apply.yml');
    expect(apply).toMatch(/exported-variables:\s+- API_URL\s+- USER_POOL_ID\s+- TOKEN_ENDPOINT\s+- MACHINE_CLIENT_ID\n/);
    expect(apply).not.toMatch(/SECRET/);
    const smoke = readWorkspaceFile('infra/cicd/buildspecs/smoke.yml');
    expect(smoke).toContain('aws cognito-idp describe-user-pool-client --user-pool-id "$USER_POOL_ID" --client-id "$MACHINE_CLIENT_ID" --query UserPoolClient.ClientSecret');
    expect(smoke.indexOf('describe-user-pool-client')).toBeLessThan(smoke.indexOf('node infra/scripts/smoke-test.mjs'));
    const cicd = await config('cicd');
    const pipeline = resource(cicd, 'aws_codepipeline', 'this');
    const env = squash(action(pipeline, 'SmokeTest').configuration.EnvironmentVariables);
    for (const name of ['USER_POOL_ID', 'TOKEN_ENDPOINT', 'MACHINE_CLIENT_ID']) expect(env).toContain(`name = "${name}", value = "#{ApplyVariables.${name}}"`);
    const read = blocks(dataSource(cicd, 'aws_iam_policy_document', 'smoke'), 'statement').find((st) => st.sid === 'ReadMachineClientSecret') as Body;
    expect(read.actions).toEqual(['cognito-idp:DescribeUserPoolClient']);
    expect(blocks(read, 'condition').map((c) => c.variable)).toEqual(['aws:ResourceTag/Project', 'aws:ResourceTag/Environment']);
    // outputs.json (the pipeline's and a deploy by hand's) never holds a sensitive value.
    const script = readWorkspaceFile('infra/scripts/terraform.sh');
    expect(script).toContain('if (output.sensitive) outputs[name] = { ...output, value: null }');
    expect(script).not.toMatch(/output -json > /);
    // The smoke test checks API Gateway's own refusals before it places an order with the token.
    const test = readWorkspaceFile('infra/scripts/smoke-test.mjs');
    expect(test).toContain("if (anonymous.status !== 401)");
    expect(test).toContain("if (refused.status !== 403)");
  });

  it('smoke.yml tests the deployment, then records the commit', () => {
    const smoke = readWorkspaceFile('infra/cicd/buildspecs/smoke.yml');
    const test = smoke.indexOf('node infra/scripts/smoke-test.mjs "$API_URL"');
    const record = smoke.indexOf('aws ssm put-parameter --name "$LAST_DEPLOYED_SHA_PARAMETER"');
    expect(test).toBeGreaterThan(0);
    expect(record).toBeGreaterThan(test);
  });

  it('terraform.sh plans with -out and applies exactly that plan', () => {
    const script = readWorkspaceFile('infra/scripts/terraform.sh');
    expect(script).toContain('-out="$plan_file"');
    expect(script).toContain('apply -input=false "$plan_file"');
    expect(script).toContain('validate');
    expect(script).toContain('terraform -chdir="$dir" test');
    expect(script).toContain('-lockfile=readonly');
    // The committed lock file is the one every init uses.
    expect(script).not.toMatch(/init[^\n]*-upgrade/);
  });

  it('the environment has mocked-provider terraform tests for what parsing cannot evaluate', () => {
    const tests = readWorkspaceFile('infra/envs/dev/tests/dev.tftest.hcl');
    expect(tests).toMatch(/^mock_provider "aws" \{/m);
    expect(tests).toContain('expect_failures = [var.visibility_timeout_seconds]');
    expect(tests).toContain('expect_failures = [var.dead_letter_message_retention_seconds]');
    expect(tests).toContain('expect_failures = [var.state_machine_type]');
  });
});

describe('pull-request checks (.github/workflows/ci.yml)', () => {
  it('run on pull requests with read-only permissions', () => {
    expect(ci).toMatch(/^on:\s+pull_request:/m);
    expect(ci).toMatch(/^permissions:\s+contents: read/m);
  });

  it('install, lint, typecheck and test', () => {
    expect(ci).toContain('npm ci --ignore-scripts');
    expect(ci).toContain('npx nx affected -t lint typecheck test --base="origin/${{ github.base_ref }}"');
    expect(ci).toContain('node-version: 22');
  });

  it('check terraform fmt, validate and test with the pinned Terraform', () => {
    expect(ci).toContain('terraform fmt -check -recursive -diff infra');
    expect(ci).toContain('cat infra/.terraform-version');
    expect(ci).toContain('terraform -chdir="$root" validate');
    expect(ci).toContain('terraform -chdir=infra/envs/dev test');
  });
});

describe('Nx project and scripts', () => {
  const project = JSON.parse(readWorkspaceFile('infra/project.json')) as Body;

  it('make infra an Nx project with test, lint, typecheck, deploy and offline-report targets', () => {
    expect(project.name).toBe('infra');
    expect(project.tags).toEqual(['type:tooling']);
    expect(Object.keys(project.targets).sort()).toEqual(['deploy', 'lint', 'offline-report', 'test', 'typecheck']);
    expect(JSON.parse(readWorkspaceFile('infra/package.json')).name).toBe('@dofs/infra');
  });

  it('deploy plans and applies envs through terraform.sh, the script the pipeline runs', () => {
    const deploy = project.targets.deploy as Body;
    expect(deploy.executor).toBe('nx:run-commands');
    expect(deploy.cache).toBe(false);
    expect(deploy.dependsOn).toEqual(['^deploy']);
    expect(deploy.options.command).toBe('bash infra/scripts/terraform.sh deploy');
    expect(deploy.configurations.plan.command).toBe('bash infra/scripts/terraform.sh plan');
    expect(deploy.configurations.apply.command).toBe('bash infra/scripts/terraform.sh apply');
  });

  it.each(['affected-base.sh', 'install-terraform.sh', 'publish-artifact.sh', 'terraform.sh'])(
    'scripts/%s is executable bash that parses',
    (script) => {
      const path = join(INFRA_ROOT, 'scripts', script);
      expect(() => accessSync(path, constants.X_OK)).not.toThrow();
      expect(spawnSync('bash', ['-n', path]).status).toBe(0);
    },
  );

  it.each(['smoke-test.mjs', 'artifact-manifest.mjs', 'provider-schema.mjs'])('scripts/%s is a Node script that parses', (script) => {
    expect(spawnSync(process.execPath, ['--check', join(INFRA_ROOT, 'scripts', script)]).status).toBe(0);
  });
});
