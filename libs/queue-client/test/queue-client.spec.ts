import { SQSClient, type SendMessageBatchCommandInput, type SendMessageBatchCommandOutput } from '@aws-sdk/client-sqs';
import { newOrderId, type OrderMessage } from '@dofs/order-domain';
import { BatchSendError, QueueClient } from '../src';
import { createQueue, receive } from './helpers';

// Runs against the local SQS server started by the local-aws jest harness. Each test sends to a
// queue of its own.
const sqs = new SQSClient({});
afterAll(() => sqs.destroy());

const orderMessage = (correlationId?: string): OrderMessage => ({ order_id: newOrderId(), ...(correlationId ? { correlation_id: correlationId } : {}) });

/** Records backoff delays instead of waiting them out. */
function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}

describe('sendOrderMessage', () => {
  it('sends the JSON body with order_id and correlation_id attributes', async () => {
    const queueUrl = await createQueue(sqs, 'single');
    const message = orderMessage('corr-in-body');
    const { messageId } = await new QueueClient({ client: sqs }).sendOrderMessage(queueUrl, message, { correlationId: 'corr-42' });

    const [received] = await receive(sqs, queueUrl, 1);
    expect(received?.MessageId).toBe(messageId);
    expect(JSON.parse(received?.Body ?? '')).toEqual(message);
    expect(received?.MessageAttributes).toEqual({
      order_id: { DataType: 'String', StringValue: message.order_id },
      correlation_id: { DataType: 'String', StringValue: 'corr-42' },
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

describe('sendOrderMessages', () => {
  it('sends 25 messages in batches of 10, and all of them arrive', async () => {
    const queueUrl = await createQueue(sqs, 'batch25');
    const messages = Array.from({ length: 25 }, (_, i) => ({ message: orderMessage(), correlationId: `corr-${i}` }));
    const send = jest.spyOn(sqs, 'send');
    await expect(new QueueClient({ client: sqs }).sendOrderMessages(queueUrl, messages)).resolves.toEqual({ sent: 25 });
    expect(send).toHaveBeenCalledTimes(3);
    send.mockRestore();

    const received = await receive(sqs, queueUrl, 25);
    expect(received.map((m) => JSON.parse(m.Body ?? '{}').order_id).sort()).toEqual(messages.map((m) => m.message.order_id).sort());
    for (const m of received) expect(m.MessageAttributes?.['order_id']?.StringValue).toBe(JSON.parse(m.Body ?? '{}').order_id);
  });

  it('reports an entry SQS rejects for good (too large) in BatchSendError, and sends the others', async () => {
    // MaximumMessageSize 1024 (the smallest SQS allows) lets a small test body be "oversized"
    // per entry without the whole batch going over the 1 MiB request limit.
    const queueUrl = await createQueue(sqs, 'oversized', { MaximumMessageSize: '1024' });
    const messages = Array.from({ length: 12 }, () => ({ message: orderMessage() }));
    const oversized = { message: orderMessage('x'.repeat(1500)) };
    messages.splice(4, 0, oversized);
    const { sleep, delays } = recordingSleep();

    const error = await new QueueClient({ client: sqs, sleep }).sendOrderMessages(queueUrl, messages).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BatchSendError);
    expect(error).toMatchObject({
      name: 'BatchSendError',
      sent: 12,
      failed: [{ orderId: oversized.message.order_id, code: 'InvalidParameterValue', senderFault: true }],
    });
    expect((error as Error).message).toContain(oversized.message.order_id);
    expect(delays).toEqual([]); // a sender fault is never retried
    const received = await receive(sqs, queueUrl, 12);
    expect(received).toHaveLength(12);
    expect(received.map((m) => JSON.parse(m.Body ?? '{}').order_id)).not.toContain(oversized.message.order_id);
  });

  describe('entries SQS fails transiently', () => {
    // No local server fails a batch entry on demand, so this middleware plays SQS's part: it holds
    // the victim entry back from the (real) server and adds a Failed result with
    // SenderFault=false for it, `times` times. Everything else is the real local SQS server.
    function failEntryTransiently(client: SQSClient, victimOrderId: string, times: number): void {
      let remaining = times;
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const input = args.input as SendMessageBatchCommandInput;
          const victim = input.Entries?.find((e) => e.MessageAttributes?.['order_id']?.StringValue === victimOrderId);
          if (context.commandName !== 'SendMessageBatchCommand' || victim === undefined || remaining <= 0) return next(args);
          remaining -= 1;
          const failure = { Id: victim.Id, SenderFault: false, Code: 'InternalError', Message: 'injected transient failure' };
          const others = input.Entries?.filter((e) => e !== victim) ?? [];
          // A retry may hold only the victim: SQS would reject an empty batch, so answer for it.
          if (others.length === 0) return { output: { Successful: [], Failed: [failure], $metadata: {} }, response: undefined };
          const result = await next({ ...args, input: { ...input, Entries: others } });
          const output = result.output as SendMessageBatchCommandOutput;
          output.Failed = [...(output.Failed ?? []), failure];
          return result;
        },
        { step: 'initialize', name: 'failEntryTransiently' },
      );
    }

    it('retries the failed entry with backoff until it is sent, once', async () => {
      const client = new SQSClient({});
      const queueUrl = await createQueue(client, 'transient');
      const messages = Array.from({ length: 7 }, () => ({ message: orderMessage() }));
      failEntryTransiently(client, messages[3]?.message.order_id ?? '', 2);
      const { sleep, delays } = recordingSleep();

      await expect(new QueueClient({ client, sleep, maxSendAttempts: 3 }).sendOrderMessages(queueUrl, messages)).resolves.toEqual({ sent: 7 });

      expect(delays).toHaveLength(2);
      expect(delays[1]).toBeGreaterThanOrEqual(delays[0] ?? 0);
      const received = await receive(client, queueUrl, 7);
      expect(received.map((m) => JSON.parse(m.Body ?? '{}').order_id).sort()).toEqual(messages.map((m) => m.message.order_id).sort());
      await expect(receive(client, queueUrl, 1, { timeoutMs: 0, waitSeconds: 0 })).resolves.toEqual([]); // no duplicate
      client.destroy();
    });

    it('gives up after maxSendAttempts and names the entry in BatchSendError', async () => {
      const client = new SQSClient({});
      const queueUrl = await createQueue(client, 'transient-forever');
      const messages = Array.from({ length: 3 }, () => ({ message: orderMessage() }));
      const victim = messages[0]?.message.order_id ?? '';
      failEntryTransiently(client, victim, Number.POSITIVE_INFINITY);
      const { sleep, delays } = recordingSleep();

      const error = await new QueueClient({ client, sleep, maxSendAttempts: 3 }).sendOrderMessages(queueUrl, messages).catch((e: unknown) => e);

      expect(error).toMatchObject({ name: 'BatchSendError', sent: 2, failed: [{ orderId: victim, code: 'InternalError', senderFault: false }] });
      expect(delays).toHaveLength(2);
      client.destroy();
    });
  });

  it('marks every entry failed when the whole request fails (unknown queue)', async () => {
    const missingQueue = `${process.env['AWS_ENDPOINT_URL_SQS']}/123456789012/does-not-exist`;
    const messages = Array.from({ length: 2 }, () => ({ message: orderMessage() }));
    const error = await new QueueClient({ client: sqs }).sendOrderMessages(missingQueue, messages).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchSendError);
    expect((error as BatchSendError).failed.map((f) => f.orderId)).toEqual(messages.map((m) => m.message.order_id));
    expect((error as BatchSendError).sent).toBe(0);
    expect((error as BatchSendError).cause).toBeDefined();
  });
});
