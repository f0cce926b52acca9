/**
 * A small stand-in for Lambda's SQS event source mapping, over the local SQS server of the
 * libs/local-aws harness: receive a batch as Lambda would deliver it (records with
 * ApproximateReceiveCount, SentTimestamp and message attributes), then apply the handler's
 * ReportBatchItemFailures answer: delete the records not listed; the listed ones come back when
 * the (1 s) visibility timeout ends.
 *
 * Two quirks of the local SQS server shape this: ChangeMessageVisibility(0) makes the next receive
 * count twice, and a long poll can return one message several times once its visibility lapses
 * during the wait. So queues here use a 1 s visibility timeout and receives short-poll.
 */
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { randomBytes } from 'node:crypto';

const VISIBILITY_TIMEOUT_SECONDS = 1;

export interface QueuePair {
  queueUrl: string;
  queueArn: string;
  dlqUrl: string;
  dlqArn: string;
}

export function sqsClient(): SQSClient {
  const endpoint = process.env['AWS_ENDPOINT_URL_SQS'];
  if (!endpoint) throw new Error('AWS_ENDPOINT_URL_SQS is not set: run with the local-aws jest preset');
  return new SQSClient({ endpoint });
}

async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  if (!Attributes?.QueueArn) throw new Error(`no ARN for ${queueUrl}`);
  return Attributes.QueueArn;
}

/** A fresh order queue and DLQ (redrive after `maxReceiveCount` receives), unique to the caller. */
export async function createQueuePair(sqs: SQSClient, maxReceiveCount: number): Promise<QueuePair> {
  const suffix = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `test-order_dlq-${suffix}` }));
  const dlqUrl = String(dlq.QueueUrl);
  const dlqArn = await queueArn(sqs, dlqUrl);
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: `test-order_queue-${suffix}`,
      Attributes: { VisibilityTimeout: String(VISIBILITY_TIMEOUT_SECONDS), RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }) },
    }),
  );
  const queueUrl = String(queue.QueueUrl);
  return { queueUrl, queueArn: await queueArn(sqs, queueUrl), dlqUrl, dlqArn };
}

/** Sends a message as the workflow's EnqueueOrder state does: the body and the order_id / correlation_id attributes. */
export async function sendOrderMessage(sqs: SQSClient, queueUrl: string, body: string, attributes: Record<string, string> = {}): Promise<string> {
  const MessageAttributes = Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]));
  const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, MessageAttributes }));
  return String(MessageId);
}

function toLambdaRecord(message: Message, arn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  const messageAttributes: SQSRecord['messageAttributes'] = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = { dataType: value.DataType ?? 'String', stringValue: value.StringValue, stringListValues: [], binaryListValues: [] };
  }
  return {
    messageId: String(message.MessageId),
    receiptHandle: String(message.ReceiptHandle),
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes['ApproximateReceiveCount'] ?? '1',
      SentTimestamp: attributes['SentTimestamp'] ?? String(Date.now()),
      SenderId: attributes['SenderId'] ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes['ApproximateFirstReceiveTimestamp'] ?? String(Date.now()),
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: arn,
    awsRegion: process.env['AWS_REGION'] ?? 'us-east-1',
  };
}

/**
 * Receives up to `max` messages as Lambda SQS records, short-polling until some arrive or
 * `timeoutMs` passes (long enough for a failed record's visibility timeout to end).
 */
export async function receiveRecords(sqs: SQSClient, queueUrl: string, arn: string, max = 10, timeoutMs = 2500): Promise<SQSRecord[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: 0,
        // The local server honours AttributeNames, not MessageSystemAttributeNames.
        AttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    if ((Messages?.length ?? 0) > 0 || Date.now() >= deadline) return (Messages ?? []).map((m) => toLambdaRecord(m, arn));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Applies a ReportBatchItemFailures response: deletes the records not listed; the listed ones reappear after the visibility timeout. */
export async function settleBatch(sqs: SQSClient, queueUrl: string, records: SQSRecord[], response: SQSBatchResponse | undefined): Promise<void> {
  const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
  const done = records.filter((r) => !failed.has(r.messageId));
  if (done.length > 0) {
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })) }));
  }
}
