import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, FailedOrdersRepository, OrdersRepository } from '@dofs/ddb-repo';
import type { Target } from './target';

/** Who the CLI's writes name in `status_history` and `failed_orders` (`by`). */
export const WRITER = 'dofs-cli';

/** Timeouts for a person waiting at a prompt: fail within seconds when an endpoint is down, rather than hang. */
const CLIENT_TIMEOUTS = { maxAttempts: 3, requestHandler: { connectionTimeout: 2000, requestTimeout: 10_000, throwOnRequestTimeout: true } };

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export interface Context extends Output {
  target: Target;
  json: boolean;
  now: () => Date;
  ddb: DynamoDBDocumentClient;
  orders: OrdersRepository;
  failed: FailedOrdersRepository;
  sqs(): SQSClient;
  close(): void;
}

export function createContext(target: Target, output: Output, opts: { json: boolean; now?: () => Date }): Context {
  const ddb = createDocumentClient(new DynamoDBClient({ ...CLIENT_TIMEOUTS, ...target.dynamodb }));
  let sqs: SQSClient | undefined;
  return {
    ...output,
    target,
    json: opts.json,
    now: opts.now ?? (() => new Date()),
    ddb,
    orders: new OrdersRepository({ tableName: target.ordersTable, writer: WRITER, client: ddb }),
    failed: new FailedOrdersRepository({ failedOrdersTable: target.failedOrdersTable, ordersTable: target.ordersTable, writer: WRITER, client: ddb }),
    sqs: () => (sqs ??= new SQSClient({ ...CLIENT_TIMEOUTS, ...target.sqs })),
    close: () => {
      ddb.destroy();
      sqs?.destroy();
    },
  };
}
