import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { executionInputFor, executionNameFor, orderMessageFor, type StoredOrder } from '@dofs/order-domain';
import { QueueClient, type SendOptions } from './queue-client';

export type SfnSender = Pick<SFNClient, 'send'>;

/** What a start of the workflow needs of an order: its execution input. */
export type StartableOrder = Parameters<typeof executionInputFor>[0];

export type StartOutcome =
  | { started: true; executionArn: string }
  /** Step Functions already has an execution of this name (STANDARD): this run of the order ran or runs. */
  | { started: false; reason: 'already-exists' }
  /** Refused with a 4xx (throttled, access denied...): nothing was started. */
  | { started: false; reason: 'refused'; error: unknown }
  /** Timed out, 5xx or a network error: an execution may or may not have been started. */
  | { started: false; reason: 'unknown'; error: unknown };

export interface OrderDispatcherOptions {
  /** The order workflow (`STATE_MACHINE_ARN`); needed by `startOrderWorkflow`. */
  stateMachineArn?: string;
  /** order_queue (`ORDER_QUEUE_URL`); needed by `enqueueOrder`. */
  orderQueueUrl?: string;
  sfn?: SfnSender;
  sqs?: Pick<SQSClient, 'send'>;
}

/**
 * The two ways an order is set moving, for every sender (api-handler, reconcile-orders, dlq-handler,
 * dofs-cli): start its workflow, or put its message on order_queue. Both build their payload from
 * order-domain (`executionInputFor`, `orderMessageFor`), so each carrier has one shape and one
 * correlation id. The caller records the carrier first (a dispatch, a `workflow_until`); this only sends.
 */
export class OrderDispatcher {
  private readonly opts: OrderDispatcherOptions;
  private queue: QueueClient | undefined;

  public constructor(opts: OrderDispatcherOptions) {
    this.opts = opts;
  }

  /**
   * Starts run `attempt` of the order's workflow (0: the intake's, n: the reconciler's n-th), named
   * after it, abandoning the call at `by` (epoch ms). Never throws: the outcome says whether anything
   * may run (the callers decide differently what a failure means).
   */
  public async startOrderWorkflow(order: StartableOrder, attempt: number, by?: number): Promise<StartOutcome> {
    const { stateMachineArn, sfn } = this.opts;
    if (!stateMachineArn || !sfn) throw new Error('OrderDispatcher needs stateMachineArn and sfn to start a workflow');
    try {
      const started = await sfn.send(
        new StartExecutionCommand({ stateMachineArn, name: executionNameFor(order.order_id, attempt), input: JSON.stringify(executionInputFor(order)) }),
        by === undefined ? undefined : { abortSignal: AbortSignal.timeout(Math.max(1, by - Date.now())) },
      );
      return { started: true, executionArn: started.executionArn ?? '' };
    } catch (error) {
      const e = error as { name?: unknown; $metadata?: { httpStatusCode?: unknown } } | null;
      if (e?.name === 'ExecutionAlreadyExists') return { started: false, reason: 'already-exists' };
      const status = e?.$metadata?.httpStatusCode;
      const refused = typeof status === 'number' && status >= 400 && status < 500;
      return { started: false, reason: refused ? 'refused' : 'unknown', error };
    }
  }

  /** Sends the order's message of dispatch `round` (its `dispatch.seq`, recorded before this) to order_queue. Errors are the SDK's. */
  public async enqueueOrder(order: Pick<StoredOrder, 'order_id' | 'correlation_id'>, round: number, opts: SendOptions = {}): Promise<{ messageId: string }> {
    const { orderQueueUrl, sqs } = this.opts;
    if (!orderQueueUrl) throw new Error('OrderDispatcher needs orderQueueUrl to enqueue an order');
    this.queue ??= new QueueClient(sqs ? { client: sqs } : {});
    return this.queue.sendOrderMessage(orderQueueUrl, orderMessageFor(order, round), opts);
  }
}
