import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { newOrderId, type StoredOrder } from '@dofs/order-domain';

/** Orders of a customer, by a scan of every page: test assertions only (the table holds test data alone). */
export async function ordersOf(ddb: Pick<DynamoDBDocumentClient, 'send'>, customerId: string, tableName = String(process.env['ORDERS_TABLE'])): Promise<StoredOrder[]> {
  const items: StoredOrder[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(
      new ScanCommand({ TableName: tableName, FilterExpression: 'customer_id = :c', ExpressionAttributeValues: { ':c': customerId }, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...((page.Items ?? []) as StoredOrder[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** A customer id no other test uses. */
export const uniqueCustomer = () => `c-${newOrderId().slice(4, 16)}`;
