import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueNameExists,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { settings } from './settings';

export interface EnsureQueuesOptions {
  /** Order queue name. Default: `settings.queues.orders`. */
  orders?: string;
  /** Dead-letter queue name. Default: `settings.queues.deadLetter`. */
  deadLetter?: string;
  /** Receives before a message is dead-lettered. Default: `settings.queues.maxReceiveCount`. */
  maxReceiveCount?: number;
  /** Order queue visibility timeout. Default: `settings.queues.visibilityTimeoutSeconds`. */
  visibilityTimeoutSeconds?: number;
  /** Parking queue name. Default: `settings.queues.parking`. */
  parking?: string;
}

export interface QueueUrls {
  orderQueueUrl: string;
  deadLetterQueueUrl: string;
  parkingQueueUrl: string;
}

/**
 * Creates a queue, or brings an existing one to the given attributes. CreateQueue alone is
 * idempotent only for identical attributes; with different ones SQS answers QueueNameExists.
 */
async function ensureQueue(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<string> {
  try {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    if (QueueUrl) return QueueUrl;
  } catch (err) {
    if (!(err instanceof QueueNameExists)) throw err;
  }
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  if (!QueueUrl) throw new Error(`SQS returned no URL for queue ${name}`);
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: attributes }));
  return QueueUrl;
}

/**
 * Creates the order queue, its dead-letter queue (redrive after `maxReceiveCount` receives) and the
 * parking queue the dead-letter queue redrives to (after `deadLetterMaxReceiveCount` receives),
 * from `infra/settings.json`, the same values Terraform uses, unless overridden. The DLQ keeps
 * messages longer than the order queue because a standard queue's DLQ keeps the original enqueue time.
 */
async function queueArnOf(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`SQS returned no ARN for ${queueUrl}`);
  return arn;
}

export async function ensureQueues(sqs: SQSClient, opts: EnsureQueuesOptions = {}): Promise<QueueUrls> {
  const q = settings.queues;
  const deadLetter = opts.deadLetter ?? q.deadLetter;
  const parkingQueueUrl = await ensureQueue(sqs, opts.parking ?? (opts.deadLetter ? `${deadLetter}_parking` : q.parking), {
    MessageRetentionPeriod: String(q.parkingRetentionSeconds),
  });
  const deadLetterQueueUrl = await ensureQueue(sqs, deadLetter, {
    MessageRetentionPeriod: String(q.deadLetterRetentionSeconds),
    // What dlq-handler could not process deadLetterMaxReceiveCount times is parked, never dropped.
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await queueArnOf(sqs, parkingQueueUrl), maxReceiveCount: q.deadLetterMaxReceiveCount }),
  });
  const deadLetterTargetArn = await queueArnOf(sqs, deadLetterQueueUrl);
  const orderQueueUrl = await ensureQueue(sqs, opts.orders ?? q.orders, {
    VisibilityTimeout: String(opts.visibilityTimeoutSeconds ?? q.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(q.messageRetentionSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn, maxReceiveCount: opts.maxReceiveCount ?? q.maxReceiveCount }),
  });
  return { orderQueueUrl, deadLetterQueueUrl, parkingQueueUrl };
}
