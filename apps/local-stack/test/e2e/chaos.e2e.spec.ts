// Two short fault scenarios of `npm run chaos`, in npm test: DynamoDB Local killed (SIGKILL) and
// restarted by the stack's supervision while orders arrive, and store-order invocations timing out
// at 30 %. Counted from DynamoDB afterwards: nothing lost, stuck, moved twice, unarchived or
// failed for a reason other than its fulfilment. The time bounds only catch a hang.
const { SCENARIOS, runScenario } = require('../../chaos/scenarios.cjs') as typeof import('../../chaos/scenarios.cjs');

jest.setTimeout(900_000);

const scenario = (name: string) => {
  const found = SCENARIOS.find((s) => s.name.startsWith(name));
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
};

describe.each(['DynamoDB killed', 'store-order timing out'])('fault scenario: %s', (name) => {
  it('loses, strands, doubly moves and wrongly fails no order', async () => {
    const row = await runScenario(scenario(name), { orders: 40, concurrency: 4 });
    process.stdout.write(`chaos: ${JSON.stringify(row)}\n`);
    expect(row.accepted).toBeGreaterThan(0);
    expect({ lost: row.lost, stuck: row.stuck, doubleTransitions: row.doubleTransitions, failedNotArchived: row.failedNotArchived, wronglyFailed: row.wronglyFailed }).toEqual({
      lost: 0,
      stuck: 0,
      doubleTransitions: 0,
      failedNotArchived: 0,
      wronglyFailed: 0,
    });
    expect(row.FULFILLED + row.FAILED + row.REJECTED).toBe(row.accepted);
  });
});
