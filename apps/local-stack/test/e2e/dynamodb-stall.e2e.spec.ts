// DynamoDB Local frozen (SIGSTOP of its JVM) for 30 s while orders keep arriving, at success rate 1:
// every accepted order must end FULFILLED, none FAILED, none left behind. Requests refused during
// the stall (503) were never accepted, so they are not counted; the accepted ones must all get
// through: SDK timeouts turn the stall into retryable errors, the workflow retries them for longer
// than the stall, and fulfilment retries through SQS redelivery.
import { clients, freezeFor, launchStack, postOrder, removeDir, SAMPLE_ORDER, tempDataDir, waitForTerminal, type RunningStack } from './harness';

// Bounds catch a hang only: several times what a loaded 2-core machine needs.
jest.setTimeout(720_000);

const FREEZE_MS = 30_000;
const ORDERS_BEFORE_FREEZE = 40;
const ORDERS_IN_ALL = 120;
const SENDERS = 8;

describe('local stack with DynamoDB Local frozen for 30 s, success rate 1', () => {
  const dataDir = tempDataDir('stall');
  let stack: RunningStack;
  let c: ReturnType<typeof clients>;

  beforeAll(async () => {
    stack = await launchStack(['--success-rate', '1', '--fresh', '--quiet'], dataDir);
    c = clients(stack.state);
  });

  afterAll(async () => {
    c?.destroy();
    await stack?.stop();
    removeDir(dataDir);
  });

  it('fulfils every order it accepted, fails none and leaves none stuck', async () => {
    const accepted: string[] = [];
    const statuses = new Map<number, number>();
    let freezing: Promise<void> | undefined;
    let frozenDone = false;
    let sent = 0;
    // Senders post until enough orders are accepted after the freeze; bounded by a request count.
    const sender = async () => {
      while (!(frozenDone && accepted.length >= ORDERS_IN_ALL) && sent < 20 * ORDERS_IN_ALL) {
        sent += 1;
        const response = await postOrder(stack.state.apiUrl, { ...SAMPLE_ORDER, customer_id: `c-stall-${sent}` });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status === 202) accepted.push(response.body.order_id);
        else expect(response.status).toBe(503);
        if (!freezing && accepted.length >= ORDERS_BEFORE_FREEZE) {
          freezing = freezeFor(stack.state.dynamodbPid, FREEZE_MS).then(() => {
            frozenDone = true;
          });
        }
        if (freezing && !frozenDone && accepted.length >= ORDERS_IN_ALL) await freezing;
      }
    };
    await Promise.all(Array.from({ length: SENDERS }, sender));
    await freezing;
    expect(frozenDone).toBe(true);
    expect(accepted.length).toBeGreaterThanOrEqual(ORDERS_IN_ALL);

    const done = await waitForTerminal(c.ddb, stack.state.settings.tables.orders, accepted, 480_000);
    const byStatus: Record<string, number> = {};
    for (const order of done.values()) byStatus[String(order['status'])] = (byStatus[String(order['status'])] ?? 0) + 1;
    process.stdout.write(`stall: sent ${sent}, answers ${JSON.stringify(Object.fromEntries(statuses))}, accepted ${accepted.length}, terminal ${JSON.stringify(byStatus)}\n`);
    expect(byStatus).toEqual({ FULFILLED: accepted.length });
  });
});
