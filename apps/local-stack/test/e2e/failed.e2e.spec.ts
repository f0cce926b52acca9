// Success rate 0: every order is attempted exactly maxReceiveCount times, dead-lettered, recorded in
// failed_orders and ends FAILED.
import { settings } from '@dofs/local-aws';
import {
  authHeaders,
  clients,
  launchStack,
  postMany,
  removeDir,
  scanAll,
  tempDataDir,
  waitForTerminal,
  type RunningStack,
} from './harness';

// Bounds catch a hang only: several times what a loaded 2-core machine needs.
jest.setTimeout(480_000);

describe('local stack end to end, success rate 0', () => {
  const dataDir = tempDataDir('failed');
  let stack: RunningStack;
  let c: ReturnType<typeof clients>;

  beforeAll(async () => {
    stack = await launchStack(['--success-rate', '0', '--visibility-timeout', '3', '--workflow-type', 'STANDARD', '--quiet'], dataDir);
    c = clients(stack.state);
  });

  afterAll(async () => {
    c?.destroy();
    await stack?.stop();
    removeDir(dataDir);
  });

  it('ends every order FAILED after exactly maxReceiveCount attempts, with a failed_orders record', async () => {
    const maxReceiveCount = settings.queues.maxReceiveCount;
    const ids = await postMany(stack.state.apiUrl, 20, 8);
    const done = await waitForTerminal(c.ddb, stack.state.settings.tables.orders, ids, 300_000);
    for (const id of ids) {
      const order = done.get(id);
      expect({ id, status: order?.['status'], attempts: order?.['attempts'] }).toEqual({ id, status: 'FAILED', attempts: maxReceiveCount });
    }
    const failed = await scanAll(c.ddb, stack.state.settings.tables.failedOrders);
    const failedIds = new Set(failed.map((f) => f['order_id'] as string));
    for (const id of ids) expect({ id, inFailedOrders: failedIds.has(id) }).toEqual({ id, inFailedOrders: true });
    // The client sees a public reason, never the raw one.
    const viaApi = await (await fetch(`${stack.state.apiUrl}/orders/${ids[0]}`, { headers: authHeaders(stack.state.apiUrl) })).json();
    expect(viaApi).toMatchObject({ status: 'FAILED', status_reason: { code: 'FULFILMENT_FAILED' } });
    expect(viaApi).not.toHaveProperty('failure_reason');
  });
});
