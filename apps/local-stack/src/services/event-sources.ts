// The event source mappings: order_queue -> fulfill-order and order_dlq -> dlq-handler, with the
// batch settings Terraform gives them and partial batch responses.
import type { LambdaService } from '../lambda/runtime';
import { SqsEventSource } from '../esm/sqs-event-source';
import type { StackPlan } from './plan';
import type { SqsService } from './sqs';
import type { Running } from './started';

/** Concurrent batches per event source mapping (Lambda starts an SQS mapping with five). */
export const DEFAULT_POLLERS = 5;
/** How long stop() lets a batch in progress finish; its messages come back (or the next start puts them back). */
const STOP_GRACE_MS = 2000;

export function startEventSources(plan: StackPlan, options: { sqs: SqsService; lambdas: LambdaService; pollers?: number }): Running {
  const { settings, logger } = plan;
  const { queues } = settings;
  const mappings = [
    { fn: 'fulfill-order', queue: queues.orders, url: options.sqs.queueUrls.orderQueueUrl, arn: options.sqs.queueArns.orders, source: settings.eventSources.fulfillOrder },
    { fn: 'dlq-handler', queue: queues.deadLetter, url: options.sqs.queueUrls.deadLetterQueueUrl, arn: options.sqs.queueArns.deadLetter, source: settings.eventSources.dlqHandler },
  ].map(
    (m) =>
      new SqsEventSource({
        sqs: options.sqs.client,
        queueUrl: m.url,
        queueArn: m.arn,
        fn: options.lambdas.get(m.fn),
        batchSize: m.source.batchSize,
        maximumBatchingWindowSeconds: m.source.maximumBatchingWindowSeconds,
        visibilityTimeoutSeconds: queues.visibilityTimeoutSeconds,
        reportBatchItemFailures: true,
        pollers: options.pollers ?? DEFAULT_POLLERS,
        onBatch: (outcome) =>
          logger.batch(outcome, { maxReceiveCount: queues.maxReceiveCount, visibilityTimeoutSeconds: queues.visibilityTimeoutSeconds, deadLetterQueue: queues.deadLetter }),
        onPollError: (error) => logger.warn(`polling ${m.queue}: ${error.message}`),
      }),
  );
  for (const mapping of mappings) mapping.start();
  return {
    stop: async () => {
      await Promise.race([Promise.all(mappings.map((m) => m.stop())), new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref())]);
    },
  };
}
