import type { SQSClient } from '@aws-sdk/client-sqs';
import { orderMessageFor, type StoredOrder } from '@dofs/order-domain';
import { QueueClient, type SendOptions } from './queue-client';

/** The dispatcher's half that puts an order's message on order_queue (`ORDER_QUEUE_URL`). */
export class OrderEnqueuer {
  private readonly queue: QueueClient;

  public constructor(private readonly opts: { orderQueueUrl: string; sqs?: Pick<SQSClient, 'send'> }) {
    this.queue = new QueueClient(opts.sqs ? { client: opts.sqs } : {});
  }

  /** Sends the order's message of dispatch `round` (its `dispatch.seq`, recorded before this). Errors are the SDK's. */
  public async enqueueOrder(order: Pick<StoredOrder, 'order_id' | 'correlation_id'>, round: number, opts: SendOptions = {}): Promise<{ messageId: string }> {
    return this.queue.sendOrderMessage(this.opts.orderQueueUrl, orderMessageFor(order, round), opts);
  }
}
