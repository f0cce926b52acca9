/**
 * The IAM of one root as its plan renders it: roles (trust policy, inline policies, attached
 * managed policies, permissions boundary), managed policies and resource policies, every
 * document parsed from the JSON the plan carries (placeholders in place of AWS-assigned values).
 */
import type { Json } from '../offline/terraform-offline';

export interface PlannedResource {
  address: string;
  type: string;
  name: string;
  values: Json;
}

export interface PolicyDocument {
  /** Where it comes from, e.g. `aws_iam_role_policy.build`. */
  address: string;
  name: string;
  document: Json;
  /** Characters IAM counts: the document without whitespace. */
  size: number;
}

export interface RoleModel {
  address: string;
  name: string;
  arn: string;
  trust: PolicyDocument;
  inline: PolicyDocument[];
  managed: PolicyDocument[];
  /** Managed policy ARNs attached that this root does not define (AWS managed ones). */
  externalManaged: string[];
  boundary?: PolicyDocument;
  boundaryArn?: string;
}

export interface ResourcePolicy {
  address: string;
  kind: 'sqs' | 'sns' | 'kms' | 's3';
  /** ARN of the queue, topic, key or bucket the policy is attached to. */
  target: string;
  document: PolicyDocument;
}

export interface IamModel {
  roles: RoleModel[];
  managedPolicies: PolicyDocument[];
  resourcePolicies: ResourcePolicy[];
  resources: PlannedResource[];
}

/** IAM counts a policy's characters without whitespace. */
export function policySize(json: string): number {
  return JSON.stringify(JSON.parse(json)).replace(/\s+/g, '').length;
}

export function document(address: string, name: string, json: string): PolicyDocument {
  return { address, name, document: JSON.parse(json), size: policySize(json) };
}

/** Every planned resource (managed and data), child modules included, with its values. */
export function plannedResources(plan: Json): PlannedResource[] {
  const walk = (module: Json | undefined): PlannedResource[] => [
    ...((module?.resources ?? []) as Json[]).map((r) => ({ address: r.address as string, type: r.type as string, name: r.name as string, values: r.values ?? {} })),
    ...((module?.child_modules ?? []) as Json[]).flatMap(walk),
  ];
  // Data sources read while planning are in prior_state; managed resources in planned_values.
  const byAddress = new Map<string, PlannedResource>();
  for (const r of [...walk(plan.prior_state?.values?.root_module), ...walk(plan.planned_values?.root_module)]) byAddress.set(r.address, r);
  return [...byAddress.values()];
}

function sqsArnOfUrl(url: string, partition: string): string {
  const m = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com\/(\d{12})\/(.+)$/.exec(url);
  if (!m) throw new Error(`not a queue URL: ${url}`);
  return `arn:${partition}:sqs:${m[1]}:${m[2]}:${m[3]}`;
}

export function iamModel(plan: Json, partition = 'aws'): IamModel {
  const resources = plannedResources(plan);
  const managed = resources.filter((r) => r.type === 'aws_iam_policy').map((r) => ({ arn: r.values.arn as string, doc: document(r.address, r.values.name, r.values.policy) }));
  const byArn = new Map(managed.map((m) => [m.arn, m.doc]));
  const roles = resources
    .filter((r) => r.type === 'aws_iam_role')
    .map((r): RoleModel => {
      const name = r.values.name as string;
      const inline = resources
        .filter((p) => p.type === 'aws_iam_role_policy' && p.values.role === name)
        .map((p) => document(p.address, p.values.name, p.values.policy));
      const attached = resources.filter((a) => a.type === 'aws_iam_role_policy_attachment' && a.values.role === name).map((a) => a.values.policy_arn as string);
      const boundaryArn = (r.values.permissions_boundary as string | null) ?? undefined;
      const boundaryDoc = boundaryArn ? byArn.get(boundaryArn) : undefined;
      return {
        address: r.address,
        name,
        arn: r.values.arn,
        trust: document(`${r.address}.assume_role_policy`, 'trust', r.values.assume_role_policy),
        inline,
        managed: attached.flatMap((arn) => (byArn.has(arn) ? [byArn.get(arn) as PolicyDocument] : [])),
        externalManaged: attached.filter((arn) => !byArn.has(arn)),
        ...(boundaryArn ? { boundaryArn } : {}),
        ...(boundaryDoc ? { boundary: boundaryDoc } : {}),
      };
    });
  const resourcePolicies: ResourcePolicy[] = [];
  for (const r of resources) {
    const policy = r.values.policy as string | undefined;
    if (!policy) continue;
    if (r.type === 'aws_sqs_queue_policy') resourcePolicies.push({ address: r.address, kind: 'sqs', target: sqsArnOfUrl(r.values.queue_url, partition), document: document(r.address, 'queue policy', policy) });
    if (r.type === 'aws_sns_topic_policy') resourcePolicies.push({ address: r.address, kind: 'sns', target: r.values.arn, document: document(r.address, 'topic policy', policy) });
    if (r.type === 'aws_kms_key') resourcePolicies.push({ address: r.address, kind: 'kms', target: r.values.arn, document: document(r.address, 'key policy', policy) });
    if (r.type === 'aws_s3_bucket_policy') resourcePolicies.push({ address: r.address, kind: 's3', target: `arn:${partition}:s3:::${r.values.bucket}`, document: document(r.address, 'bucket policy', policy) });
  }
  return { roles, managedPolicies: managed.map((m) => m.doc), resourcePolicies, resources };
}
