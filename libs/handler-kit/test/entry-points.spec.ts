import * as runtime from '../src';
import * as testing from '../src/testing';

describe('entry points', () => {
  it('the runtime entry (@dofs/handler-kit) exports no test helper: they are @dofs/handler-kit/testing\'s', () => {
    const helpers = Object.keys(testing);
    expect(helpers.length).toBeGreaterThan(5);
    expect(helpers.filter((name) => name in runtime)).toEqual([]);
  });
});
