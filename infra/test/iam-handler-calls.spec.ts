/**
 * What the handlers call (infra/iam/handler-calls.json), evaluated with iam-simulate: each
 * function's role, within the permissions boundary and under the queue's policy, allows every
 * call of its handler (and of the AWS service acting for it: the Lambda runtime, the event
 * source mapping, the workflow's Task states, Scheduler) on the resource it names, and nothing
 * else on any resource of the environment. The table is kept honest by the source: every SDK
 * command the product code sends must appear in it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { handlerCallFindings, unusedGrantFindings } from './support/iam/checks';
import { faultFixtures, plant } from './support/iam/faults';
import { HANDLER_CALLS, iamInputs } from './support/iam/inputs';
import { describeOffline } from './support/offline/shared';
import { WORKSPACE_ROOT } from './support/terraform';
import { APPS } from './support/settings';

/** SDK command class -> IAM action (lib-dynamodb document commands authorise as their item action). */
const COMMAND_ACTIONS: Record<string, string> = {
  PutCommand: 'dynamodb:PutItem',
  GetCommand: 'dynamodb:GetItem',
  UpdateCommand: 'dynamodb:UpdateItem',
  DeleteCommand: 'dynamodb:DeleteItem',
  QueryCommand: 'dynamodb:Query',
  BatchGetCommand: 'dynamodb:BatchGetItem',
  SendMessageCommand: 'sqs:SendMessage',
  GetQueueAttributesCommand: 'sqs:GetQueueAttributes',
  StartExecutionCommand: 'states:StartExecution',
  GetMetricDataCommand: 'cloudwatch:GetMetricData',
};
// TransactWriteItems is authorised per contained action (its Put, Update, ConditionCheck, Delete).
const AUTHORISED_PER_ITEM = new Set(['TransactWriteCommand']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(name) && !/\.(spec|test)\.ts$/.test(name) ? [path] : [];
  });
}

describe('the handler-call table', () => {
  it('has a row set for every deployed function, the workflow and the schedule', () => {
    expect(HANDLER_CALLS.functions.map((f) => f.function).sort()).toEqual([...APPS, 'order-workflow', 'reconcile-schedule'].sort());
  });

  it('lists every SDK command the product code sends', () => {
    const roots = [...APPS.map((app) => join(WORKSPACE_ROOT, 'apps', app, 'src')), ...['ddb-repo', 'queue-client', 'handler-kit'].map((lib) => join(WORKSPACE_ROOT, 'libs', lib, 'src'))];
    const commands = new Set<string>();
    for (const file of roots.flatMap(sourceFiles)) {
      for (const match of readFileSync(file, 'utf8').matchAll(/new ([A-Z][A-Za-z]+Command)\(/g)) commands.add(match[1] as string);
    }
    const listed = new Set(HANDLER_CALLS.functions.flatMap((f) => f.calls.map((c) => c.action)));
    const unknown = [...commands].filter((c) => !AUTHORISED_PER_ITEM.has(c) && !(c in COMMAND_ACTIONS));
    expect(unknown).toEqual([]);
    expect([...commands].filter((c) => c in COMMAND_ACTIONS && !listed.has(COMMAND_ACTIONS[c] as string))).toEqual([]);
  });
});

describeOffline('the function roles against what the handlers call', (result) => {
  it('allow every call of every handler, within the boundary', async () => {
    const { findings, evaluated } = await handlerCallFindings(iamInputs(result()).handler);
    expect(evaluated).toBe(HANDLER_CALLS.functions.reduce((n, f) => n + f.calls.length, 0));
    expect(findings).toEqual([]);
  });

  it('allow nothing a handler never calls, on any resource of the environment', async () => {
    const { findings, evaluated } = await unusedGrantFindings(iamInputs(result()).handler);
    expect(evaluated).toBeGreaterThan(1000);
    expect(findings).toEqual([]);
  }, 120_000);

  it.each(faultFixtures('handler-calls'))('report the planted fault %s', async (_file, fixture) => {
    const { findings } = await handlerCallFindings(plant(iamInputs(result()), fixture.plant).handler);
    expect(findings).toEqual(expect.arrayContaining([expect.objectContaining(fixture.expect.finding)]));
  });

  it.each(faultFixtures('unused-grants'))('report the planted fault %s', async (_file, fixture) => {
    const { findings } = await unusedGrantFindings(plant(iamInputs(result()), fixture.plant).handler);
    expect(findings).toEqual(expect.arrayContaining([expect.objectContaining(fixture.expect.finding)]));
  }, 120_000);
});
