// The reconciler through the whole local stack: orders left behind (never started, message lost,
// re-driven too often) are written straight into DynamoDB with an old updated_at, and the
// reconcile-orders bundle, run by the stack's timer, must end each of them in a terminal status.
import { orderItem } from '@dofs/ddb-repo';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { storedOrder } from '@dofs/handler-kit/testing';
import { PUBLIC_REASONS, type OrderStatus, type StoredOrder } from '@dofs/order-domain';
import { clients, launchStack, removeDir, tempDataDir, waitForTerminal, type RunningStack } from './harness';

jest.setTimeout(180_000);

describe('local stack end to end: the reconciler', () => {
  const dataDir = tempDataDir('reconciler');
  let stack: RunningStack;
  let c: ReturnType<typeof clients>;

  beforeAll(async () => {
    stack = await launchStack(['--success-rate', '1', '--reconcile-interval', '1', '--reconcile-after', '2', '--fresh'], dataDir);
    c = clients(stack.state);
  });

  afterAll(async () => {
    c?.destroy();
    await stack?.stop();
    removeDir(dataDir);
  });

  async function leftBehind(status: OrderStatus, overrides: Partial<StoredOrder> = {}): Promise<StoredOrder> {
    const anHourAgo = new Date(Date.now() - 3600_000).toISOString();
    const order = orderItem(storedOrder({ status, received_at: anHourAgo, created_at: anHourAgo, updated_at: anHourAgo, ...overrides }));
    await c.ddb.send(new PutCommand({ TableName: stack.state.settings.tables.orders, Item: order }));
    return order;
  }

  it('starts a RECEIVED order again, re-enqueues a PENDING one, and gives up on one re-driven maxRedrives times', async () => {
    const neverStarted = await leftBehind('RECEIVED');
    const messageLost = await leftBehind('PENDING');
    const spent = await leftBehind('RETRYING', { redrives: stack.state.settings.reconciler.maxRedrives, attempts: 2 });

    const done = await waitForTerminal(c.ddb, stack.state.settings.tables.orders, [neverStarted.order_id, messageLost.order_id, spent.order_id], 90_000);

    expect(done.get(neverStarted.order_id)).toMatchObject({ status: 'FULFILLED', redrives: 1 });
    expect(done.get(messageLost.order_id)).toMatchObject({ status: 'FULFILLED', redrives: 1 });
    expect(done.get(spent.order_id)).toMatchObject({ status: 'FAILED', status_reason: PUBLIC_REASONS.NOT_PROCESSED });
    const { Item } = await c.ddb.send(new GetCommand({ TableName: stack.state.settings.tables.failedOrders, Key: { order_id: spent.order_id } }));
    expect(Item).toMatchObject({ message_id: `reconciler#${spent.order_id}` });
    // The re-driven RECEIVED order went through the workflow: validated and stored by its tasks.
    const history = (done.get(neverStarted.order_id)?.['status_history'] ?? []) as { to: string; by: string }[];
    expect(history.map((h) => `${h.to}:${h.by}`)).toEqual(['RECEIVED:api-handler', 'PENDING:store-order', 'FULFILLED:fulfill-order']);
    expect(stack.output()).toMatch(/reconcile .*given up \(FAILED\)/);
  });
});
