import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, OrderIntake, OrdersRepository } from '@dofs/ddb-repo';
import { SDK_BUDGETS, worstCaseMs } from '@dofs/handler-kit';
import { captureLogs, lambdaContext, sampleOrder } from '@dofs/handler-kit/testing';
import { idempotencyKeyHash } from '@dofs/order-domain';
import { settings } from '@dofs/local-aws';
import { MARGIN_MS, worstCaseOfPostMs } from '../src/create-order';
import { createHandler } from '../src/handler';
import { parse, postOrder } from './helpers/events';
import { useFakeSfn } from './helpers/sfn';

// What a client is told when the commit point (the idempotency key's put) fails, against DynamoDB
// Local. The failure itself is injected at the client, in the SDK's middleware stack, because no
// local server fails one PutItem on demand: either the put never reaches DynamoDB, or it is applied
// and its answer lost (the client sees a timeout). Every other call is real.
const ORDERS_TABLE = String(process.env['ORDERS_TABLE']);
const IDEMPOTENCY_TABLE = String(process.env['IDEMPOTENCY_TABLE']);
const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:dofs-order-workflow';
const logs = captureLogs();
const reader = createDocumentClient();
const orders = new OrdersRepository({ tableName: ORDERS_TABLE, writer: 'test', client: reader });
const sfn = useFakeSfn();

afterAll(() => {
  reader.destroy();
});
beforeEach(() => {
  logs.clear();
});

type KeyPutFault = 'lost' | 'applied-then-timeout';

/** A handler whose DynamoDB client fails the idempotency key's PutItem as `fault` says (every other call goes through). */
function handlerWithKeyPutFault(fault: KeyPutFault) {
  const client = new DynamoDBClient({ maxAttempts: 1 });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { TableName?: string };
      if (context.commandName === 'PutItemCommand' && input.TableName === IDEMPOTENCY_TABLE) {
        if (fault === 'applied-then-timeout') await next(args);
        throw Object.assign(new Error('Connection timed out after 2000 ms'), { name: 'TimeoutError', $metadata: {} });
      }
      return next(args);
    },
    { step: 'initialize', name: 'injectKeyPutFault' },
  );
  const ddb = createDocumentClient(client);
  const env = { ...process.env, STATE_MACHINE_ARN, LOG_LEVEL: 'info' };
  const intake = new OrderIntake({ ordersTable: ORDERS_TABLE, idempotencyTable: IDEMPOTENCY_TABLE, windowSeconds: 3600, client: ddb });
  return { handler: createHandler({ sfn: sfn.client, intake, orders, env, logSink: logs.sink }), close: () => client.destroy() };
}

async function keyRecord(customerId: string, key: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await reader.send(new GetCommand({ TableName: IDEMPOTENCY_TABLE, Key: { idempotency_id: idempotencyKeyHash(customerId, key) }, ConsistentRead: true }));
  return Item;
}

/** Orders of a customer, by scan: test assertions only (the table holds test data alone). */
async function ordersOf(customerId: string): Promise<unknown[]> {
  const { Items } = await reader.send(new ScanCommand({ TableName: ORDERS_TABLE, FilterExpression: 'customer_id = :c', ExpressionAttributeValues: { ':c': customerId }, ConsistentRead: true }));
  return Items ?? [];
}

describe('a key put that fails: the answer is true to what will happen', () => {
  it('answers 503 and removes its own tentative order when the key put never landed: nothing will be processed', async () => {
    const { handler, close } = handlerWithKeyPutFault('lost');
    const body = sampleOrder({ customer_id: `c-lost-${Date.now()}` });
    const response = parse(await handler(postOrder('v2', body, { 'Idempotency-Key': 'k-lost' }), lambdaContext()));
    close();

    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.body.error?.code).toBe('SERVICE_UNAVAILABLE');
    await expect(keyRecord(body.customer_id, 'k-lost')).resolves.toBeUndefined();
    // The order the intake wrote first is gone again, and no workflow was started for it.
    await expect(ordersOf(body.customer_id)).resolves.toEqual([]);
    expect(sfn.server.calls).toEqual([]);
  });

  it('answers 202 when the key put landed although its answer was lost: the order is committed and started', async () => {
    const { handler, close } = handlerWithKeyPutFault('applied-then-timeout');
    const body = sampleOrder({ customer_id: `c-landed-${Date.now()}` });
    const response = parse(await handler(postOrder('v2', body, { 'Idempotency-Key': 'k-landed' }), lambdaContext()));
    close();

    expect(response.statusCode).toBe(202);
    const orderId = String(response.body['order_id']);
    await expect(keyRecord(body.customer_id, 'k-landed')).resolves.toMatchObject({ order_id: orderId });
    await expect(orders.get(orderId)).resolves.toMatchObject({ status: 'RECEIVED' });
    expect(sfn.server.calls.map((c) => c.body['name'])).toEqual([orderId]);
  });
});

describe('the time of a POST', () => {
  const timeoutMs = settings.functions['api-handler'].timeoutSeconds * 1000;
  const calls = { dynamodbMs: worstCaseMs(SDK_BUDGETS.dynamodb), sfnMs: worstCaseMs(SDK_BUDGETS.sfn) };

  it('answers before the function times out, with a margin, even when every call takes its worst case', () => {
    expect(worstCaseOfPostMs(timeoutMs, calls)).toBeLessThanOrEqual(timeoutMs - MARGIN_MS);
  });

  it('would not without its phases: the calls in a row take longer than the function may', () => {
    // Order put, key put, StartExecution, mark: what the intake did before it cut calls at its deadline.
    expect(worstCaseOfPostMs(timeoutMs, calls, false)).toBeGreaterThan(timeoutMs);
  });
});
