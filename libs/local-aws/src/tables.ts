import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { settings } from './settings';

export interface TableNames {
  orders: string;
  failedOrders: string;
  idempotencyKeys: string;
}

/** Longest wait for a new table to become ACTIVE (instant locally, up to a minute or so on AWS). */
const TABLE_ACTIVE_TIMEOUT_SECONDS = 120;

/** The sparse index of open orders (docs/design.md "Tables and queues"), as Terraform declares it. */
export const OPEN_ORDERS_INDEX_NAME = 'open-orders';

type TableShape = Omit<CreateTableCommandInput, 'TableName' | 'BillingMode'> & { ttlAttribute?: string };

/** The key shapes of the DOFS tables, on-demand billing, as in Terraform. */
function shapes(names: TableNames): Record<string, TableShape> {
  return {
    [names.orders]: {
      AttributeDefinitions: [
        { AttributeName: 'order_id', AttributeType: 'S' },
        { AttributeName: 'open_shard', AttributeType: 'S' },
        { AttributeName: 'open_since', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'order_id', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: OPEN_ORDERS_INDEX_NAME,
          KeySchema: [
            { AttributeName: 'open_shard', KeyType: 'HASH' },
            { AttributeName: 'open_since', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    },
    // Unparseable dead letters are kept under `unparseable#<message_id>`.
    [names.failedOrders]: {
      AttributeDefinitions: [{ AttributeName: 'order_id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'order_id', KeyType: 'HASH' }],
    },
    [names.idempotencyKeys]: {
      AttributeDefinitions: [{ AttributeName: 'idempotency_id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'idempotency_id', KeyType: 'HASH' }],
      ttlAttribute: 'expires_at',
    },
  };
}

async function ensureTable(ddb: DynamoDBClient, tableName: string, shape: TableShape): Promise<void> {
  const { ttlAttribute, ...definition } = shape;
  try {
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: tableName }));
    // A table kept from an older version (the local stack's data folder) gets the indexes it lacks.
    const present = new Map((Table?.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index.KeySchema] as const));
    for (const index of definition.GlobalSecondaryIndexes ?? []) {
      const keys = present.get(index.IndexName);
      if (keys !== undefined) {
        // An index of an older key schema: its items lack the new key attributes, so it cannot be converted in place.
        if (JSON.stringify(keys) !== JSON.stringify(index.KeySchema)) {
          throw new Error(`${tableName} has the ${index.IndexName} index of an older version (keys ${keys.map((k) => k.AttributeName).join(', ')}): start the local stack with --fresh`);
        }
        continue;
      }
      await ddb.send(
        new UpdateTableCommand({ TableName: tableName, AttributeDefinitions: definition.AttributeDefinitions, GlobalSecondaryIndexUpdates: [{ Create: index }] }),
      );
    }
    if (Table?.TableStatus === 'ACTIVE' && present.size === (definition.GlobalSecondaryIndexes ?? []).length) return;
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
    try {
      await ddb.send(new CreateTableCommand({ TableName: tableName, BillingMode: 'PAY_PER_REQUEST', ...definition }));
    } catch (createErr) {
      // Somebody else created it between our describe and create: just wait for it below.
      if (!(createErr instanceof ResourceInUseException)) throw createErr;
    }
  }
  await waitUntilTableExists({ client: ddb, maxWaitTime: TABLE_ACTIVE_TIMEOUT_SECONDS, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
  if (ttlAttribute) {
    await ddb.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true } })).catch((error: Error) => {
      // Enabling it twice is refused; it is on, which is what we want.
      if (!/already enabled/i.test(error.message)) throw error;
    });
  }
}

/**
 * Creates the orders, failed_orders and idempotency_keys tables unless they exist, and waits until
 * they are ACTIVE. Names default to `infra/settings.json`.
 */
export async function ensureTables(ddb: DynamoDBClient, names: TableNames = settings.tables): Promise<void> {
  await Promise.all(Object.entries(shapes(names)).map(([name, shape]) => ensureTable(ddb, name, shape)));
}
