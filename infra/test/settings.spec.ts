/**
 * infra/settings.json is the one source of runtime settings: Terraform reads it and never
 * restates its values, and the values themselves obey the AWS rules the design depends on.
 */
import { config, expr, loadConfigs, squash, strings } from './support/terraform';
import { settings } from './support/settings';

describe('shared settings', () => {
  it('are read by the environment with jsondecode(file(...))', async () => {
    const dev = await config('envs/dev');
    expect(squash(dev.locals.settings)).toBe('jsondecode(file("${path.module}/../../settings.json"))');
  });

  it('are never restated as literals in any .tf file (names outside prose)', async () => {
    const names = [
      settings.tables.failedOrders,
      settings.tables.idempotencyKeys,
      settings.queues.orders,
      settings.queues.deadLetter,
    ];
    const prose = /(^|\.)(description|error_message|alarm_description|CustomData)$/;
    const problems: string[] = [];
    for (const cfg of (await loadConfigs()).values()) {
      for (const file of cfg.files) {
        for (const { path, value } of strings(file.json)) {
          if (prose.test(path)) continue;
          for (const name of names) {
            if (new RegExp(`(?<![\\w.-])${name}(?![\\w-])`).test(value)) problems.push(`${file.path} ${path} restates ${name}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('name the tables and queues (prefixed per environment)', async () => {
    const dev = await config('envs/dev');
    expect(expr(dev.modules.orders_table?.name)).toBe('${local.name_prefix}-${local.settings.tables.orders}');
    expect(expr(dev.modules.failed_orders_table?.name)).toBe('${local.name_prefix}-${local.settings.tables.failedOrders}');
    expect(expr(dev.modules.order_queue?.name)).toBe('${local.name_prefix}-${local.settings.queues.orders}');
    expect(expr(dev.modules.order_queue?.dead_letter_queue_name)).toBe(
      '${local.name_prefix}-${local.settings.queues.deadLetter}',
    );
  });

  it('set the queue limits', async () => {
    const queue = (await config('envs/dev')).modules.order_queue ?? {};
    expect(expr(queue.max_receive_count)).toBe('local.settings.queues.maxReceiveCount');
    expect(expr(queue.visibility_timeout_seconds)).toBe('local.settings.queues.visibilityTimeoutSeconds');
    expect(expr(queue.dead_letter_visibility_timeout_seconds)).toBe('local.settings.queues.visibilityTimeoutSeconds');
    expect(expr(queue.message_retention_seconds)).toBe('local.settings.queues.messageRetentionSeconds');
    expect(expr(queue.dead_letter_message_retention_seconds)).toBe('local.settings.queues.deadLetterRetentionSeconds');
    expect(expr(queue.consumer_timeout_seconds)).toBe('local.settings.functions["fulfill-order"].timeoutSeconds');
    expect(expr(queue.dead_letter_consumer_timeout_seconds)).toBe('local.settings.functions["dlq-handler"].timeoutSeconds');
  });

  it('give the visibility timeout at least 6x the consumer timeout (AWS recommendation)', () => {
    expect(settings.queues.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(
      6 * (settings.functions['fulfill-order']?.timeoutSeconds ?? Infinity),
    );
    expect(settings.queues.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(
      6 * (settings.functions['dlq-handler']?.timeoutSeconds ?? Infinity),
    );
  });

  it('keep dead letters longer than the queue keeps messages (the DLQ keeps the enqueue time)', () => {
    expect(settings.queues.deadLetterRetentionSeconds).toBeGreaterThan(settings.queues.messageRetentionSeconds);
    expect(settings.queues.deadLetterRetentionSeconds).toBeLessThanOrEqual(1_209_600);
  });

  it('keep an idempotency key for a whole number of seconds, longer than the request that writes it', () => {
    const { windowSeconds } = settings.idempotency;
    expect(Number.isInteger(windowSeconds)).toBe(true);
    // DynamoDB TTL takes epoch seconds; a key must outlive the api-handler invocation that created it.
    expect(windowSeconds).toBeGreaterThan(settings.functions['api-handler']?.timeoutSeconds ?? Infinity);
  });

  it('fit the Lambda and SQS limits', () => {
    for (const [app, f] of Object.entries(settings.functions)) {
      expect({ app, ok: f.timeoutSeconds >= 1 && f.timeoutSeconds <= 900 && f.memoryMb >= 128 && f.memoryMb <= 10240 }).toEqual({
        app,
        ok: true,
      });
    }
    for (const source of Object.values(settings.eventSources)) {
      expect(source.batchSize).toBeGreaterThanOrEqual(1);
      expect(source.batchSize <= 10 || source.maximumBatchingWindowSeconds >= 1).toBe(true);
    }
    expect(settings.queues.maxReceiveCount).toBeGreaterThanOrEqual(1);
    expect(settings.fulfillment.successRate).toBeGreaterThanOrEqual(0);
    expect(settings.fulfillment.successRate).toBeLessThanOrEqual(1);
  });
});
