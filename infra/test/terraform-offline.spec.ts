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
import { plannedResources } from './support/iam/model';

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

  it('plans the JWT authorizer with the user pool\'s issuer and both app clients as audience, and every route with it and the contract\'s scopes', () => {
    const planned = plannedResources(result().roots['envs/dev'].rendered);
    const one = (address: string) => {
      const found = planned.find((r) => r.address === address);
      if (!found) throw new Error(`${address} is not planned`);
      return found.values;
    };
    const pool = one('module.identity[0].aws_cognito_user_pool.this');
    const machine = one('module.identity[0].aws_cognito_user_pool_client.machine');
    const customer = one('module.identity[0].aws_cognito_user_pool_client.customer');
    const authorizer = one('module.api.aws_apigatewayv2_authorizer.jwt');
    expect(pool).toMatchObject({ name: 'dofs-dev', user_pool_tier: 'LITE', deletion_protection: 'ACTIVE' });
    expect(pool.tags_all).toMatchObject({ Project: 'dofs', Environment: 'dev' });
    expect(one('module.identity[0].aws_cognito_user_pool_domain.this').domain).toBe('dofs-dev-123456789012');
    expect(one('module.identity[0].aws_cognito_resource_server.orders').identifier).toBe('orders');
    expect({ type: authorizer.authorizer_type, sources: authorizer.identity_sources }).toEqual({ type: 'JWT', sources: ['$request.header.Authorization'] });
    expect(authorizer.jwt_configuration[0].issuer).toBe(`https://cognito-idp.us-east-1.amazonaws.com/${pool.id}`);
    expect([...authorizer.jwt_configuration[0].audience].sort()).toEqual([machine.id, customer.id].sort());
    expect(machine).toMatchObject({ generate_secret: true, allowed_oauth_flows: ['client_credentials'], allowed_oauth_flows_user_pool_client: true, access_token_validity: 60 });
    expect([...machine.allowed_oauth_scopes].sort()).toEqual(['orders/act-for-customers', 'orders/read', 'orders/write']);
    expect(machine.token_validity_units[0].access_token).toBe('minutes');
    expect(customer).toMatchObject({ generate_secret: false, allowed_oauth_flows: ['code'], access_token_validity: 60 });
    expect([...customer.allowed_oauth_scopes].sort()).toEqual(['openid', 'orders/read', 'orders/write']);
    const routes = Object.fromEntries(
      planned.filter((r) => r.type === 'aws_apigatewayv2_route').map((r) => [r.values.route_key, { type: r.values.authorization_type, authorizer: r.values.authorizer_id === authorizer.id, scopes: r.values.authorization_scopes ?? null }]),
    );
    expect(routes).toEqual({
      'POST /order': { type: 'JWT', authorizer: true, scopes: ['orders/write'] },
      'GET /orders/{order_id}': { type: 'JWT', authorizer: true, scopes: ['orders/read'] },
      $default: { type: 'JWT', authorizer: true, scopes: null },
    });
    expect(one('module.api_handler.aws_lambda_function.this').environment[0].variables.AUTH_MODE).toBe('jwt');
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
