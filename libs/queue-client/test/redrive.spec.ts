import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { newOrderId } from '@dofs/order-domain';
import { QueueClient } from '../src';
import { harnessEnv, receive } from './helpers';

// Proves the harness's own order_queue -> order_dlq redrive (created from infra/settings.json)
// works on the real local SQS server: a message received maxReceiveCount times without being
// deleted ends in the dead-letter queue with its body and attributes. This is the only test file
// that uses the harness queues, so no other test consumes from them.
const orderQueueUrl = harnessEnv('ORDER_QUEUE_URL');
const deadLetterQueueUrl = harnessEnv('ORDER_DLQ_URL');
const sqs = new SQSClient({});
afterAll(() => sqs.destroy());

it('moves a message to order_dlq after maxReceiveCount receives', async () => {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: orderQueueUrl, AttributeNames: ['RedrivePolicy'] }));
  const { maxReceiveCount } = JSON.parse(Attributes?.['RedrivePolicy'] ?? '{}') as { maxReceiveCount: number };
  expect(maxReceiveCount).toBeGreaterThanOrEqual(1);

  const message = { order_id: newOrderId(), correlation_id: 'corr-redrive' };
  const { messageId } = await new QueueClient({ client: sqs }).sendOrderMessage(orderQueueUrl, message);

  // Each receive leaves the message undeleted, as a failing consumer would; a 1 s visibility
  // timeout (instead of the queue's 60 s) brings it back quickly.
  for (let receiveCount = 1; receiveCount <= maxReceiveCount; receiveCount += 1) {
    const [received] = await receive(sqs, orderQueueUrl, 1, { visibilityTimeout: 1, timeoutMs: 5_000 });
    expect(received?.MessageId).toBe(messageId);
    expect(received?.Attributes?.['ApproximateReceiveCount']).toBe(String(receiveCount));
  }

  const [dead] = await receive(sqs, deadLetterQueueUrl, 1, { timeoutMs: 5_000 });
  expect(dead?.MessageId).toBe(messageId);
  expect(JSON.parse(dead?.Body ?? '{}')).toEqual(message);
  expect(dead?.MessageAttributes?.['order_id']?.StringValue).toBe(message.order_id);

  // The receive after the limit gets nothing from order_queue.
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: orderQueueUrl, WaitTimeSeconds: 0, AttributeNames: ['All'] }));
  expect(Messages ?? []).toEqual([]);
});
