import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { StaleStatusError, isRetryableDynamoError } from '../src';

const named = (name: string, extra: Record<string, unknown> = {}): Error => Object.assign(new Error(name), { name, ...extra });

describe('isRetryableDynamoError', () => {
  it.each([
    'ProvisionedThroughputExceededException',
    'ThrottlingException',
    'RequestLimitExceeded',
    'InternalServerError',
    'TransactionConflictException',
  ])('retries %s', (name) => {
    expect(isRetryableDynamoError(named(name))).toBe(true);
  });

  it('retries any 5xx answer and errors the SDK marks retryable', () => {
    expect(isRetryableDynamoError(named('Whatever', { $metadata: { httpStatusCode: 503 } }))).toBe(true);
    expect(isRetryableDynamoError(named('Whatever', { $retryable: { throttling: true } }))).toBe(true);
  });

  it('retries a transaction cancelled by a conflict or throttling, not by a false condition', () => {
    const cancelled = (...codes: string[]): Error => named('TransactionCanceledException', { CancellationReasons: codes.map((Code) => ({ Code })) });
    expect(isRetryableDynamoError(cancelled('None', 'TransactionConflict'))).toBe(true);
    expect(isRetryableDynamoError(cancelled('ThrottlingError', 'None'))).toBe(true);
    expect(isRetryableDynamoError(cancelled('ConditionalCheckFailed', 'None'))).toBe(false);
  });

  it('does not retry permanent errors, our own errors, or non-errors', () => {
    expect(isRetryableDynamoError(named('ConditionalCheckFailedException', { $metadata: { httpStatusCode: 400 } }))).toBe(false);
    expect(isRetryableDynamoError(named('ValidationException', { $metadata: { httpStatusCode: 400 } }))).toBe(false);
    expect(isRetryableDynamoError(named('ResourceNotFoundException'))).toBe(false);
    expect(isRetryableDynamoError(new StaleStatusError('ord_1', 'PENDING', 'FULFILLED'))).toBe(false);
    expect(isRetryableDynamoError(undefined)).toBe(false);
    expect(isRetryableDynamoError('ThrottlingException')).toBe(false);
  });

  it('retries a real network failure (nothing listening)', async () => {
    const unreachable = new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const error = await unreachable.send(new GetItemCommand({ TableName: 't', Key: { order_id: { S: 'x' } } })).catch((e: unknown) => e);
    unreachable.destroy();
    expect(isRetryableDynamoError(error)).toBe(true);
  });
});
