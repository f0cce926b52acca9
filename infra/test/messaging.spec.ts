/**
 * order_queue and order_dlq: redrive wiring, the visibility-timeout rule, DLQ retention, SSE and
 * TLS-only policies. The tables are checked in tables.spec.ts.
 */
import {
  type Body,
  config,
  expr,
  moduleCall,
  resource,
  squash,
} from './support/terraform';
import { settings } from './support/settings';

/** Value of a root-module argument that reads the shared settings, e.g. local.settings.queues.x */
function fromSettings(expression: string): unknown {
  const path = expression.replace(/^local\.settings/, '');
  let node: unknown = settings;
  for (const [, dotted, indexed] of path.matchAll(/\.(\w+)|\["([^"]+)"\]/g)) {
    node = (node as Record<string, unknown>)[(dotted ?? indexed) as string];
  }
  return node;
}

/** Evaluates a numeric validation condition of the sqs-queue module with the given variables. */
function holds(condition: string, vars: Record<string, number>): boolean {
  const code = expr(condition).replace(/\bvar\.(\w+)/g, (_, name: string) => {
    if (!(name in vars)) throw new Error(`no value for var.${name}`);
    return String(vars[name]);
  });
  if (!/^[\d\s.+\-*/%()<>=!&|]*$/.test(code.replace(/floor/g, ''))) throw new Error(`cannot evaluate ${code}`);
  return Boolean(new Function('floor', `return (${code});`)(Math.floor));
}

async function queueModuleInputs(): Promise<Record<string, number>> {
  const dev = await config('envs/dev');
  const call = moduleCall(dev, 'order_queue');
  const numeric = [
    'max_receive_count',
    'consumer_timeout_seconds',
    'visibility_timeout_seconds',
    'dead_letter_consumer_timeout_seconds',
    'dead_letter_visibility_timeout_seconds',
    'message_retention_seconds',
    'dead_letter_message_retention_seconds',
  ];
  return Object.fromEntries(numeric.map((name) => [name, fromSettings(expr(call[name])) as number]));
}

async function failedValidations(vars: Record<string, number>): Promise<string[]> {
  const sqs = await config('modules/sqs-queue');
  const failed: string[] = [];
  for (const name of Object.keys(vars)) {
    for (const validation of (sqs.variables[name]?.validation ?? []) as Body[]) {
      if (!holds(validation.condition as string, vars)) failed.push(name);
    }
  }
  return failed;
}

