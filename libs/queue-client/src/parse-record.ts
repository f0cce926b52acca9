import type { SQSRecord } from 'aws-lambda';
import { isOrderMessage, MESSAGE_ATTRIBUTES, orderMessageOf, PATTERNS, type OrderMessage } from '@dofs/order-domain';
import { DEFAULT_RECEIVE_COUNT } from './constants';
import { MalformedMessageError } from './errors';

/** An order_queue record, checked and unpacked. */
export interface ParsedOrderRecord {
  messageId: string;
  message: OrderMessage;
  /** The `correlation_id` message attribute, else the body's `correlation_id`. */
  correlationId?: string;
  /** SQS `ApproximateReceiveCount`: 1 on the first delivery. */
  receiveCount: number;
  /** This receive, `<message id>#<receive count>`: what a failed attempt records, so a retried write of it is recognised. */
  receive: string;
  /** When the message was first sent (SQS `SentTimestamp`), ISO 8601. */
  sentAt?: string;
  /** The body exactly as received (what the DLQ archive keeps). */
  body: string;
}

const ORDER_ID = new RegExp(PATTERNS.ORDER_ID);

/**
 * Says which field of a body that failed `isOrderMessage` is wrong. Written by hand rather than
 * with typebox's error reporter so the SQS consumers' bundles carry only the generated check.
 */
function describeMismatch(value: unknown): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'body must be a JSON object';
  const body = value as Record<string, unknown>;
  const prefix = 'body does not match the OrderMessage schema:';
  if (typeof body['order_id'] !== 'string') return `${prefix} /order_id must be a string`;
  if (!ORDER_ID.test(body['order_id'])) return `${prefix} /order_id must match ${PATTERNS.ORDER_ID}`;
  if (body['correlation_id'] !== undefined && typeof body['correlation_id'] !== 'string') {
    return `${prefix} /correlation_id must be a string`;
  }
  if (body['dispatch'] !== undefined && !(Number.isInteger(body['dispatch']) && (body['dispatch'] as number) >= 1)) {
    return `${prefix} /dispatch must be an integer of at least 1`;
  }
  return `${prefix} / is invalid`;
}

/** SQS `ApproximateReceiveCount` of a record (1 on the first delivery); 1 when absent or unreadable. */
export function receiveCountOf(record: Pick<SQSRecord, 'attributes'>): number {
  return positiveInteger(record.attributes?.ApproximateReceiveCount) ?? DEFAULT_RECEIVE_COUNT;
}

/** When a record was first sent (SQS `SentTimestamp`) as ISO 8601, if the record says. */
export function sentAtOf(record: Pick<SQSRecord, 'attributes'>): string | undefined {
  return isoFromEpochMs(record.attributes?.SentTimestamp);
}

function positiveInteger(text: string | undefined): number | undefined {
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

function isoFromEpochMs(text: string | undefined): string | undefined {
  const ms = Number(text);
  return text !== undefined && text !== '' && Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/**
 * Checks an SQS record from order_queue against `OrderMessageSchema` and unpacks it. Throws
 * `MalformedMessageError` when the body is not JSON or not an order message; redelivery cannot
 * fix such a message, so a consumer lets it reach the dead-letter queue.
 * Fields beyond the schema are tolerated (and dropped) so producers can add fields first.
 */
export function parseOrderRecord(record: SQSRecord): ParsedOrderRecord {
  let value: unknown;
  try {
    value = JSON.parse(record.body);
  } catch (err) {
    throw new MalformedMessageError(record.messageId, `body is not valid JSON (${(err as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !isOrderMessage(value)) {
    throw new MalformedMessageError(record.messageId, describeMismatch(value));
  }
  const message = orderMessageOf(value);

  const correlationId = record.messageAttributes?.[MESSAGE_ATTRIBUTES.CORRELATION_ID]?.stringValue || message.correlation_id;
  const sentAt = sentAtOf(record);
  return {
    messageId: record.messageId,
    message,
    ...(correlationId ? { correlationId } : {}),
    receiveCount: receiveCountOf(record),
    receive: `${record.messageId}#${receiveCountOf(record)}`,
    ...(sentAt === undefined ? {} : { sentAt }),
    body: record.body,
  };
}
