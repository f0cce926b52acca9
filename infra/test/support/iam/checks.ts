/**
 * The offline IAM checks, as functions from a rendered plan to findings, so that a test can run
 * them on the real configuration (no finding) and on a copy with one planted fault (that fault).
 *
 * - quotas: sizes and counts IAM and the services enforce;
 * - provider calls: every call the AWS provider makes for the environment's resources
 *   (infra/iam/provider-calls.json) is allowed to the Plan role (plan and read) and the Apply role
 *   (every phase), on the ARN the call names;
 * - handler calls: every call a function's code makes (infra/iam/handler-calls.json) is allowed
 *   by its role within the permissions boundary, and the role allows nothing else.
 */
import type { Json } from '../offline/terraform-offline';
import type { IamModel, PolicyDocument, RoleModel } from './model';
import { isWildcardOnlyAction } from '@cloud-copilot/iam-simulate';
import { evaluate, evaluateIfApplicable, type Decision } from './simulate';

// ---------------------------------------------------------------------------------------------
// Quotas
// ---------------------------------------------------------------------------------------------

/** IAM and AWS STS quotas (docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). */
export const QUOTAS = {
  managedPolicy: 6144,
  roleInlinePolicies: 10240,
  trustPolicy: 2048,
  managedPoliciesPerRole: 10,
  /** Bytes of the policy as sent (whitespace counts): SQS 8,192 (SQS quotas), KMS 32,768 (KMS quotas), S3 20,480 (S3 bucket policy). */
  resourcePolicy: { sqs: 8192, kms: 32768, s3: 20480, sns: 30720 },
} as const;

export interface QuotaFinding {
  quota: 'managed policy' | 'inline policies of a role' | 'trust policy' | 'managed policies per role' | 'resource policy';
  subject: string;
  size: number;
  limit: number;
}

export interface QuotaFigure {
  quota: QuotaFinding['quota'];
  subject: string;
  size: number;
  limit: number;
}

/** Every measured figure (for the report), whether within its limit or not. */
export function quotaFigures(model: IamModel): QuotaFigure[] {
  const figures: QuotaFigure[] = [];
  for (const policy of model.managedPolicies) figures.push({ quota: 'managed policy', subject: policy.address, size: policy.size, limit: QUOTAS.managedPolicy });
  for (const role of model.roles) {
    // Policy names are counted too: it can only overestimate.
    const inline = role.inline.reduce((sum, p) => sum + p.size + p.name.length, 0);
    figures.push({ quota: 'inline policies of a role', subject: `${role.name} (${role.inline.map((p) => `${p.name} ${p.size}`).join(', ') || 'none'})`, size: inline, limit: QUOTAS.roleInlinePolicies });
    figures.push({ quota: 'trust policy', subject: role.name, size: role.trust.size, limit: QUOTAS.trustPolicy });
    figures.push({ quota: 'managed policies per role', subject: role.name, size: role.managed.length + role.externalManaged.length, limit: QUOTAS.managedPoliciesPerRole });
  }
  for (const policy of model.resourcePolicies) {
    const bytes = Buffer.byteLength(JSON.stringify(policy.document.document, null, 2));
    figures.push({ quota: 'resource policy', subject: `${policy.kind} ${policy.target}`, size: bytes, limit: QUOTAS.resourcePolicy[policy.kind] });
  }
  return figures;
}

export function quotaFindings(model: IamModel): QuotaFinding[] {
  return quotaFigures(model).filter((f) => f.size > f.limit);
}

// ---------------------------------------------------------------------------------------------
// Templates of the call tables
// ---------------------------------------------------------------------------------------------

export interface Instance {
  address: string;
  type: string;
  module?: string;
  attributes: Json;
}

/** The instances of a placeholder state (every attribute known). */
export function stateInstances(state: Json): Instance[] {
  return (state.resources as Json[]).flatMap((r) =>
    (r.instances as Json[]).map((i) => {
      const key = i.index_key === undefined ? '' : typeof i.index_key === 'number' ? `[${i.index_key}]` : `["${i.index_key}"]`;
      return { address: `${r.module ? `${r.module}.` : ''}${r.type}.${r.name}${key}`, type: r.type, ...(r.module ? { module: r.module } : {}), attributes: i.attributes };
    }),
  );
}

export interface TemplateScope {
  partition: string;
  region: string;
  account: string;
  instance?: Instance;
  instances: Instance[];
  state?: { bucket: string; key: string };
}

