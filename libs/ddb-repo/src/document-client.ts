import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * A document client that drops `undefined` attributes instead of failing on them, so optional
 * fields of an order (`last_error`, `idempotency_key`, ...) can simply be left unset. Without a
 * client it builds one from the environment (region, credentials, `AWS_ENDPOINT_URL_DYNAMODB`).
 */
export function createDocumentClient(client?: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client ?? new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
}
