/**
 * The order workflow: the shared ASL file rendered with templatefile(), referencing only functions
 * that exist, valid Amazon States Language, type a variable, logging and tracing on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import aslValidator from 'asl-validator';
import { type Body, INFRA_ROOT, blocks, config, expr, moduleCall, resource, squash } from './support/terraform';

const ASL_FILE = join(INFRA_ROOT, 'workflow', 'order-workflow.asl.json');
const asl = readFileSync(ASL_FILE, 'utf8');

function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1] as string))].sort();
}

/** The ASL rendered the way templatefile() renders it, with sample values. */
function render(values: Record<string, string>): unknown {
  return JSON.parse(asl.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`no value for \${${name}}`);
    return values[name] as string;
  }));
}

/** The templatefile() variables the environment passes, name -> expression. */
async function templateVariables(): Promise<Record<string, string>> {
  const dev = await config('envs/dev');
  const definition = expr(moduleCall(dev, 'order_workflow').definition);
  const call = /^templatefile\("\$\{path\.module\}\/\.\.\/\.\.\/workflow\/order-workflow\.asl\.json", \{([\s\S]*)\}\)$/.exec(definition);
  if (!call) throw new Error(`definition is not a templatefile() of the shared ASL file: ${definition}`);
  return Object.fromEntries(
    [...(call[1] as string).matchAll(/(\w+)\s*=\s*([\w.[\]"-]+)/g)].map((m) => [m[1] as string, m[2] as string]),
  );
}

function taskResources(definition: unknown): string[] {
  const out: string[] = [];
  const visit = (states: Record<string, Body>) => {
    for (const state of Object.values(states)) {
      if (state.Type === 'Task') out.push(state.Resource as string);
      for (const branch of (state.Branches ?? []) as Body[]) visit(branch.States as Record<string, Body>);
      if (state.ItemProcessor) visit((state.ItemProcessor as Body).States as Record<string, Body>);
    }
  };
  visit((definition as Body).States as Record<string, Body>);
  return out;
}

describe('workflow', () => {
  it('is rendered from the shared ASL file with templatefile()', async () => {
    const vars = await templateVariables();
    // Every placeholder is given; the one variable the ASL may not use yet is the workflow's own
    // deadline, rendered as its top-level TimeoutSeconds (templatefile ignores an unused variable).
    expect(Object.keys(vars)).toEqual(expect.arrayContaining(placeholders(asl)));
    expect(Object.keys(vars).filter((v) => !placeholders(asl).includes(v))).toEqual(placeholders(asl).includes('workflow_timeout_seconds') ? [] : ['workflow_timeout_seconds']);
  });

  it('uses only the documented placeholders and no template directives', () => {
    expect(['order_queue_url', 'store_order_arn', 'validate_order_arn', 'workflow_timeout_seconds']).toEqual(expect.arrayContaining(placeholders(asl)));
    expect(asl).not.toMatch(/%\{/);
  });

  it('references only functions and queues that exist', async () => {
    const dev = await config('envs/dev');
    const vars = await templateVariables();
    for (const [name, value] of Object.entries(vars)) {
      if (name.endsWith('_arn')) {
        const fn = /^module\.(\w+)\.function_arn$/.exec(value)?.[1];
        expect({ name, fn }).toEqual({ name, fn: name.replace(/_arn$/, '') });
        expect(moduleCall(dev, fn as string).source).toBe('../../modules/lambda-function');
      } else if (name === 'workflow_timeout_seconds') {
        expect(value).toBe('local.settings.workflow.timeoutSeconds');
      } else {
        expect(value).toBe('module.order_queue.queue_url');
      }
    }
  });

  it('lets the workflow role invoke exactly the functions the ASL references', async () => {
    const vars = await templateVariables();
    const referenced = Object.entries(vars)
      .filter(([name]) => name.endsWith('_arn'))
      .map(([, value]) => value)
      .sort();
    const dev = await config('envs/dev');
    const invokable = (moduleCall(dev, 'order_workflow').lambda_function_arns as string[]).map(expr).sort();
    expect(invokable).toEqual(referenced);
  });

  it('is valid Amazon States Language (asl-validator)', () => {
    const definition = render({
      validate_order_arn: 'arn:aws:lambda:us-east-1:123456789012:function:dofs-dev-validate-order',
      store_order_arn: 'arn:aws:lambda:us-east-1:123456789012:function:dofs-dev-store-order',
      order_queue_url: 'https://sqs.us-east-1.amazonaws.com/123456789012/dofs-dev-order_queue',
    });
    const result = aslValidator(definition, { checkPaths: true, checkArn: true });
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('calls only the placeholders\' functions and the sqs:sendMessage integration', () => {
    const resources = taskResources(render({
      validate_order_arn: 'VALIDATE',
      store_order_arn: 'STORE',
      order_queue_url: 'QUEUE',
    }));
    expect([...new Set(resources)].sort()).toEqual(['STORE', 'VALIDATE', 'arn:aws:states:::sqs:sendMessage']);
  });

  it('has its type as a variable: EXPRESS by default, STANDARD allowed', async () => {
    const dev = await config('envs/dev');
    expect(dev.variables.state_machine_type?.default).toBe('EXPRESS');
    expect(expr(((dev.variables.state_machine_type?.validation ?? []) as Body[])[0]?.condition)).toBe(
      'contains(["STANDARD", "EXPRESS"], var.state_machine_type)',
    );
    expect(expr(moduleCall(dev, 'order_workflow').type)).toBe('var.state_machine_type');
    const sfn = await config('modules/state-machine');
    expect(expr(resource(sfn, 'aws_sfn_state_machine', 'this').type)).toBe('var.type');
    expect(sfn.variables.type?.default).toBe('EXPRESS');
    expect(expr(((sfn.variables.type?.validation ?? []) as Body[])[0]?.condition)).toBe('contains(["STANDARD", "EXPRESS"], var.type)');
  });

  it('logs executions to its own log group and traces with X-Ray', async () => {
    const sfn = await config('modules/state-machine');
    const machine = resource(sfn, 'aws_sfn_state_machine', 'this');
    const logging = blocks(machine, 'logging_configuration')[0];
    expect(expr(logging?.log_destination)).toBe('${aws_cloudwatch_log_group.this.arn}:*');
    expect(expr(logging?.level)).toBe('var.log_level');
    expect(expr(logging?.include_execution_data)).toBe('var.include_execution_data');
    // ERROR: failed executions are visible (EXPRESS has no history API) without logging every state.
    expect(sfn.variables.log_level?.default).toBe('ERROR');
    // Order contents stay out of the logs.
    expect(sfn.variables.include_execution_data?.default).toBe(false);
    const dev = await config('envs/dev');
    const call = moduleCall(dev, 'order_workflow');
    expect(call.log_level).toBeUndefined();
    expect(call.include_execution_data).toBeUndefined();
    expect(expr(call.log_retention_in_days)).toBe('var.log_retention_in_days');
    expect(((sfn.variables.log_level?.validation ?? []) as Body[])[0]?.condition).not.toContain('OFF');
    expect(blocks(machine, 'tracing_configuration')[0]?.enabled).toBe(true);
    expect(expr(resource(sfn, 'aws_cloudwatch_log_group', 'this').retention_in_days)).toBe('var.log_retention_in_days');
  });

  it('lets its role deliver the execution logs (the actions AWS documents, which take no resource ARN)', async () => {
    const sfn = await config('modules/state-machine');
    const statements = blocks(sfn.data.aws_iam_policy_document?.this as Body, 'statement');
    const delivery = statements.find((s) => s.sid === 'DeliverExecutionLogs');
    expect([...((delivery?.actions ?? []) as string[])].sort()).toEqual([
      'logs:CreateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:DescribeLogGroups',
      'logs:DescribeResourcePolicies',
      'logs:GetLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:UpdateLogDelivery',
    ]);
    expect(delivery?.resources).toEqual(['*']);
    // The state machine is created only once its role may deliver logs.
    expect((resource(sfn, 'aws_sfn_state_machine', 'this').depends_on as string[]).map(expr)).toContain('aws_iam_role_policy.this');
  });

  it('gives api-handler the state machine ARN', async () => {
    const dev = await config('envs/dev');
    expect(squash(moduleCall(dev, 'api_handler').environment_variables)).toContain(
      'STATE_MACHINE_ARN = module.order_workflow.state_machine_arn',
    );
  });
});
