// Success rate 0.7 over 200 orders: each attempt succeeds independently with p = 0.7, so an order
// ends FULFILLED with probability 1 - 0.3^maxReceiveCount. The observed share must lie within
// 4 standard deviations of that (a false alarm about once in 16,000 runs). The time bounds only
// catch a hang: they are several times what a loaded 2-core machine needs.
import { settings } from '@dofs/local-aws';
import { clients, launchStack, postMany, removeDir, scanAll, tempDataDir, waitForTerminal, type RunningStack } from './harness';
import { must } from '../helpers';

jest.setTimeout(720_000);

const ORDERS = 200;
const SUCCESS_RATE = 0.7;

describe('local stack end to end, success rate 0.7', () => {
  const dataDir = tempDataDir('stats');
  let stack: RunningStack;
  let c: ReturnType<typeof clients>;

  beforeAll(async () => {
    stack = await launchStack(['--success-rate', String(SUCCESS_RATE), '--visibility-timeout', '3', '--quiet'], dataDir);
    c = clients(stack.state);
  });

  afterAll(async () => {
    c?.destroy();
    await stack?.stop();
    removeDir(dataDir);
  });

  it(`fulfils a share of ${ORDERS} orders consistent with 1 - (1 - p)^maxReceiveCount`, async () => {
    const maxReceiveCount = settings.queues.maxReceiveCount;
    const ids = await postMany(stack.state.apiUrl, ORDERS, 16);
    const done = await waitForTerminal(c.ddb, stack.state.settings.tables.orders, ids, 600_000);
    const orders = ids.map((id) => must(done.get(id), id));

    const expected = 1 - (1 - SUCCESS_RATE) ** maxReceiveCount;
    const sigma = Math.sqrt((expected * (1 - expected)) / ORDERS);
    const fulfilled = orders.filter((o) => o['status'] === 'FULFILLED');
    const failed = orders.filter((o) => o['status'] === 'FAILED');
    const share = fulfilled.length / ORDERS;
    expect(fulfilled.length + failed.length).toBe(ORDERS);
    expect(Math.abs(share - expected)).toBeLessThanOrEqual(4 * sigma);

    // Every failed order used all its attempts and is in failed_orders; fulfilled ones used 1..max.
    for (const order of failed) expect(order['attempts']).toBe(maxReceiveCount);
    for (const order of fulfilled) {
      expect(order['attempts']).toBeGreaterThanOrEqual(1);
      expect(order['attempts']).toBeLessThanOrEqual(maxReceiveCount);
    }
    const failedIds = new Set((await scanAll(c.ddb, stack.state.settings.tables.failedOrders)).map((f) => f['order_id'] as string));
    for (const order of failed) expect(failedIds.has(order['order_id'] as string)).toBe(true);

    // The attempt counts themselves follow the geometric distribution: about p of the fulfilled
    // orders succeed at the first attempt (binomial, 4 sigma).
    const firstTry = fulfilled.filter((o) => o['attempts'] === 1).length;
    const pFirst = SUCCESS_RATE / expected;
    const sigmaFirst = Math.sqrt((pFirst * (1 - pFirst)) / fulfilled.length);
    expect(Math.abs(firstTry / fulfilled.length - pFirst)).toBeLessThanOrEqual(4 * sigmaFirst);
  });
});
