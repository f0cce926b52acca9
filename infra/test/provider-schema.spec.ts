/**
 * The offline provider-schema check: every resource and data block under infra/ against the AWS
 * provider's schema (trimmed to the types infra/ uses, infra/schema/aws-provider.json), every
 * module call against its module's variables. `terraform validate` needs the provider binary,
 * which cannot be downloaded here; this catches the same naming mistakes in `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { INFRA_ROOT, WORKSPACE_ROOT } from './support/terraform';
import { REGENERATE, checkTfDirs, loadSchema, loadTfDirs, usedTypes } from './support/provider-schema';
import { hclStructure } from './support/hcl-structure';

const schema = loadSchema();
// Every .tf under infra/ except test fixtures (which hold planted errors).
const infraDirs = loadTfDirs(INFRA_ROOT, ['test']);

describe('the trimmed provider schema', () => {
  it('comes from hashicorp/aws 6.x through @cdktf/provider-aws 21.x', () => {
    expect(schema.source).toMatch(/^@cdktf\/provider-aws@21\.\d+\.\d+$/);
    expect(schema.provider).toMatch(/^hashicorp\/aws@6\.\d+\.\d+$/);
  });

  it('has every resource and data source type infra/ uses', () => {
    const used = usedTypes(infraDirs);
    const missing = [
      ...used.resource.filter((t) => !schema.resource[t]).map((t) => `resource ${t}`),
      ...used.data.filter((t) => !schema.data[t]).map((t) => `data ${t}`),
    ];
    // When this fails, run `node infra/scripts/provider-schema.mjs` and commit infra/schema.
    expect({ missing, regenerate: REGENERATE }).toEqual({ missing: [], regenerate: REGENERATE });
  });

  it('holds only the types infra/ uses (regenerated, not edited by hand)', () => {
    const used = usedTypes(infraDirs);
    expect(Object.keys(schema.resource).sort()).toEqual(used.resource);
    expect(Object.keys(schema.data).sort()).toEqual(used.data);
  });

  it('is written by a script that lists the same types as the check', () => {
    const script = join(INFRA_ROOT, 'scripts', 'provider-schema.mjs');
    const listed = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `import { usedTypes } from ${JSON.stringify(script)}; console.log(JSON.stringify(usedTypes()));`],
      { cwd: WORKSPACE_ROOT, encoding: 'utf8' },
    );
    expect(listed.status).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual(usedTypes(infraDirs));
  });
});

describe('every configuration under infra/', () => {
  it('uses only arguments and blocks the provider has, each as what it is, with the required ones', () => {
    expect(checkTfDirs(INFRA_ROOT, schema, infraDirs)).toEqual([]);
  });

  it('covers every .tf file (resources added later are checked too)', () => {
    const files = [...infraDirs.values()].flatMap((d) => d.files.map((f) => f.path));
    expect(files).toEqual(expect.arrayContaining(['cicd/main.tf', 'envs/dev/main.tf', 'modules/alarms/main.tf', 'bootstrap/main.tf']));
    const blocks = [...infraDirs.values()].flatMap((d) => d.files.flatMap((f) => f.blocks));
    expect(blocks.filter((b) => b.type === 'resource').length).toBeGreaterThan(40);
    expect(blocks.filter((b) => b.type === 'module').length).toBeGreaterThan(10);
  });
});

describe('the check catches planted errors (infra/test/fixtures/schema-errors)', () => {
  const fixture = join(INFRA_ROOT, 'test', 'fixtures', 'schema-errors');
  const problems = checkTfDirs(fixture, schema);

  it.each([
    ['an unknown argument', 'main.tf aws_sqs_queue.planted:6: unknown argument visibility_timeout'],
    ['an argument written as a block', 'main.tf aws_sqs_queue.planted:8: redrive_policy is an argument, not a block: write redrive_policy = ...'],
    ['a block written as an argument', 'main.tf aws_lambda_event_source_mapping.block_as_argument:17: scaling_config is a nested block, not an argument'],
    ['a missing required argument', 'main.tf aws_lambda_event_source_mapping.planted:22: missing required argument function_name'],
    ['a missing required argument in a nested block', 'main.tf data.aws_iam_policy_document.planted:31: missing required argument values'],
    ['an unknown argument in a dynamic block', 'main.tf data.aws_iam_policy_document.planted:41: unknown argument action'],
    ['a type missing from the trimmed schema', `main.tf aws_not_a_real_type.planted:46: resource type aws_not_a_real_type is not in the trimmed provider schema (regenerate it: ${REGENERATE})`],
    ['a module argument without a variable', 'main.tf module.queue:53: modules/queue has no variable queue_name'],
    ['a second one', 'main.tf module.queue:54: modules/queue has no variable retention'],
    ['a required module variable not given', 'main.tf module.queue:50: missing required variable name of modules/queue'],
  ])('%s', (_what, problem) => {
    expect(problems).toContain(problem);
  });

  it('and nothing else', () => {
    expect(problems).toHaveLength(10);
  });
});

describe('the HCL structure scanner', () => {
  it('tells attributes from blocks, through strings, heredocs, comments and nested expressions', () => {
    const [block] = hclStructure(
      [
        'resource "t" "n" {',
        '  a = "x { y" # not a block {',
        '  b = { c = [1, { d = 2 }] }',
        '  e = <<-EOT',
        '    f {',
        '    EOT',
        '  g = "${jsonencode({ h = "}" })}"',
        '  /* i { */',
        '  j {',
        '    k = 1',
        '  }',
        '  l = [',
        '    for m in var.n : m',
        '  ]',
        '  o { p = 1 }',
        '}',
      ].join('\n'),
    );
    expect(block?.attributes.map((a) => [a.name, a.line])).toEqual([
      ['a', 2],
      ['b', 3],
      ['e', 4],
      ['g', 7],
      ['l', 12],
    ]);
    expect(block?.blocks.map((b) => [b.type, b.line, b.attributes.map((a) => a.name)])).toEqual([
      ['j', 9, ['k']],
      ['o', 15, ['p']],
    ]);
  });
});
