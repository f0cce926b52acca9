// The list a start-up keeps of what it started (services/started.ts): what stops the stack.
import { Started, type Running } from '../src/services/started';

function service(name: string, stopped: string[], fail?: Error): Running {
  return {
    stop: async () => {
      stopped.push(name);
      if (fail) throw fail;
    },
  };
}

describe('Started', () => {
  it('stops what was started last first, and each only once', async () => {
    const stopped: string[] = [];
    const running = new Started();
    const [a, , c] = ['a', 'b', 'c', 'd'].map((name) => running.add(name, service(name, stopped)));
    expect(await running.stop(c as Running, a as Running)).toEqual([]);
    expect(await running.stopAll()).toEqual([]);
    expect(await running.stopAll()).toEqual([]);
    expect(stopped).toEqual(['c', 'a', 'd', 'b']);
  });

  it('goes on stopping the rest when one fails, and returns that failure by name', async () => {
    const stopped: string[] = [];
    const running = new Started();
    running.add('DynamoDB Local', service('DynamoDB Local', stopped));
    running.add('SQS', service('SQS', stopped, new Error('socket hang up')));
    running.add('API gateway', service('API gateway', stopped));
    const errors = await running.stopAll();
    expect(stopped).toEqual(['API gateway', 'SQS', 'DynamoDB Local']);
    expect(errors.map((e) => e.message)).toEqual(['stopping SQS: socket hang up']);
  });

  it('refuses to stop something it did not start', async () => {
    const running = new Started();
    await expect(running.stop({ stop: () => undefined })).rejects.toThrow('did not add');
  });
});
