/**
 * Alarms: DLQ depth, age of the oldest message, failed workflow executions, Lambda errors and
 * throttles, API 5XX; each notifies the encrypted SNS topic and says how to treat missing data.
 */
import { type Body, blocks, config, dataSource, expr, loadConfigs, moduleCall, resource, squash } from './support/terraform';
import { APPS } from './support/settings';

const TREAT_MISSING_DATA = new Set(['missing', 'ignore', 'breaching', 'notBreaching']);

describe('alarms', () => {
  it('all notify the alarm topic and set treat_missing_data', async () => {
    let alarms = 0;
    for (const cfg of (await loadConfigs()).values()) {
      for (const [name, alarm] of Object.entries(cfg.resources.aws_cloudwatch_metric_alarm ?? {})) {
        alarms += 1;
        const actions = expr(alarm.alarm_actions);
        expect({ name, actions }).toEqual({ name, actions: 'local.actions' });
        expect({ name, ok: expr(alarm.ok_actions) }).toEqual({ name, ok: 'local.actions' });
        expect({ name, treat: TREAT_MISSING_DATA.has(alarm.treat_missing_data as string) }).toEqual({ name, treat: true });
        expect(alarm.alarm_description).toBeDefined();
      }
    }
    expect(alarms).toBe(11);
    const module = await config('modules/alarms');
    expect(module.locals.actions).toEqual(['${aws_sns_topic.alarms.arn}']);
  });

  it('send email to the subscribed addresses (a variable)', async () => {
    const module = await config('modules/alarms');
    const subscription = resource(module, 'aws_sns_topic_subscription', 'email');
    expect(expr(subscription.for_each)).toBe('toset(var.alarm_email_addresses)');
    expect(subscription.protocol).toBe('email');
    const dev = await config('envs/dev');
    expect(expr(moduleCall(dev, 'alarms').alarm_email_addresses)).toBe('var.alarm_email_addresses');
    expect(dev.variables.alarm_email_addresses?.type).toBe('${list(string)}');
  });

  it.each([
    ['dlq_messages_received', 'AWS/SQS', 'NumberOfMessagesReceived', { QueueName: '${var.dead_letter_queue_name}' }],
    ['parking_messages_visible', 'AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: '${var.parking_queue_name}' }],
    ['queue_oldest_message_age', 'AWS/SQS', 'ApproximateAgeOfOldestMessage', { QueueName: '${var.queue_name}' }],
    ['executions_failed', 'AWS/States', 'ExecutionsFailed', { StateMachineArn: '${var.state_machine_arn}' }],
    ['lambda_errors', 'AWS/Lambda', 'Errors', { FunctionName: '${each.value}' }],
    ['lambda_throttles', 'AWS/Lambda', 'Throttles', { FunctionName: '${each.value}' }],
    // HTTP API metric names and dimensions (REST APIs use 5XXError by ApiName).
    ['api_5xx', 'AWS/ApiGateway', '5xx', { ApiId: '${var.api_id}', Stage: '${var.api_stage_name}' }],
  ])('%s watches %s %s', async (name, namespace, metric, dimensions) => {
    const module = await config('modules/alarms');
    const alarm = resource(module, 'aws_cloudwatch_metric_alarm', name);
    expect(alarm.namespace).toBe(namespace);
    expect(alarm.metric_name).toBe(metric);
    expect(alarm.dimensions).toEqual(dimensions);
    expect(alarm.comparison_operator).toBe('GreaterThanThreshold');
  });

  it('fire as soon as one message reaches the DLQ (counted as received: dlq-handler drains it at once) or the parking queue', async () => {
    const module = await config('modules/alarms');
    expect(resource(module, 'aws_cloudwatch_metric_alarm', 'dlq_messages_received')).toMatchObject({
      threshold: 0,
      statistic: 'Sum',
      evaluation_periods: 1,
      treat_missing_data: 'notBreaching',
    });
    expect(resource(module, 'aws_cloudwatch_metric_alarm', 'parking_messages_visible')).toMatchObject({ threshold: 0, statistic: 'Maximum', evaluation_periods: 1 });
  });

  it('state an action and how missing data counts for every alarm', async () => {
    const module = await config('modules/alarms');
    const alarms = (module.resources['aws_cloudwatch_metric_alarm'] ?? {}) as Record<string, Body>;
    for (const [name, alarm] of Object.entries(alarms)) {
      expect({ name, actions: expr(alarm.alarm_actions), missing: typeof alarm.treat_missing_data }).toEqual({ name, actions: 'local.actions', missing: 'string' });
    }
  });

  it('watch every function for errors and throttles', async () => {
    const module = await config('modules/alarms');
    for (const name of ['lambda_errors', 'lambda_throttles']) {
      expect(expr(resource(module, 'aws_cloudwatch_metric_alarm', name).for_each)).toBe('var.lambda_function_names');
    }
    const dev = await config('envs/dev');
    const call = moduleCall(dev, 'alarms');
    const functions = call.lambda_function_names as Body;
    expect(Object.keys(functions).sort()).toEqual([...APPS].sort());
    for (const app of APPS) {
      expect(functions[app]).toBe(`\${module.${app.replace(/-/g, '_')}.function_name}`);
    }
    expect(expr(call.dead_letter_queue_name)).toBe('module.order_queue.dead_letter_queue_name');
    expect(expr(call.parking_queue_name)).toBe('module.order_queue.parking_queue_name');
    expect(expr(call.state_machine_arn)).toBe('module.order_workflow.state_machine_arn');
    expect(expr(call.api_id)).toBe('module.api.api_id');
    expect(expr(call.api_stage_name)).toBe('module.api.stage_name');
  });

  it('name the deployer in the topic key policy, so the first apply can finish creating the key', async () => {
    const module = await config('modules/alarms');
    const policy = dataSource(module, 'aws_iam_policy_document', 'topic_key');
    const deployer = blocks(policy, 'statement').find((st) => st.sid === 'DeployerAdministersKey');
    expect(deployer).toBeDefined();
    // What the provider calls right after CreateKey, before tag-based IAM grants on the key apply.
    expect(deployer?.actions).toEqual(
      expect.arrayContaining(['kms:EnableKeyRotation', 'kms:GetKeyPolicy', 'kms:ListResourceTags', 'kms:DescribeKey', 'kms:GetKeyRotationStatus', 'kms:PutKeyPolicy']),
    );
    expect(blocks(deployer as Body, 'condition')).toEqual([]);
    expect(blocks(deployer as Body, 'principals')).toEqual([{ type: 'AWS', identifiers: '${var.key_administrator_arns}' }]);

    const dev = await config('envs/dev');
    expect(expr(moduleCall(dev, 'alarms').key_administrator_arns)).toBe('var.use_role_permissions_boundary ? [local.deployer_role_arn] : []');
    expect(squash(dev.locals.deployer_role_arn)).toMatch(/:role\/\$\{var\.project\}-cicd-\$\{var\.environment\}-codebuild-apply$/);
    // The same name infra/cicd gives the Apply stage's role.
    const cicd = await config('cicd');
    expect(expr(resource(cicd, 'aws_iam_role', 'codebuild').name)).toBe('${local.cicd_name}-codebuild-${each.key}');
    expect(expr(cicd.locals.cicd_name)).toBe('${var.project}-cicd-${var.environment}');
    expect(Object.keys(cicd.locals.codebuild_projects as Body)).toContain('apply');
  });

  it('watch the reconciler: re-drives (Redriven + Requeued), give-ups and refused re-drives above 0, from its EMF metrics', async () => {
    const module = await config('modules/alarms');
    expect(module.variables.metrics_namespace?.default).toBe('DOFS');
    const redrives = resource(module, 'aws_cloudwatch_metric_alarm', 'reconciler_redrives');
    const queries = blocks(redrives, 'metric_query');
    expect(queries.find((q) => q.return_data === true)?.expression).toBe('redriven + requeued');
    expect(queries.flatMap((q) => blocks(q, 'metric')).map((m) => [m.metric_name, expr(m.namespace), m.dimensions, m.stat])).toEqual([
      ['Redriven', 'var.metrics_namespace', { service: '${var.reconciler_service_name}' }, 'Sum'],
      ['Requeued', 'var.metrics_namespace', { service: '${var.reconciler_service_name}' }, 'Sum'],
    ]);
    const giveUps = resource(module, 'aws_cloudwatch_metric_alarm', 'reconciler_give_ups');
    expect(giveUps).toMatchObject({ metric_name: 'GaveUp', dimensions: { service: '${var.reconciler_service_name}' }, statistic: 'Sum' });
    const refused = resource(module, 'aws_cloudwatch_metric_alarm', 'reconciler_redrive_errors');
    expect(refused).toMatchObject({ metric_name: 'RedriveErrors', dimensions: { service: '${var.reconciler_service_name}' }, statistic: 'Sum' });
    for (const alarm of [redrives, giveUps, refused]) {
      expect(alarm).toMatchObject({ threshold: 0, comparison_operator: 'GreaterThanThreshold', evaluation_periods: 1, treat_missing_data: 'notBreaching' });
    }
    const dev = await config('envs/dev');
    expect(moduleCall(dev, 'alarms').reconciler_service_name).toBe('reconcile-orders');
  });
});
