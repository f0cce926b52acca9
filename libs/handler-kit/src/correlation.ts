import { randomUUID } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';
import { MESSAGE_ATTRIBUTES } from '@dofs/order-domain';
import { CORRELATION_ID_PATTERN, HEADERS } from './constants';

export function isValidCorrelationId(value: unknown): value is string {
  return typeof value === 'string' && CORRELATION_ID_PATTERN.test(value);
}

/**
 * The correlation id of an HTTP request: a valid `X-Correlation-Id` header from the caller, else the
 * API Gateway request id, else a fresh UUID. `headers` must have lower-cased names.
 */
export function correlationIdForHttp(headers: Readonly<Record<string, string>>, apiRequestId: string | undefined): string {
  const fromHeader = headers[HEADERS.CORRELATION_ID]?.trim();
  if (isValidCorrelationId(fromHeader)) return fromHeader;
  if (isValidCorrelationId(apiRequestId)) return apiRequestId;
  return randomUUID();
}

/** The correlation id an SQS record carries as the `correlation_id` message attribute, if valid. */
export function correlationIdFromSqsAttributes(record: Pick<SQSRecord, 'messageAttributes'>): string | undefined {
  const value = record.messageAttributes?.[MESSAGE_ATTRIBUTES.CORRELATION_ID]?.stringValue;
  return isValidCorrelationId(value) ? value : undefined;
}
