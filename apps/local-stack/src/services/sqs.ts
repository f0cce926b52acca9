// The SQS server, the stack's client of it and the queues from the shared settings (the DLQ's
// visibility timeout as Terraform sets it). The queues are created again after a restart of the
// server (supervision), which comes back without them.
import { GetQueueAttributesCommand, SetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ensureQueues, localSqsClient, startSqsServer, type QueueUrls, type RunningSqsServer } from '@dofs/local-aws';
import type { EffectiveSettings } from '../config';
import { HOST } from '../constants';
import { StackStartError } from './plan';
import type { Running } from './started';

export interface SqsService extends Running {
  server: RunningSqsServer;
  client: SQSClient;
  endpoint: string;
  queueUrls: QueueUrls;
  queueArns: { orders: string; deadLetter: string };
  createQueues(): Promise<QueueUrls>;
}

export async function startSqs(options: { port: number; queues: EffectiveSettings['queues'] }): Promise<SqsService> {
  let server: RunningSqsServer;
  try {
    server = await startSqsServer({ port: options.port });
  } catch (error) {
    throw new StackStartError(`SQS could not listen on ${HOST}:${options.port} (${(error as Error).message}); try --sqs-port 0`);
  }
  const client = localSqsClient(server.endpoint);
  const stop = async () => {
    client.destroy();
    await server.stop();
  };
  const { queues } = options;
  const createQueues = async (): Promise<QueueUrls> => {
    const urls = await ensureQueues(client, {
      orders: queues.orders,
      deadLetter: queues.deadLetter,
      maxReceiveCount: queues.maxReceiveCount,
      visibilityTimeoutSeconds: queues.visibilityTimeoutSeconds,
    });
    await client.send(
      new SetQueueAttributesCommand({ QueueUrl: urls.deadLetterQueueUrl, Attributes: { VisibilityTimeout: String(queues.visibilityTimeoutSeconds) } }),
    );
    return urls;
  };
  const queueArn = async (url: string): Promise<string> => {
    const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
    const arn = Attributes?.['QueueArn'];
    if (!arn) throw new Error(`SQS returned no ARN for ${url}`);
    return arn;
  };
  try {
    const queueUrls = await createQueues();
    const [orders, deadLetter] = await Promise.all([queueArn(queueUrls.orderQueueUrl), queueArn(queueUrls.deadLetterQueueUrl)]);
    return { server, client, endpoint: server.endpoint, queueUrls, queueArns: { orders, deadLetter }, createQueues, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
