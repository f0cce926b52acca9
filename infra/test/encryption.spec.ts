/**
 * Encryption at rest and in transit, for every resource type that stores data, in every
 * configuration.
 */
import { type Body, blocks, config, expr, loadConfigs, resource, squash } from './support/terraform';

describe('encryption', () => {
  it('is on for every DynamoDB table', async () => {
    let tables = 0;
    for (const cfg of (await loadConfigs()).values()) {
      for (const table of Object.values(cfg.resources.aws_dynamodb_table ?? {})) {
        tables += 1;
        expect(blocks(table, 'server_side_encryption')[0]?.enabled).toBe(true);
      }
    }
    expect(tables).toBeGreaterThan(0);
  });

  it('is on for every SQS queue (SSE-SQS, or SSE-KMS when a key is given)', async () => {
    let queues = 0;
    for (const cfg of (await loadConfigs()).values()) {
      for (const queue of Object.values(cfg.resources.aws_sqs_queue ?? {})) {
        queues += 1;
        expect(squash(queue.sqs_managed_sse_enabled)).toMatch(/^(true|var\.kms_master_key_id == null \? true : null)$/);
      }
    }
    // order_queue, order_dlq, the parking queue, and the reconciler schedule's dead-letter queue.
    expect(queues).toBe(4);
  });

  it('is on for every SNS topic, with a rotating key CloudWatch may use', async () => {
    let topics = 0;
    for (const cfg of (await loadConfigs()).values()) {
      for (const topic of Object.values(cfg.resources.aws_sns_topic ?? {})) {
        topics += 1;
        expect(topic.kms_master_key_id).toBeDefined();
      }
    }
    expect(topics).toBeGreaterThan(0);
    const alarms = await config('modules/alarms');
    expect(expr(resource(alarms, 'aws_sns_topic', 'alarms').kms_master_key_id)).toBe('aws_kms_key.topic.arn');
    expect(resource(alarms, 'aws_kms_key', 'topic').enable_key_rotation).toBe(true);
    const keyPolicy = blocks(alarms.data.aws_iam_policy_document?.topic_key as Body, 'statement');
    const cloudwatch = keyPolicy.find((s) => blocks(s, 'principals').some((p) => (p.identifiers as string[]).includes('cloudwatch.amazonaws.com')));
    expect(cloudwatch?.actions).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
  });

  it('is on, versioned, private and TLS-only for every S3 bucket', async () => {
    let buckets = 0;
    for (const cfg of (await loadConfigs()).values()) {
      for (const [name] of Object.entries(cfg.resources.aws_s3_bucket ?? {})) {
        buckets += 1;
        const ref = `aws_s3_bucket.${name}.id`;
        const ofBucket = (type: string) =>
          Object.values(cfg.resources[type] ?? {}).filter((r) => expr(r.bucket) === ref);
        const sse = ofBucket('aws_s3_bucket_server_side_encryption_configuration')[0];
        const byDefault = blocks(blocks(sse ?? {}, 'rule')[0] ?? {}, 'apply_server_side_encryption_by_default')[0];
        expect(squash(byDefault?.sse_algorithm)).toBe('var.kms_key_arn == null ? "AES256" : "aws:kms"');
        const pab = ofBucket('aws_s3_bucket_public_access_block')[0];
        expect(pab).toMatchObject({
          block_public_acls: true,
          block_public_policy: true,
          ignore_public_acls: true,
          restrict_public_buckets: true,
        });
        expect(ofBucket('aws_s3_bucket_versioning')).toHaveLength(1);
        expect(ofBucket('aws_s3_bucket_ownership_controls')).toHaveLength(1);
        const policy = ofBucket('aws_s3_bucket_policy')[0];
        const document = /^data\.aws_iam_policy_document\.(\w+)\.json$/.exec(expr(policy?.policy))?.[1] as string;
        const deny = blocks(cfg.data.aws_iam_policy_document?.[document] as Body, 'statement')[0];
        expect(deny).toMatchObject({ effect: 'Deny', actions: ['s3:*'] });
        expect(blocks(deny as Body, 'condition')[0]).toMatchObject({ variable: 'aws:SecureTransport', values: ['false'] });
      }
    }
    expect(buckets).toBe(1); // the s3-bucket module, used by bootstrap and cicd
    for (const [dir, names] of [
      ['bootstrap', ['state_bucket']],
      ['cicd', ['pipeline_artifacts', 'lambda_artifacts']],
    ] as const) {
      const cfg = await config(dir);
      for (const name of names) expect(cfg.modules[name]?.source).toBe('../modules/s3-bucket');
    }
  });

  it('is on for Terraform state (encrypt = true on every backend)', async () => {
    for (const cfg of (await loadConfigs()).values()) {
      for (const backend of cfg.terraform.flatMap((t) => ((t.backend?.s3 ?? []) as Body[]))) {
        expect(backend.encrypt).toBe(true);
      }
    }
  });
});
