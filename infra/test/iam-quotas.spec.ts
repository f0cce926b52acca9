/**
 * IAM quotas over every rendered policy (the offline plan, AWS-assigned values replaced by
 * placeholders of full length): a managed policy at most 6,144 characters without whitespace,
 * a role's inline policies together at most 10,240, a trust policy at most 2,048, at most 10
 * managed policies per role, and the services' limits on queue, key and bucket policies.
 */
import { quotaFigures, quotaFindings } from './support/iam/checks';
import { faultFixtures, plant } from './support/iam/faults';
import { iamInputs } from './support/iam/inputs';
import { describeOffline } from './support/offline/shared';

describeOffline('IAM quotas of the rendered policies', (result) => {
  it.each(['bootstrap', 'cicd', 'environment'] as const)('hold for every policy and role of %s', (root) => {
    const model = iamInputs(result()).models[root];
    expect(quotaFigures(model).length).toBeGreaterThan(0);
    expect(quotaFindings(model)).toEqual([]);
  });

  it('measure the pipeline deployer\'s policies, each a managed policy within 6,144 characters', () => {
    const model = iamInputs(result()).models.cicd;
    const names = model.managedPolicies.map((p) => p.name).sort();
    expect(names).toEqual(['dofs-cicd-dev-terraform-read', 'dofs-cicd-dev-terraform-write-compute', 'dofs-cicd-dev-terraform-write-data', 'dofs-dev-role-boundary']);
    const apply = model.roles.find((r) => r.name === 'dofs-cicd-dev-codebuild-apply');
    expect(apply?.managed.map((p) => p.name).sort()).toEqual(['dofs-cicd-dev-terraform-read', 'dofs-cicd-dev-terraform-write-compute', 'dofs-cicd-dev-terraform-write-data']);
  });

  it.each(faultFixtures('quotas'))('report the planted fault %s', (_file, fixture) => {
    const inputs = iamInputs(result());
    const planted = plant(inputs, fixture.plant);
    const findings = [...quotaFindings(planted.models.cicd), ...quotaFindings(planted.models.environment)];
    expect(findings).toEqual(expect.arrayContaining([expect.objectContaining(fixture.expect.finding)]));
  });
});
