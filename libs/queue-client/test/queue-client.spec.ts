import { SQSClient } from '@aws-sdk/client-sqs';
import { newOrderId, type OrderMessage } from '@dofs/order-domain';
import { parseOrderRecord, QueueClient } from '../src';
import { createQueue, receive, toSqsRecord } from './helpers';

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

// Runs against the local SQS server started by the local-aws jest harness. Each test sends to a
// queue of its own.
const sqs = new SQSClient({});
afterAll(() => sqs.destroy());

const orderMessage = (correlationId?: string): OrderMessage => ({ order_id: newOrderId(), ...(correlationId ? { correlation_id: correlationId } : {}) });

describe('sendOrderMessage', () => {
  it('sends the JSON body with order_id, correlation_id and dispatch attributes', async () => {
    const queueUrl = await createQueue(sqs, 'single');
    const message = { ...orderMessage('corr-42'), dispatch: 3 };
    const { messageId } = await new QueueClient({ client: sqs }).sendOrderMessage(queueUrl, message);

    const [received] = await receive(sqs, queueUrl, 1);
    expect(received?.MessageId).toBe(messageId);
    expect(JSON.parse(received?.Body ?? '')).toEqual(message);
    expect(received?.MessageAttributes).toEqual({
      order_id: { DataType: 'String', StringValue: message.order_id },
      correlation_id: { DataType: 'String', StringValue: 'corr-42' },
      dispatch: { DataType: 'Number', StringValue: '3' },
    });
  });

  it("uses the body's correlation id as the attribute when none is given, and omits it when there is none", async () => {
    const queueUrl = await createQueue(sqs, 'single-attrs');
    const client = new QueueClient({ client: sqs });
    const withBodyId = orderMessage('from-body');
    const without = orderMessage();
    await client.sendOrderMessage(queueUrl, withBodyId);
    await client.sendOrderMessage(queueUrl, without);

    const received = await receive(sqs, queueUrl, 2);
    const byOrder = new Map(received.map((m) => [JSON.parse(m.Body ?? '{}').order_id as string, m]));
    expect(byOrder.get(withBodyId.order_id)?.MessageAttributes?.['correlation_id']?.StringValue).toBe('from-body');
    expect(Object.keys(byOrder.get(without.order_id)?.MessageAttributes ?? {})).toEqual(['order_id']);
  });
});

describe('sending an order again', () => {
  it('carries the dispatch seq and a delay; the consumer reads the seq from the body', async () => {
    const queueUrl = await createQueue(sqs, 'again');
    const message = { ...orderMessage('corr-again'), dispatch: 2 };
    await new QueueClient({ client: sqs }).sendOrderMessage(queueUrl, message, { delaySeconds: 1 });
    const [received] = await receive(sqs, queueUrl, 1, { timeoutMs: 5_000 });
    expect(parseOrderRecord(toSqsRecord(must(received)))).toMatchObject({ receiveCount: 1, message });
  });
});
