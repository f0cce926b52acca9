/**
 * Plants one fault (test/fixtures/iam-faults/*.json) in a copy of the rendered IAM, so that a test
 * can show the checks report it: a policy grown over a quota, a dropped action, a narrowed
 * resource, a condition a call cannot meet, a grant nothing calls.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Json } from '../offline/terraform-offline';
import type { IamInputs } from './inputs';
import { policySize, type PolicyDocument, type RoleModel } from './model';

export type Plant =
  | { kind: 'pad-policy'; role: string; policy: string; over: number }
  | { kind: 'attach-managed'; role: string; count: number }
  | { kind: 'drop-action'; role: string; action: string }
  | { kind: 'narrow-resource'; role: string; sid: string; resource: string }
  | { kind: 'add-condition'; role: string; sid: string; condition: Json }
  | { kind: 'add-statement'; role: string; statement: Json };

export interface FaultFixture {
  description: string;
  plant: Plant;
  expect: { check: 'quotas' | 'provider-calls' | 'handler-calls' | 'unused-grants'; finding: Record<string, unknown> };
}

function findRole(inputs: IamInputs, name: string): RoleModel {
  const role = [...inputs.models.cicd.roles, ...inputs.models.environment.roles].find((r) => r.name === name);
  if (!role) throw new Error(`fixture names no role of the plans: ${name}`);
  return role;
}

const documentsOf = (role: RoleModel): PolicyDocument[] => [...role.inline, ...role.managed];
const statements = (doc: PolicyDocument): Json[] => (Array.isArray(doc.document.Statement) ? doc.document.Statement : [doc.document.Statement]);
const resize = (doc: PolicyDocument) => {
  doc.size = policySize(JSON.stringify(doc.document));
};

function statementBySid(role: RoleModel, sid: string): { doc: PolicyDocument; statement: Json } {
  for (const doc of documentsOf(role)) {
    const statement = statements(doc).find((s) => s.Sid === sid);
    if (statement) return { doc, statement };
  }
  throw new Error(`role ${role.name} has no statement ${sid}`);
}

/** A copy of the inputs with the fault planted (the roles of the copy share their managed policies as the plan does). */
export function plant(inputs: IamInputs, fault: Plant): IamInputs {
  const copy = structuredClone(inputs);
  const role = findRole(copy, fault.role);
  switch (fault.kind) {
    case 'pad-policy': {
      const doc = fault.policy === 'trust' ? role.trust : documentsOf(role).find((d) => d.name === fault.policy);
      if (!doc) throw new Error(`role ${role.name} has no policy ${fault.policy}`);
      const padding: Json =
        fault.policy === 'trust'
          ? { Sid: 'Padding', Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceArn': [] as string[] } } }
          : { Sid: 'Padding', Effect: 'Allow', Action: 's3:GetObject', Resource: [] as string[] };
      doc.document.Statement = [...statements(doc), padding];
      const list: string[] = fault.policy === 'trust' ? padding.Condition.StringEquals['aws:SourceArn'] : padding.Resource;
      const total = () => (role.inline.includes(doc) ? role.inline.reduce((sum, p) => sum + p.size + p.name.length, 0) : doc.size);
      for (let i = 0; total() <= fault.over; i += 1) {
        list.push(`arn:aws:s3:::padding-bucket-${String(i).padStart(4, '0')}/*`);
        resize(doc);
      }
      return copy;
    }
    case 'attach-managed':
      for (let i = 0; i < fault.count; i += 1) role.externalManaged.push(`arn:aws:iam::aws:policy/Padding${i}`);
      return copy;
    case 'drop-action':
      for (const doc of documentsOf(role)) {
        doc.document.Statement = statements(doc)
          .map((s) => (s.Effect === 'Allow' ? { ...s, Action: ([] as string[]).concat(s.Action ?? []).filter((a) => a !== fault.action) } : s))
          .filter((s) => s.Effect !== 'Allow' || s.Action.length > 0);
        resize(doc);
      }
      return copy;
    case 'narrow-resource': {
      const { doc, statement } = statementBySid(role, fault.sid);
      statement.Resource = fault.resource;
      resize(doc);
      return copy;
    }
    case 'add-condition': {
      const { doc, statement } = statementBySid(role, fault.sid);
      statement.Condition = { ...(statement.Condition ?? {}), ...fault.condition };
      resize(doc);
      return copy;
    }
    case 'add-statement': {
      const doc = role.inline[role.inline.length - 1];
      if (!doc) throw new Error(`role ${role.name} has no inline policy`);
      doc.document.Statement = [...statements(doc), fault.statement];
      resize(doc);
      return copy;
    }
  }
}

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'iam-faults');

/** The fault fixtures a check must report, as [file, fixture] pairs. */
export function faultFixtures(check: FaultFixture['expect']['check']): [string, FaultFixture][] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f): [string, FaultFixture] => [f, JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as FaultFixture])
    .filter(([, fixture]) => fixture.expect.check === check);
}
