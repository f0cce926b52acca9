/**
 * `terraform validate`, `terraform plan` and `terraform test` of the three roots with the real
 * provider binary (hashicorp/aws 5.100.0 from the local plugin directory), no network and no AWS
 * account (test/support/offline). Required where the plugin directory exists; skipped with a
 * notice elsewhere. The 6.x schema check (provider-schema.spec.ts) covers what 5.100 cannot see.
 */
import { loadSchema, checkTfDirs, loadTfDirs, type ProviderSchema, type SchemaNode } from './support/provider-schema';
import { INFRA_ROOT } from './support/terraform';
import { describeOffline } from './support/offline/shared';
import { ROOTS, deferredDataSources, type Json } from './support/offline/terraform-offline';

const providerCalls = JSON.parse(require('node:fs').readFileSync(`${INFRA_ROOT}/iam/provider-calls.json`, 'utf8')) as { rows: { type: string; phase: string; actions: string[] }[] };

const managed = (plan: Json) => (plan.resource_changes as Json[]).filter((c) => c.mode === 'managed');
const counts = (plan: Json) => {
  const out: Record<string, number> = {};
  for (const c of managed(plan)) {
    const key = (c.change.actions as string[]).join('/');
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
};

/** Argument and block paths one schema has and the other lacks, per type. */
export function schemaDifferences(a: SchemaNode, b: SchemaNode, path = ''): { onlyA: string[]; onlyB: string[] } {
  const onlyA = [...a.arguments.filter((x) => !b.arguments.includes(x)), ...Object.keys(a.blocks).filter((x) => !(x in b.blocks))].map((x) => `${path}${x}`);
  const onlyB = [...b.arguments.filter((x) => !a.arguments.includes(x)), ...Object.keys(b.blocks).filter((x) => !(x in a.blocks))].map((x) => `${path}${x}`);
  for (const [name, block] of Object.entries(a.blocks)) {
    const other = b.blocks[name];
    if (!other) continue;
    const nested = schemaDifferences(block, other, `${path}${name}.`);
    onlyA.push(...nested.onlyA);
    onlyB.push(...nested.onlyB);
  }
  return { onlyA, onlyB };
}

describeOffline('terraform with the provider binary, offline', (result) => {
  it.each(ROOTS)('validates %s', (root) => {
    const { validate } = result().roots[root];
    expect({ root, valid: validate.valid, diagnostics: validate.diagnostics.map((d) => `${d.severity}: ${d.summary} ${d.detail ?? ''}`) }).toEqual({ root, valid: true, diagnostics: [] });
  });

  it.each(ROOTS)('plans %s from scratch: only creations, and nothing left unplanned', (root) => {
    const { plan } = result().roots[root];
    expect(plan.errored).toBe(false);
    expect(plan.complete).toBe(true);
    const byAction = counts(plan);
    expect(Object.keys(byAction)).toEqual(['create']);
    expect(byAction.create).toBeGreaterThan(root === 'bootstrap' ? 5 : 40);
  });

  it.each(ROOTS)('renders every policy document of %s once AWS-assigned values are placeholders', (root) => {
    const { rendered, passes } = result().roots[root];
    expect(deferredDataSources(rendered)).toEqual([]);
    expect(passes).toBeLessThanOrEqual(3);
  });

  it('makes no AWS call while planning beyond those the provider-call table lists for the plan phase', () => {
    const planned = new Set(providerCalls.rows.filter((r) => r.phase === 'plan').flatMap((r) => r.actions));
    for (const root of ROOTS) {
      const calls = result().roots[root].calls;
      expect({ root, refused: calls.filter((c) => !c.answered) }).toEqual({ root, refused: [] });
      const actions = [...new Set(calls.map((c) => `${c.service === 'sts' ? 'sts' : c.service}:${c.operation}`))];
      expect({ root, unlisted: actions.filter((a) => !planned.has(a)) }).toEqual({ root, unlisted: [] });
    }
  });

  it('calls ValidateStateMachineDefinition when the workflow definition is known and changed (a later Plan, or the first Apply)', () => {
    const dev = result().roots['envs/dev'];
    expect(dev.calls.filter((c) => c.operation === 'ValidateStateMachineDefinition').length).toBeGreaterThan(0);
    // The first plan of a new environment cannot: the function ARNs in the definition are unknown.
    const workflow = managed(dev.plan).find((c) => c.type === 'aws_sfn_state_machine');
    expect(workflow?.change.after_unknown.definition).toBe(true);
  });

  it('updates exactly the changed function when one app\'s package changes', () => {
    const plan = result().roots['envs/dev'].oneAppChange as Json;
    const changed = managed(plan).filter((c) => !(c.change.actions as string[]).includes('no-op'));
    expect(changed.map((c) => `${c.address} ${c.change.actions.join('/')}`)).toEqual(['module.api_handler.aws_lambda_function.this update']);
  });

  it('passes terraform test of envs/dev (mocked provider)', () => {
    const test = result().roots['envs/dev'].test;
    expect({ passed: test?.passed, output: test?.passed ? '' : test?.output }).toEqual({ passed: true, output: '' });
  });

  describe('the two provider majors', () => {
    const schema6 = loadSchema();
    const infraDirs = loadTfDirs(INFRA_ROOT, ['test']);

    it('accept every argument and block infra/ uses (5.100 here, 6.x in provider-schema.spec.ts)', () => {
      const schema5: ProviderSchema = { source: 'terraform providers schema -json', ...result().schema };
      expect(checkTfDirs(INFRA_ROOT, schema5, infraDirs)).toEqual([]);
      expect(checkTfDirs(INFRA_ROOT, schema6, infraDirs)).toEqual([]);
    });

    it('differ, for the types infra/ uses, only in arguments infra/ does not use (listed in infra/README.md)', () => {
      const schema5 = result().schema;
      const differences: Record<string, { only6: string[]; only5: string[] }> = {};
      for (const kind of ['resource', 'data'] as const) {
        for (const [type, node6] of Object.entries(schema6[kind])) {
          const node5 = schema5[kind][type];
          if (!node5) {
            differences[`${kind} ${type}`] = { only6: ['(the whole type)'], only5: [] };
            continue;
          }
          const { onlyA, onlyB } = schemaDifferences(node6, node5);
          // `region` on every resource is 6.x's per-resource region; it is not used here.
          const only6 = onlyA.filter((x) => x !== 'region');
          if (only6.length > 0 || onlyB.length > 0) differences[`${kind} ${type}`] = { only6, only5: onlyB };
        }
      }
      // Every type infra/ uses exists in 5.100.
      expect(Object.entries(differences).filter(([, d]) => d.only6.includes('(the whole type)'))).toEqual([]);
    });
  });
});
