/**
 * What the AWS provider calls (infra/iam/provider-calls.json), evaluated with iam-simulate over
 * the rendered policies: the Plan role may make every plan and read call for the environment's
 * resources, the Apply role every call, on the ARN each call names, with the request's or the
 * resource's tags where AWS evaluates them, and the key policy for the alarm topic's key.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { providerCallFindings } from './support/iam/checks';
import { faultFixtures, plant } from './support/iam/faults';
import { iamInputs, PROVIDER_CALLS } from './support/iam/inputs';
import { describeOffline } from './support/offline/shared';
import { INFRA_ROOT } from './support/terraform';

const PROVIDER_SCHEMA = JSON.parse(readFileSync(join(INFRA_ROOT, 'schema', 'aws-provider.json'), 'utf8')) as { provider: string; resource: Record<string, unknown> };

describe('the provider-call table', () => {
  it('is for the provider version the lock files pin and the 6.x schema check reads', () => {
    expect(`hashicorp/aws@${PROVIDER_CALLS.version}`).toBe(PROVIDER_SCHEMA.provider);
    for (const root of ['bootstrap', 'cicd', 'envs/dev']) {
      const lock = readFileSync(join(INFRA_ROOT, root, '.terraform.lock.hcl'), 'utf8');
      expect({ root, version: /version\s+=\s+"([^"]+)"/.exec(lock)?.[1] }).toEqual({ root, version: PROVIDER_CALLS.version });
    }
  });

  it('has rows for every resource type infra/ uses, each citing the provider source it comes from', () => {
    const types = new Set(PROVIDER_CALLS.rows.map((r) => r.type));
    expect(Object.keys(PROVIDER_SCHEMA.resource).filter((t) => !types.has(t))).toEqual([]);
    for (const row of PROVIDER_CALLS.rows) {
      expect({ row: `${row.type} ${row.phase}`, cited: /^(internal\/service\/|docs\.aws\.amazon\.com\/|github\.com\/hashicorp\/terraform |internal\/backend\/)/.test(row.source) }).toEqual({ row: `${row.type} ${row.phase}`, cited: true });
    }
  });
});

describeOffline('the pipeline roles against what the provider calls', (result) => {
  it('allow every call for every resource of the environment: plan and read calls to Plan and Apply, the rest to Apply', async () => {
    const { findings, evaluated } = await providerCallFindings(iamInputs(result()).provider);
    expect(evaluated).toBeGreaterThan(500);
    expect(findings).toEqual([]);
  }, 120_000);

  it.each(faultFixtures('provider-calls'))('report the planted fault %s', async (_file, fixture) => {
    const planted = plant(iamInputs(result()), fixture.plant);
    const { findings } = await providerCallFindings(planted.provider);
    expect(findings).toEqual(expect.arrayContaining([expect.objectContaining(fixture.expect.finding)]));
  }, 120_000);
});