function attributePath(value: Json, path: string): Json {
  return path.split('.').reduce((v, k) => (v === null || v === undefined ? undefined : Array.isArray(v) ? v[0]?.[k] : v[k]), value);
}

function queueArnOfUrl(url: string, partition: string): string {
  const m = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com\/(\d{12})\/(.+)$/.exec(url);
  if (!m) throw new Error(`not a queue URL: ${url}`);
  return `arn:${partition}:sqs:${m[1]}:${m[2]}:${m[3]}`;
}

export function render(template: string, scope: TemplateScope): string {
  return template.replace(/\{([a-zA-Z0-9_.]+)\}/g, (_, name: string) => {
    const attrs = scope.instance?.attributes ?? {};
    const need = (value: Json, what: string): string => {
      if (value === null || value === undefined || value === '') throw new Error(`${scope.instance?.address ?? 'template'}: ${what} is unknown`);
      return String(value);
    };
    if (name === 'partition' || name === 'region' || name === 'account') return scope[name];
    if (name.startsWith('attr.')) return need(name === 'attr.path' ? attrs.path ?? '/' : attributePath(attrs, name.slice(5)), name);
    if (name.startsWith('urlencoded.attr.')) return encodeURIComponent(need(attributePath(attrs, name.slice(16)), name));
    if (name === 'queueArn.queue_url') return queueArnOfUrl(need(attrs.queue_url, name), scope.partition);
    if (name === 'target.role_arn') return need(attributePath(attrs, 'target.role_arn'), name);
    if (name === 'role.permissions_boundary') {
      const role = scope.instances.find((i) => i.type === 'aws_iam_role' && i.attributes.name === attrs.role);
      return need(role?.attributes.permissions_boundary, `the boundary of role ${String(attrs.role)}`);
    }
    if (name === 'state.bucket' || name === 'state.key') return need(scope.state?.[name.slice(6) as 'bucket' | 'key'], name);
    throw new Error(`unknown template variable {${name}}`);
  });
}

function tagContext(kind: 'RequestTag' | 'ResourceTag', tags: Record<string, string> | null | undefined): Record<string, string | string[]> {
  const entries = Object.entries(tags ?? {});
  const context: Record<string, string | string[]> = Object.fromEntries(entries.map(([k, v]) => [`aws:${kind}/${k}`, v]));
  if (kind === 'RequestTag' && entries.length > 0) context['aws:TagKeys'] = entries.map(([k]) => k);
  return context;
}

// ---------------------------------------------------------------------------------------------
// Provider calls
// ---------------------------------------------------------------------------------------------

export interface ProviderCallRow {
  type: string;
  phase: 'plan' | 'create' | 'read' | 'update' | 'delete';
  actions: string[];
  resource: string;
  source: string;
  context?: Record<string, string>;
  tags?: 'request' | 'resource' | 'none' | 'resource-of-api' | 'resource-of-user-pool';
  keyPolicy?: boolean;
  noPermission?: boolean;
  appliedBy?: 'administrator';
  when?: string;
}

export interface CallFinding {
  role: string;
  subject: string;
  phase: string;
  action: string;
  resource: string;
  decision: Decision | 'NotApplicable';
}

export interface ProviderCallInput {
  rows: ProviderCallRow[];
  /** The environment's placeholder state (every instance with every attribute). */
  environment: Instance[];
  /** Models of the environment (its resource policies) and of the pipeline (the roles). */
  environmentModel: IamModel;
  planRole: RoleModel;
  applyRole: RoleModel;
  scope: Omit<TemplateScope, 'instance' | 'instances'>;
}

function resourcePolicyFor(model: IamModel, arn: string, kind?: 'kms'): unknown {
  const found = model.resourcePolicies.find((p) => (kind ? p.kind === kind : p.kind !== 'kms') && p.target === arn);
  return found?.document.document;
}

