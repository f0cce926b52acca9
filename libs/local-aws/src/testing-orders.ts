import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredOrder } from '@dofs/order-domain';
import { localDynamoDbClient } from './clients';
import { HARNESS_ENV } from './constants';

/**
 * Writes an order as is (any status, any history) into the harness's orders table: test set-up
 * only, bypassing the repository's conditional writes.
 */
export async function putOrder(order: StoredOrder, tableName = process.env[HARNESS_ENV.ordersTable]): Promise<StoredOrder> {
  const endpoint = process.env['AWS_ENDPOINT_URL_DYNAMODB'];
  if (!endpoint || !tableName) throw new Error('putOrder runs under the local-aws jest preset (AWS_ENDPOINT_URL_DYNAMODB and ORDERS_TABLE unset)');
  const client = DynamoDBDocumentClient.from(localDynamoDbClient(endpoint), { marshallOptions: { removeUndefinedValues: true } });
  try {
    await client.send(new PutCommand({ TableName: tableName, Item: order }));
  } finally {
    client.destroy();
  }
  return order;
}
