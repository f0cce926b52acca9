import { SendMessageCommand, SQSClient, type MessageAttributeValue } from '@aws-sdk/client-sqs';
import { SDK_BUDGETS, sdkClientConfig } from '@dofs/handler-kit';
import { MESSAGE_ATTRIBUTES, type OrderMessage } from '@dofs/order-domain';

export interface QueueClientOptions {
  /** Default: a client from the environment (region, credentials, `AWS_ENDPOINT_URL_SQS`) with the handlers' timeouts. */
  client?: Pick<SQSClient, 'send'>;
}

export interface SendOptions {
  /** SQS DelaySeconds (0..900). */
  delaySeconds?: number;
}

/** The `order_id` and `correlation_id` String attributes (an absent or empty correlation id is left out: SQS rejects empty values), and `dispatch` when set. */
function attributesFor(message: OrderMessage): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {
    [MESSAGE_ATTRIBUTES.ORDER_ID]: { DataType: 'String', StringValue: message.order_id },
  };
  if (message.correlation_id) attributes[MESSAGE_ATTRIBUTES.CORRELATION_ID] = { DataType: 'String', StringValue: message.correlation_id };
  if (message.dispatch !== undefined) attributes[MESSAGE_ATTRIBUTES.DISPATCH] = { DataType: 'Number', StringValue: String(message.dispatch) };
  return attributes;
}

/**
 * Sends order messages to an SQS queue. The body is the `OrderMessage` as JSON; `order_id` and
 * `correlation_id` also travel as message attributes, so consumers and operators can see them
 * without parsing the body.
 */
export class QueueClient {
  private readonly client: Pick<SQSClient, 'send'>;

  public constructor(opts: QueueClientOptions = {}) {
    this.client = opts.client ?? new SQSClient(sdkClientConfig(SDK_BUDGETS.sqs));
  }

  /** Sends one message (build it with `orderMessageFor`). Errors are the SDK's, after its own retries of throttling, 5xx and network failures. */
  public async sendOrderMessage(queueUrl: string, message: OrderMessage, opts: SendOptions = {}): Promise<{ messageId: string }> {
    const { MessageId } = await this.client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(message),
        MessageAttributes: attributesFor(message),
        ...(opts.delaySeconds ? { DelaySeconds: Math.min(900, Math.max(0, Math.round(opts.delaySeconds))) } : {}),
      }),
    );
    if (!MessageId) throw new Error(`SQS accepted a message for order ${message.order_id} but returned no MessageId`);
    return { messageId: MessageId };
  }
}
