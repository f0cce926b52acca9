import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SDK_BUDGETS, sdkClientConfig } from '@dofs/handler-kit';

/**
 * A document client that drops `undefined` attributes instead of failing on them, so optional
 * fields of an order (`last_error`, `idempotency_key_hash`, ...) can simply be left unset. Without a
 * client it builds one from the environment (region, credentials, `AWS_ENDPOINT_URL_DYNAMODB`)
 * with the handlers' timeouts and retry budget, so a stalled DynamoDB fails fast and retryably.
 */
export function createDocumentClient(client?: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client ?? new DynamoDBClient(sdkClientConfig(SDK_BUDGETS.dynamodb)), {
    marshallOptions: { removeUndefinedValues: true },
  });
}
