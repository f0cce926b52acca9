import type { SQSClient } from '@aws-sdk/client-sqs';
import { OrderEnqueuer } from './order-enqueuer';
import { WorkflowStarter, type SfnSender } from './workflow-starter';

/**
 * The two ways an order is set moving, for every sender (api-handler, reconcile-orders,
 * dlq-handler, dofs-cli): start its workflow (`WorkflowStarter`), or put its message on order_queue
 * (`OrderEnqueuer`). Both take their payload from order-domain (`executionInputFor`,
 * `orderMessageFor`: one shape and one correlation id per carrier). The caller records the carrier
 * first (a dispatch, a `workflow_until`); the dispatcher only sends. Each half is its own module, so
 * a function that only starts (api-handler) or only enqueues (dlq-handler) loads one SDK client.
 */
export type OrderDispatcher = Pick<WorkflowStarter, 'startOrderWorkflow'> & Pick<OrderEnqueuer, 'enqueueOrder'>;

/** Both halves, for a sender that needs both (the reconciler). */
export function orderDispatcher(opts: { stateMachineArn: string; sfn: SfnSender; orderQueueUrl: string; sqs?: Pick<SQSClient, 'send'> }): OrderDispatcher {
  const starter = new WorkflowStarter(opts);
  const enqueuer = new OrderEnqueuer(opts);
  return {
    startOrderWorkflow: (order, attempt, by) => starter.startOrderWorkflow(order, attempt, by),
    enqueueOrder: (order, round, sendOptions) => enqueuer.enqueueOrder(order, round, sendOptions),
  };
}
