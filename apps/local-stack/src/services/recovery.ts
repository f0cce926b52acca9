// Putting back what the in-memory SQS lost (recovery.ts): at start-up and after the SQS server restarts.
import { recoverUnqueuedOrders, type RecoveryResult } from '../recovery';
import type { StackPlan } from './plan';
import type { SqsService } from './sqs';

/** Queues again the unfinished orders that have no message, except those in `skip` (their workflow queues them). */
export type PutBack = (skip: Set<string>) => Promise<RecoveryResult>;

export function orderRecovery(plan: StackPlan, sqs: SqsService, ddbEndpoint: string): PutBack {
  const { settings } = plan;
  return (skip) =>
    recoverUnqueuedOrders({
      ddbEndpoint,
      sqs: sqs.client,
      ordersTable: settings.tables.orders,
      queueUrl: sqs.queueUrls.orderQueueUrl,
      deadLetterQueueUrl: sqs.queueUrls.deadLetterQueueUrl,
      maxReceiveCount: settings.queues.maxReceiveCount,
      skip,
      // The put-back message keeps the enqueue time of the lost one (its age is the order's wait).
      backdate: (queueUrl, messageId, at) => void sqs.server.messages.backdate(queueUrl, messageId, at),
    });
}
