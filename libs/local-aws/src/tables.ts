import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  waitUntilTableExists,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { settings } from './settings';

export interface TableNames {
  orders: string;
  failedOrders: string;
}

/** Longest wait for a new table to become ACTIVE (instant locally, up to a minute or so on AWS). */
const TABLE_ACTIVE_TIMEOUT_SECONDS = 120;

/**
 * Both DOFS tables share one key shape: partition key `order_id` (S), on-demand billing, as in
 * Terraform. failed_orders keys unparseable messages as `unparseable#<message_id>`.
 */
async function ensureTable(ddb: DynamoDBClient, tableName: string): Promise<void> {
  try {
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
    try {
      await ddb.send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [{ AttributeName: 'order_id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'order_id', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    } catch (createErr) {
      // Somebody else created it between our describe and create: just wait for it below.
      if (!(createErr instanceof ResourceInUseException)) throw createErr;
    }
  }
  await waitUntilTableExists({ client: ddb, maxWaitTime: TABLE_ACTIVE_TIMEOUT_SECONDS, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
}

/**
 * Creates the orders and failed_orders tables unless they exist, and waits until both are ACTIVE.
 * Names default to `infra/settings.json`.
 */
export async function ensureTables(ddb: DynamoDBClient, names: TableNames = settings.tables): Promise<void> {
  await Promise.all([ensureTable(ddb, names.orders), ensureTable(ddb, names.failedOrders)]);
}
