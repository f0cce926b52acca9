// Short scenarios of `npm run chaos`, in npm test. Two fault scenarios: DynamoDB Local killed
// (SIGKILL) and restarted by the stack's supervision while orders arrive, and store-order
// invocations timing out at 30 %. One load scenario: a backlog at success rate 1 (orders offered
// faster than one fulfilment environment drains them, the last waiting in order_queue about five
// times the reconciler's threshold). Counted from DynamoDB and the sampled queue afterwards: nothing lost,
// stuck, moved twice, unarchived or failed for a reason other than its fulfilment; in the backlog
// none FAILED, re-sends within 1 % of the orders and order_queue within open orders + 1 %. The
// time bounds only catch a hang.
const { SCENARIOS, SHORT_BACKLOG, queueBound, runScenario } = require('../../chaos/scenarios.cjs') as typeof import('../../chaos/scenarios.cjs');

jest.setTimeout(900_000);

const scenario = (name: string) => {
  const found = SCENARIOS.find((s) => s.name.startsWith(name));
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
};

const bookkeeping = (row: Awaited<ReturnType<typeof runScenario>>) => ({
  lost: row.lost,
  stuck: row.stuck,
  doubleTransitions: row.doubleTransitions,
  failedNotArchived: row.failedNotArchived,
  wronglyFailed: row.wronglyFailed,
});
const CLEAN = { lost: 0, stuck: 0, doubleTransitions: 0, failedNotArchived: 0, wronglyFailed: 0 };

describe.each(['DynamoDB killed', 'store-order timing out'])('fault scenario: %s', (name) => {
  it('loses, strands, doubly moves and wrongly fails no order', async () => {
    const row = await runScenario(scenario(name), { orders: 40, concurrency: 4 });
    process.stdout.write(`chaos: ${JSON.stringify(row)}\n`);
    expect(row.accepted).toBeGreaterThan(0);
    expect(bookkeeping(row)).toEqual(CLEAN);
    expect(row.FULFILLED + row.FAILED + row.REJECTED).toBe(row.accepted);
  });
});

describe('load scenario: a short backlog at success rate 1', () => {
  it('fulfils every order, none FAILED, re-sends no more than 1 % of them, and order_queue stays within open orders + 1 %', async () => {
    const row = await runScenario(SHORT_BACKLOG);
    process.stdout.write(`chaos: ${JSON.stringify(row)}\n`);
    const load = row.load;
    if (!load) throw new Error('a load scenario row without its load figures');
    // The scenario made a backlog: most orders queued at once, and some waited three times the reconciler's 10 s.
    expect(row.maxQueueDepth).toBeGreaterThan(row.sent / 2);
    expect(load.longestWaitSeconds).toBeGreaterThan(30);
    expect(bookkeeping(row)).toEqual(CLEAN);
    expect({ accepted: row.accepted, FULFILLED: row.FULFILLED, FAILED: row.FAILED }).toEqual({ accepted: row.sent, FULFILLED: row.sent, FAILED: 0 });
    expect(row.reSent).toBeLessThanOrEqual(load.reSentAllowed);
    expect(load.bound).toMatchObject({ over: 0 });
  });
});

describe("the queue bound's bookkeeping", () => {
  const s = (depth: number | null, open: number | null, t = 0) => ({ t, depth, open });

  it('counts a surplus over open orders + 1 % that lasts three samples, by its smallest value', () => {
    // 200 orders: 2 messages allowed over the open orders.
    expect(queueBound([s(10, 10), s(12, 10), s(12, 10)], 200)).toMatchObject({ allowance: 2, over: 0 });
    expect(queueBound([s(30, 10, 1), s(25, 10, 2), s(40, 10, 3), s(12, 10, 4)], 200)).toMatchObject({ over: 13, at: { t: 1 } });
  });

  it('ignores a surplus that is gone by the next samples (a batch that just ended), and samples it could not read', () => {
    expect(queueBound([s(10, 10), s(30, 10), s(10, 10), s(30, 10), s(10, 10)], 200).over).toBe(0);
    expect(queueBound([s(30, 10), s(null, null), s(30, 10), s(30, null), s(30, 10)], 200).over).toBe(0);
  });
});
