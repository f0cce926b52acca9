/**
 * The inputs of the IAM checks, taken from one offline plan result: the rendered models of the
 * environment and of the pipeline, the environment's instances, the Plan and Apply roles, the
 * permissions boundary and the two call tables.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INFRA_ROOT } from '../terraform';
import { OFFLINE_CONTEXT, type OfflineResult } from '../offline/terraform-offline';
import { stateInstances, type HandlerCallInput, type HandlerFunction, type ProviderCallInput, type ProviderCallRow } from './checks';
import { iamModel, type IamModel, type RoleModel } from './model';

export const PROVIDER_CALLS = JSON.parse(readFileSync(join(INFRA_ROOT, 'iam', 'provider-calls.json'), 'utf8')) as { version: string; rows: ProviderCallRow[] };
export const HANDLER_CALLS = JSON.parse(readFileSync(join(INFRA_ROOT, 'iam', 'handler-calls.json'), 'utf8')) as { functions: HandlerFunction[] };
const SETTINGS = JSON.parse(readFileSync(join(INFRA_ROOT, 'settings.json'), 'utf8'));

export interface IamInputs {
  models: { bootstrap: IamModel; cicd: IamModel; environment: IamModel };
  provider: ProviderCallInput;
  handler: HandlerCallInput;
}

function role(model: IamModel, name: string): RoleModel {
  const found = model.roles.find((r) => r.name === name);
  if (!found) throw new Error(`no role ${name} in the pipeline's plan`);
  return found;
}

export function iamInputs(result: OfflineResult): IamInputs {
  const models = {
    bootstrap: iamModel(result.roots.bootstrap.rendered),
    cicd: iamModel(result.roots.cicd.rendered),
    environment: iamModel(result.roots['envs/dev'].rendered),
  };
  const environment = stateInstances(result.roots['envs/dev'].state);
  const cicdVariables = result.roots.cicd.plan.variables;
  const project = cicdVariables.project.value as string;
  const env = cicdVariables.environment.value as string;
  const scope = {
    ...OFFLINE_CONTEXT,
    state: { bucket: cicdVariables.state_bucket_name.value as string, key: `${project}/${env}/terraform.tfstate` },
  };
  const boundary = models.cicd.managedPolicies.find((p) => p.name === `${project}-${env}-role-boundary`);
  return {
    models,
    provider: {
      rows: PROVIDER_CALLS.rows,
      environment,
      environmentModel: models.environment,
      planRole: role(models.cicd, `${project}-cicd-${env}-codebuild-plan`),
      applyRole: role(models.cicd, `${project}-cicd-${env}-codebuild-apply`),
      scope,
    },
    handler: { functions: HANDLER_CALLS.functions, environment, environmentModel: models.environment, ...(boundary ? { boundary } : {}), settings: SETTINGS, namePrefix: `${project}-${env}`, scope },
  };
}
