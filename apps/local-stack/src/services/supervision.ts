// Supervision of the backing servers: a dead one is started again on its port and data. An SQS
// restart loses every message, so the queues are re-created and the unfinished orders put back
// from the table, as after a restart of the stack.
import type { RunningDynamoDbLocal } from '@dofs/local-aws';
import { supervise, supervisedDynamoDb, supervisedSqs, type Supervision } from '../supervision';
import type { StackPlan } from './plan';
import type { PutBack } from './recovery';
import type { SqsService } from './sqs';
import type { Running } from './started';

export function startSupervision(
  plan: StackPlan,
  options: { dynamodb: RunningDynamoDbLocal; sqs: SqsService; putBack: PutBack; runningExecutions: () => Set<string>; onFatal?: (error: Error) => void },
): Running & { supervision: Supervision } {
  const { logger, settings } = plan;
  const supervision = supervise({
    servers: [
      supervisedDynamoDb(options.dynamodb),
      supervisedSqs(options.sqs.server, async () => {
        await options.sqs.createQueues();
        const put = await options.putBack(options.runningExecutions());
        return `queues re-created; ${put.queued} unfinished order(s) put back on ${settings.queues.orders}, ${put.deadLettered} on ${settings.queues.deadLetter}`;
      }),
    ],
    log: (line) => logger.warn(line),
    onFatal: options.onFatal ?? ((error) => logger.error(error.message)),
  });
  return { supervision, stop: () => supervision.close() };
}
