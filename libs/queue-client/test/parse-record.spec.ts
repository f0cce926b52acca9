import { SQSClient } from '@aws-sdk/client-sqs';
import { newOrderId } from '@dofs/order-domain';
import type { SQSRecord } from 'aws-lambda';
import { MalformedMessageError, QueueClient, parseOrderRecord, receiveCountOf, sentAtOf } from '../src';
import { createQueue, receive, toSqsRecord } from './helpers';

/** A record as Lambda delivers it: second receive, sent 2026-01-01T00:00:00Z, no message attributes. */
function record(body: string): SQSRecord {
  return toSqsRecord({ MessageId: 'msg-1', Body: body, Attributes: { ApproximateReceiveCount: '2', SentTimestamp: '1767225600000' } });
}

function malformed(body: string): MalformedMessageError {
  try {
    parseOrderRecord(record(body));
  } catch (err) {
    if (err instanceof MalformedMessageError) return err;
    throw err;
  }
  throw new Error('expected MalformedMessageError');
}

describe('parseOrderRecord', () => {
  it('unpacks a message sent by QueueClient and received from the real queue', async () => {
    const sqs = new SQSClient({});
    const queueUrl = await createQueue(sqs, 'parse');
    const message = { order_id: newOrderId(), correlation_id: 'corr-body', dispatch: 2 };
    const { messageId } = await new QueueClient({ client: sqs }).sendOrderMessage(queueUrl, message);
    const [received] = await receive(sqs, queueUrl, 1);
    sqs.destroy();

    const parsed = parseOrderRecord(toSqsRecord(received ?? {}));
    expect(parsed).toEqual({
      messageId,
      message,
      correlationId: 'corr-body',
      receiveCount: 1,
      receive: `${messageId}#1`,
      sentAt: new Date(Number(received?.Attributes?.['SentTimestamp'])).toISOString(),
      body: JSON.stringify(message),
    });
  });

  it('falls back to the body for the correlation id, keeps the raw body, and drops unknown fields', () => {
    const orderId = newOrderId();
    const body = JSON.stringify({ order_id: orderId, correlation_id: 'from-body', added_later: true });
    expect(parseOrderRecord(record(body))).toEqual({
      messageId: 'msg-1',
      message: { order_id: orderId, correlation_id: 'from-body' },
      correlationId: 'from-body',
      receiveCount: 2,
      receive: 'msg-1#2',
      sentAt: '2026-01-01T00:00:00.000Z',
      body,
    });
  });

  it('has no correlation id when neither attribute nor body carries one', () => {
    const parsed = parseOrderRecord(record(JSON.stringify({ order_id: newOrderId() })));
    expect(parsed).not.toHaveProperty('correlationId');
    expect(parsed.message).not.toHaveProperty('correlation_id');
  });

  it('rejects a body that is not JSON', () => {
    const error = malformed('{"order_id": ');
    expect(error).toMatchObject({ name: 'MalformedMessageError', messageId: 'msg-1' });
    expect(error.reason).toMatch(/not valid JSON/);
  });

  it.each([
    ['a JSON array', '[1,2]'],
    ['a JSON string', '"ord_00000000000000000000000000000000"'],
    ['null', 'null'],
    ['an object without order_id', '{"correlation_id":"c"}'],
    ['an order_id that is not an order id', '{"order_id":"12345"}'],
    ['an order_id of the wrong type', '{"order_id":42}'],
  ])('rejects %s', (_label, body) => {
    const error = malformed(body);
    expect(error.messageId).toBe('msg-1');
    expect(error.reason).toMatch(/JSON object|OrderMessage schema/);
  });

  it.each([
    ['[1,2]', 'body must be a JSON object'],
    ['{"correlation_id":"c"}', '/order_id must be a string'],
    ['{"order_id":42}', '/order_id must be a string'],
    ['{"order_id":"12345"}', '/order_id must match'],
    [`{"order_id":"${newOrderId()}","correlation_id":7}`, '/correlation_id must be a string'],
    [`{"order_id":"${newOrderId()}","dispatch":0}`, '/dispatch must be an integer of at least 1'],
  ])('names the offending field of %s', (body, expected) => {
    expect(malformed(body).reason).toContain(expected);
  });
});

describe('record attributes', () => {
  const withAttributes = (attributes: Record<string, string>) => ({ attributes }) as unknown as Pick<SQSRecord, 'attributes'>;

  it('reads the receive count, defaulting to a first delivery when absent or unreadable', () => {
    expect(receiveCountOf(withAttributes({ ApproximateReceiveCount: '4' }))).toBe(4);
    expect(receiveCountOf(withAttributes({}))).toBe(1);
    expect(receiveCountOf(withAttributes({ ApproximateReceiveCount: 'x' }))).toBe(1);
    expect(receiveCountOf(withAttributes({ ApproximateReceiveCount: '0' }))).toBe(1);
  });

  it('reads the first-sent time as ISO 8601, if present', () => {
    expect(sentAtOf(withAttributes({ SentTimestamp: '1795568400000' }))).toBe(new Date(1795568400000).toISOString());
    expect(sentAtOf(withAttributes({}))).toBeUndefined();
    expect(sentAtOf(withAttributes({ SentTimestamp: 'soon' }))).toBeUndefined();
  });
});
