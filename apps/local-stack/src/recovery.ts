// After a restart on kept data: the local SQS server holds messages in memory only, so the queue
// messages of orders that were still PENDING or RETRYING are gone, while on AWS they would still be
// waiting in order_queue (or order_dlq). This puts them back where they would be, under the
// order's current dispatch (the message that carried it):
// - an order that made every attempt of its round (attempts - attempts_base >= maxReceiveCount)
//   -> order_dlq (SQS would have moved it there);
// - any other PENDING or RETRYING order -> order_queue, delayed for what is left of a send-back's
//   delay. Attempts are counted on the order, so the new message's receive count starting at 0
//   changes nothing but how many receives may still die before a draw.
// It runs before the pollers start, when the new queues are still empty.
// Each message put back is back-dated (`backdate`) to when the lost one was sent, as far as the
// order tells: its dispatch's `at`, else its `updated_at`. On AWS that message never left the queue,
// so its age (CloudWatch's ApproximateAgeOfOldestMessage, SentTimestamp) runs from then; a fresh
// one would tell the reconciler the queue holds nothing that old, i.e. that the message was lost.
// In order_dlq the true time is the move, which lies later still: the earlier time only makes the
// queue look older, which can make the reconciler wait, never act.
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { localDynamoDbClient } from '@dofs/local-aws';
import { attemptsThisRound, orderMessageFor, type Dispatch } from '@dofs/order-domain';

export interface RecoveryOptions {
  ddbEndpoint: string;
  sqs: SQSClient;
  ordersTable: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  maxReceiveCount: number;
  /** Orders whose workflow is being resumed (it queues them itself). */
  skip: Set<string>;
  /** Gives a message put back the enqueue time of the lost one (the SQS server's tracker). */
  backdate?: (queueUrl: string, messageId: string, enqueuedAt: number) => void;
}

export interface RecoveryResult {
  queued: number;
  deadLettered: number;
}

interface UnfinishedOrder {
  order_id: string;
  status: 'PENDING' | 'RETRYING';
  attempts?: number;
  attempts_base?: number;
  correlation_id?: string;
  updated_at?: string;
  dispatch?: Partial<Dispatch>;
}

/** When the lost message was sent, as the order records it (epoch ms), if it does. */
function sentAt(order: UnfinishedOrder): number | undefined {
  const at = Date.parse(order.dispatch?.at ?? order.updated_at ?? '');
  return Number.isFinite(at) ? at : undefined;
}

async function unfinishedOrders(ddbEndpoint: string, table: string): Promise<UnfinishedOrder[]> {
  const client = DynamoDBDocumentClient.from(localDynamoDbClient(ddbEndpoint));
  const found: UnfinishedOrder[] = [];
  try {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: table,
          FilterExpression: '#s IN (:pending, :retrying)',
          ExpressionAttributeNames: { '#s': 'status', '#a': 'attempts', '#b': 'attempts_base', '#u': 'updated_at', '#d': 'dispatch' },
          ExpressionAttributeValues: { ':pending': 'PENDING', ':retrying': 'RETRYING' },
          ProjectionExpression: 'order_id, #s, #a, #b, correlation_id, #u, #d',
          ExclusiveStartKey: startKey,
        }),
      );
      found.push(...((page.Items ?? []) as UnfinishedOrder[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  } finally {
    client.destroy();
  }
  return found;
}

function message(order: UnfinishedOrder, queueUrl: string, delaySeconds = 0): SendMessageCommand {
  const body = orderMessageFor(order, order.dispatch?.seq);
  return new SendMessageCommand({
    QueueUrl: queueUrl,
    MessageBody: JSON.stringify(body),
    MessageAttributes: {
      order_id: { DataType: 'String', StringValue: body.order_id },
      ...(body.correlation_id ? { correlation_id: { DataType: 'String', StringValue: body.correlation_id } } : {}),
      ...(body.dispatch === undefined ? {} : { dispatch: { DataType: 'Number', StringValue: String(body.dispatch) } }),
    },
    ...(delaySeconds > 0 ? { DelaySeconds: Math.min(900, delaySeconds) } : {}),
  });
}

export async function recoverUnqueuedOrders(options: RecoveryOptions): Promise<RecoveryResult> {
  const orders = (await unfinishedOrders(options.ddbEndpoint, options.ordersTable)).filter((o) => !options.skip.has(o.order_id));
  const result: RecoveryResult = { queued: 0, deadLettered: 0 };
  for (const order of orders) {
    const at = sentAt(order);
    const backdate = (queueUrl: string, messageId: string | undefined) => {
      if (at !== undefined && messageId) options.backdate?.(queueUrl, messageId, at);
    };
    if (attemptsThisRound({ attempts: Number(order.attempts ?? 0), ...(order.attempts_base === undefined ? {} : { attempts_base: order.attempts_base }) }) >= options.maxReceiveCount) {
      const sent = await options.sqs.send(message(order, options.deadLetterQueueUrl));
      backdate(options.deadLetterQueueUrl, sent.MessageId);
      result.deadLettered += 1;
      continue;
    }
    const delay = Math.ceil((Date.parse(order.dispatch?.visible_at ?? '') - Date.now()) / 1000);
    const sent = await options.sqs.send(message(order, options.queueUrl, Number.isFinite(delay) ? delay : 0));
    backdate(options.queueUrl, sent.MessageId);
    result.queued += 1;
  }
  return result;
}