describe('queues', () => {
  it('are order_queue, its dead-letter queue order_dlq and the parking queue, all encrypted', async () => {
    const sqs = await config('modules/sqs-queue');
    expect(Object.keys(sqs.resources.aws_sqs_queue ?? {}).sort()).toEqual(['dlq', 'parking', 'this']);
    for (const name of ['this', 'dlq', 'parking']) {
      const queue = resource(sqs, 'aws_sqs_queue', name);
      expect(squash(queue.sqs_managed_sse_enabled)).toBe('var.kms_master_key_id == null ? true : null');
      expect(expr(queue.kms_master_key_id)).toBe('var.kms_master_key_id');
    }
    expect(sqs.variables.kms_master_key_id?.default).toBeNull();
  });

  it('redrive order_queue to order_dlq after maxReceiveCount receives', async () => {
    const sqs = await config('modules/sqs-queue');
    expect(squash(resource(sqs, 'aws_sqs_queue', 'this').redrive_policy)).toBe(
      'jsonencode({ deadLetterTargetArn = aws_sqs_queue.dlq.arn maxReceiveCount = var.max_receive_count })',
    );
    expect(squash(resource(sqs, 'aws_sqs_queue_redrive_allow_policy', 'dlq').redrive_allow_policy)).toBe(
      'jsonencode({ redrivePermission = "byQueue" sourceQueueArns = [aws_sqs_queue.this.arn] })',
    );
    const dev = await config('envs/dev');
    expect(expr(moduleCall(dev, 'order_queue').max_receive_count)).toBe('local.settings.queues.maxReceiveCount');
  });

  it('redrive order_dlq to the parking queue after deadLetterMaxReceiveCount receives: a dead letter is never dropped', async () => {
    const sqs = await config('modules/sqs-queue');
    expect(squash(resource(sqs, 'aws_sqs_queue', 'dlq').redrive_policy)).toBe(
      'jsonencode({ deadLetterTargetArn = aws_sqs_queue.parking.arn maxReceiveCount = var.dead_letter_max_receive_count })',
    );
    expect(squash(resource(sqs, 'aws_sqs_queue_redrive_allow_policy', 'parking').redrive_allow_policy)).toBe(
      'jsonencode({ redrivePermission = "byQueue" sourceQueueArns = [aws_sqs_queue.dlq.arn] })',
    );
    expect(resource(sqs, 'aws_sqs_queue', 'parking').redrive_policy).toBeUndefined();
    expect(Object.keys(sqs.resources.aws_sqs_queue_policy ?? {}).sort()).toEqual(['dlq', 'parking', 'this']);
    const dev = await config('envs/dev');
    const call = moduleCall(dev, 'order_queue');
    expect(expr(call.parking_queue_name)).toBe('${local.name_prefix}-${local.settings.queues.parking}');
    expect(expr(call.dead_letter_max_receive_count)).toBe('local.settings.queues.deadLetterMaxReceiveCount');
  });

  it('set timeouts and retention from the module variables', async () => {
    const sqs = await config('modules/sqs-queue');
    const queue = resource(sqs, 'aws_sqs_queue', 'this');
    const dlq = resource(sqs, 'aws_sqs_queue', 'dlq');
    expect(expr(queue.visibility_timeout_seconds)).toBe('var.visibility_timeout_seconds');
    expect(expr(queue.message_retention_seconds)).toBe('var.message_retention_seconds');
    expect(expr(dlq.visibility_timeout_seconds)).toBe('var.dead_letter_visibility_timeout_seconds');
    expect(expr(dlq.message_retention_seconds)).toBe('var.dead_letter_message_retention_seconds');
    expect(expr(queue.receive_wait_time_seconds)).toBe('var.receive_wait_time_seconds');
    expect(sqs.variables.receive_wait_time_seconds?.default).toBe(20);
  });

  it('validate that the visibility timeout is at least 6x fulfill-order\'s timeout', async () => {
    const sqs = await config('modules/sqs-queue');
    const conditions = ((sqs.variables.visibility_timeout_seconds?.validation ?? []) as Body[]).map((v) => expr(v.condition));
    expect(conditions).toContain('var.visibility_timeout_seconds >= 6 * var.consumer_timeout_seconds');
    const dlqConditions = ((sqs.variables.dead_letter_visibility_timeout_seconds?.validation ?? []) as Body[]).map((v) =>
      expr(v.condition),
    );
    expect(dlqConditions.join(' ')).toContain('var.dead_letter_visibility_timeout_seconds >= 6 * var.dead_letter_consumer_timeout_seconds');
  });

  it('validate that the DLQ keeps messages longer than the queue', async () => {
    const sqs = await config('modules/sqs-queue');
    const conditions = ((sqs.variables.dead_letter_message_retention_seconds?.validation ?? []) as Body[]).map((v) =>
      expr(v.condition),
    );
    expect(conditions).toContain('var.dead_letter_message_retention_seconds > var.message_retention_seconds');
  });

  it('pass every validation with the shared settings', async () => {
    const inputs = await queueModuleInputs();
    expect(inputs).toEqual({
      max_receive_count: settings.queues.maxReceiveCount,
      consumer_timeout_seconds: settings.functions['fulfill-order']?.timeoutSeconds,
      visibility_timeout_seconds: settings.queues.visibilityTimeoutSeconds,
      dead_letter_consumer_timeout_seconds: settings.functions['dlq-handler']?.timeoutSeconds,
      dead_letter_visibility_timeout_seconds: settings.queues.visibilityTimeoutSeconds,
      message_retention_seconds: settings.queues.messageRetentionSeconds,
      dead_letter_message_retention_seconds: settings.queues.deadLetterRetentionSeconds,
    });
    expect(await failedValidations(inputs)).toEqual([]);
  });

  it('reject a visibility timeout below 6x the consumer timeout, and a DLQ retention not above the queue\'s', async () => {
    const inputs = await queueModuleInputs();
    const tooShort = { ...inputs, visibility_timeout_seconds: 6 * (inputs.consumer_timeout_seconds ?? 0) - 1 };
    expect(await failedValidations(tooShort)).toEqual(['visibility_timeout_seconds']);
    const sameRetention = { ...inputs, dead_letter_message_retention_seconds: inputs.message_retention_seconds ?? 0 };
    expect(await failedValidations(sameRetention)).toEqual(['dead_letter_message_retention_seconds']);
  });

  it('refuse plain-HTTP access to both queues', async () => {
    const sqs = await config('modules/sqs-queue');
    for (const name of ['this', 'dlq']) {
      const policy = resource(sqs, 'aws_sqs_queue_policy', name);
      expect(expr(policy.policy)).toMatch(/^data\.aws_iam_policy_document\.tls_only\["(queue|dlq)"\]\.json$/);
    }
  });
});