/** Every provider call for the environment's resources that the role meant to make it may not make. */
export async function providerCallFindings(input: ProviderCallInput): Promise<{ findings: CallFinding[]; evaluated: number }> {
  const findings: CallFinding[] = [];
  let evaluated = 0;
  const rowsOf = (type: string) => input.rows.filter((r) => r.type === type && r.actions.length > 0 && !r.noPermission);
  const targets: { subject: string; instance?: Instance; rows: ProviderCallRow[] }[] = [
    ...input.environment.map((instance) => ({ subject: instance.address, instance, rows: rowsOf(instance.type) })),
    { subject: 'terraform backend (S3)', rows: rowsOf('terraform_backend_s3') },
  ];
  for (const { subject, instance, rows } of targets) {
    if (instance && rows.length === 0 && !input.rows.some((r) => r.type === instance.type)) {
      findings.push({ role: '-', subject, phase: '-', action: `no row for ${instance.type} in infra/iam/provider-calls.json`, resource: '-', decision: 'NotApplicable' });
    }
    for (const row of rows) {
      const scope: TemplateScope = { ...input.scope, instances: input.environment, ...(instance ? { instance } : {}) };
      const resource = render(row.resource, scope);
      const context: Record<string, string | string[]> = Object.fromEntries(Object.entries(row.context ?? {}).map(([k, v]) => [k, render(v, scope)]));
      const tags = instance?.attributes.tags_all as Record<string, string> | undefined;
      if (row.tags === 'request') Object.assign(context, tagContext('RequestTag', tags));
      if (row.tags === 'resource') Object.assign(context, tagContext('ResourceTag', tags));
      if (row.tags === 'resource-of-api') {
        const api = input.environment.find((i) => i.type === 'aws_apigatewayv2_api' && i.attributes.id === instance?.attributes.api_id);
        Object.assign(context, tagContext('ResourceTag', api?.attributes.tags_all));
      }
      // A Cognito user pool's domain, resource server and app clients are authorised against the pool's ARN, whose tags apply.
      if (row.tags === 'resource-of-user-pool') {
        const pool = input.environment.find((i) => i.type === 'aws_cognito_user_pool' && i.attributes.id === instance?.attributes.user_pool_id);
        if (!pool) throw new Error(`${subject}: no user pool ${String(instance?.attributes.user_pool_id)} in the plan`);
        Object.assign(context, tagContext('ResourceTag', pool.attributes.tags_all));
      }
      const policy = row.keyPolicy ? resourcePolicyFor(input.environmentModel, resource, 'kms') : resourcePolicyFor(input.environmentModel, resource);
      const roles = row.phase === 'plan' || row.phase === 'read' ? [input.planRole, input.applyRole] : [input.applyRole];
      for (const role of roles) {
        for (const action of row.actions) {
          evaluated += 1;
          const decision = await evaluate(role, { action, resource, context }, policy);
          if (decision !== 'Allowed') findings.push({ role: role.name, subject, phase: row.phase, action, resource, decision });
        }
      }
    }
  }
  return { findings, evaluated };
}

// ---------------------------------------------------------------------------------------------
// Handler calls
// ---------------------------------------------------------------------------------------------

export interface HandlerCall {
  action: string;
  resource: string;
  sdk: string;
  source: string;
}

export interface HandlerFunction {
  function: string;
  role: string;
  calls: HandlerCall[];
}

export interface HandlerCallInput {
  functions: HandlerFunction[];
  environment: Instance[];
  environmentModel: IamModel;
  /** The permissions boundary (a managed policy of the pipeline root). */
  boundary?: PolicyDocument;
  settings: Json;
  namePrefix: string;
  scope: Omit<TemplateScope, 'instance' | 'instances'>;
}

/** Resolves a handler table resource (`table:orders`, `queue:deadLetter`, …) to the ARN it names. */
export function handlerResource(ref: string, fn: HandlerFunction, input: HandlerCallInput): string {
  const { environment: all, settings, namePrefix: prefix } = input;
  const find = (type: string, key: string, value: string): Instance => {
    const found = all.find((i) => i.type === type && i.attributes[key] === value);
    if (!found) throw new Error(`${fn.function}: no ${type} with ${key} ${value}`);
    return found;
  };
  const [kind, name] = ref.split(':') as [string, string];
  if (ref === '*') return '*';
  switch (kind) {
    case 'table':
      return find('aws_dynamodb_table', 'name', `${prefix}-${settings.tables[name]}`).attributes.arn;
    case 'index': {
      const [table, index] = name.split('/') as [string, string];
      return `${find('aws_dynamodb_table', 'name', `${prefix}-${settings.tables[table]}`).attributes.arn}/index/${index}`;
    }
    case 'queue': {
      const queueName = name === 'scheduleDeadLetter' ? `${prefix}-reconcile-schedule-dlq` : `${prefix}-${settings.queues[name]}`;
      return find('aws_sqs_queue', 'name', queueName).attributes.arn;
    }
    case 'stateMachine':
      return (all.find((i) => i.type === 'aws_sfn_state_machine') as Instance).attributes.arn;
    case 'function':
      return find('aws_lambda_function', 'function_name', `${prefix}-${name}`).attributes.arn;
    case 'logStream': {
      const group = find('aws_cloudwatch_log_group', 'name', `/aws/lambda/${prefix}-${fn.function}`).attributes.arn;
      return `${group}:log-stream:2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef`;
    }
    default:
      throw new Error(`${fn.function}: unknown resource ${ref}`);
  }
}

