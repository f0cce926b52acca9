import { randomBytes } from 'node:crypto';
import { CreateQueueCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';

/** A variable the local-aws jest harness sets; failing loudly beats silently using a default. */
export function harnessEnv(name: 'ORDER_QUEUE_URL' | 'ORDER_DLQ_URL' | 'AWS_ENDPOINT_URL_SQS'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: these tests run under libs/local-aws/jest.aws-preset.cjs`);
  return value;
}

/** A queue of this test's own on the harness's SQS server, so tests never read each other's messages. */
export async function createQueue(sqs: SQSClient, prefix: string, attributes: Record<string, string> = {}): Promise<string> {
  const name = `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`no URL for ${name}`);
  return QueueUrl;
}

/**
 * Receives until `count` messages arrived or `timeoutMs` passed (without deleting them); always
 * makes at least one receive call.
 * `AttributeNames: ['All']` because the local server ignores MessageSystemAttributeNames.
 */
export async function receive(
  sqs: SQSClient,
  queueUrl: string,
  count: number,
  opts: { timeoutMs?: number; visibilityTimeout?: number; waitSeconds?: number } = {},
): Promise<Message[]> {
  const deadline = Date.now() + (opts.timeoutMs ?? 5_000);
  const messages: Message[] = [];
  do {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, count - messages.length),
        WaitTimeSeconds: opts.waitSeconds ?? 1,
        AttributeNames: ['All'],
        MessageAttributeNames: ['All'],
        ...(opts.visibilityTimeout === undefined ? {} : { VisibilityTimeout: opts.visibilityTimeout }),
      }),
    );
    messages.push(...(Messages ?? []));
  } while (messages.length < count && Date.now() < deadline);
  return messages;
}

/** The record Lambda's SQS event source mapping would build from a received message. */
export function toSqsRecord(message: Message, queueArn = 'arn:aws:sqs:us-east-1:123456789012:order_queue'): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes['ApproximateReceiveCount'] ?? '1',
      SentTimestamp: attributes['SentTimestamp'] ?? '',
      SenderId: attributes['SenderId'] ?? '',
      ApproximateFirstReceiveTimestamp: attributes['ApproximateFirstReceiveTimestamp'] ?? '',
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        { dataType: value.DataType ?? 'String', ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }) },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}
