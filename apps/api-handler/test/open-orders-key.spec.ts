import { createDocumentClient, OrdersRepository, openShardKey } from '@dofs/ddb-repo';
import { captureLogs, lambdaContext } from '@dofs/handler-kit/testing';
import { createHandler } from '../src/handler';
import { getOrderEvent, parse, postOrder } from './helpers/events';
import { useFakeSfn } from './helpers/sfn';

// The intake side of the open-orders index (docs/design.md "open-orders"): the RECEIVED order
// api-handler stores enters the index with its shard and open_since = received_at. Real DynamoDB
// Local from the harness; Step Functions faked at the client boundary (as in api-handler.spec.ts).
const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:dofs-order-workflow';
const NOW = new Date('2026-04-01T10:00:00.000Z');

const sfn = useFakeSfn();
const logs = captureLogs();
const ddb = createDocumentClient();
const orders = new OrdersRepository({ tableName: String(process.env['ORDERS_TABLE']), writer: 'test', client: ddb });

afterAll(() => {
  ddb.destroy();
});

it('stores a new order with the open-orders key: its shard and open_since = received_at', async () => {
  const handler = createHandler({ sfn: sfn.client, env: { ...process.env, STATE_MACHINE_ARN, LOG_LEVEL: 'warn' }, logSink: logs.sink, now: () => NOW });
  const response = parse(await handler(postOrder('v2'), lambdaContext()));
  expect(response.statusCode).toBe(202);
  const orderId = String(response.body['order_id']);
  await expect(orders.get(orderId)).resolves.toMatchObject({
    status: 'RECEIVED',
    received_at: NOW.toISOString(),
    open_shard: openShardKey(orderId),
    open_since: NOW.toISOString(),
  });
  // Internal bookkeeping: GET does not show the index key.
  const read = parse(await handler(getOrderEvent('v2', orderId), lambdaContext()));
  expect(read.statusCode).toBe(200);
  expect(read.body).not.toHaveProperty('open_shard');
  expect(read.body).not.toHaveProperty('open_since');
});