function roleOf(fn: HandlerFunction, input: HandlerCallInput): RoleModel {
  const instance = input.environment.find((i) => i.address === fn.role);
  const role = input.environmentModel.roles.find((r) => r.name === instance?.attributes.name);
  if (!role) throw new Error(`${fn.function}: no role ${fn.role} in the plan`);
  return input.boundary && role.boundaryArn ? { ...role, boundary: input.boundary } : role;
}

/** Calls a function makes that its role (within the boundary) does not allow. */
export async function handlerCallFindings(input: HandlerCallInput): Promise<{ findings: CallFinding[]; evaluated: number }> {
  const findings: CallFinding[] = [];
  let evaluated = 0;
  for (const fn of input.functions) {
    const role = roleOf(fn, input);
    for (const call of fn.calls) {
      let resource: string;
      try {
        resource = handlerResource(call.resource, fn, input);
      } catch (error) {
        findings.push({ role: role.name, subject: fn.function, phase: 'runtime', action: call.action, resource: `${call.resource} (${(error as Error).message})`, decision: 'NotApplicable' });
        continue;
      }
      evaluated += 1;
      const decision = await evaluate(role, { action: call.action, resource }, resourcePolicyFor(input.environmentModel, resource));
      if (decision !== 'Allowed') findings.push({ role: role.name, subject: fn.function, phase: 'runtime', action: call.action, resource, decision });
    }
  }
  return { findings, evaluated };
}

/**
 * What a function's role allows that its handler never calls: every action named by any role's
 * policies or any handler, on every resource of the environment, evaluated; an allowed pair the
 * function's rows do not list is a finding.
 */
export async function unusedGrantFindings(input: HandlerCallInput): Promise<{ findings: CallFinding[]; evaluated: number }> {
  const findings: CallFinding[] = [];
  let evaluated = 0;
  const actionsOf = (doc: PolicyDocument) =>
    ([] as Json[]).concat(doc.document.Statement).flatMap((s) => (s.Effect === 'Allow' ? ([] as string[]).concat(s.Action ?? []) : []));
  const roles = input.functions.map((fn) => ({ fn, role: roleOf(fn, input) }));
  const actions = new Set<string>([
    ...input.functions.flatMap((f) => f.calls.map((c) => c.action)),
    ...roles.flatMap(({ role }) => role.inline.flatMap(actionsOf)),
    ...(input.boundary ? actionsOf(input.boundary) : []),
    'dynamodb:Scan',
  ]);
  const resolved = (call: HandlerCall, fn: HandlerFunction): string | undefined => {
    try {
      return handlerResource(call.resource, fn, input);
    } catch {
      return undefined; // reported by handlerCallFindings
    }
  };
  const resources = new Set<string>(['*']);
  for (const fn of input.functions) for (const call of fn.calls) resources.add(resolved(call, fn) ?? '*');
  for (const i of input.environment) {
    if (i.type === 'aws_dynamodb_table') {
      resources.add(i.attributes.arn);
      for (const index of i.attributes.global_secondary_index ?? []) resources.add(`${i.attributes.arn}/index/${index.name}`);
    }
    if (['aws_sqs_queue', 'aws_sfn_state_machine', 'aws_lambda_function', 'aws_sns_topic'].includes(i.type)) resources.add(i.attributes.arn);
  }
  // "*" is a request's resource only for actions without resource-level permissions.
  const wildcardOnly = new Map<string, boolean>();
  for (const action of actions) {
    const [service, name] = action.split(':') as [string, string];
    wildcardOnly.set(action, await isWildcardOnlyAction(service, name));
  }
  for (const { fn, role } of roles) {
    const called = new Set(fn.calls.map((c) => `${c.action} ${resolved(c, fn)}`));
    for (const action of actions) {
      for (const resource of resources) {
        if (called.has(`${action} ${resource}`) || (resource === '*') !== wildcardOnly.get(action)) continue;
        evaluated += 1;
        const decision = await evaluateIfApplicable(role, { action, resource }, resourcePolicyFor(input.environmentModel, resource));
        if (decision === 'Allowed') findings.push({ role: role.name, subject: fn.function, phase: 'never called', action, resource, decision });
      }
    }
  }
  return { findings, evaluated };
}
