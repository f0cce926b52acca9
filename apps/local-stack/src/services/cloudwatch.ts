// SQS's ApproximateAgeOfOldestMessage, sampled every second from the SQS server's tracker and
// served by GetMetricData (cloudwatch/), as the reconciler reads it on AWS.
import { QueueAgeSampler, type RunningSqsServer } from '@dofs/local-aws';
import { startCloudWatchEndpoint } from '../cloudwatch/endpoint';
import { HOST } from '../constants';
import { StackStartError } from './plan';
import type { Running } from './started';

export async function startQueueMetrics(sqs: RunningSqsServer, port: number): Promise<Running & { url: string }> {
  const sampler = new QueueAgeSampler(sqs.messages);
  sampler.start();
  try {
    const endpoint = await startCloudWatchEndpoint(sampler, { host: HOST, port });
    return {
      url: endpoint.url,
      stop: async () => {
        await endpoint.close();
        sampler.stop();
      },
    };
  } catch (error) {
    sampler.stop();
    throw new StackStartError(`${(error as Error).message}: try --cloudwatch-port 0`);
  }
}
