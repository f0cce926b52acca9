import { ConfigError, loadConfig, LOG_LEVEL_VAR, matchingString, numberInRange, oneOf, requiredString } from '../src';

const spec = {
  ordersTable: requiredString('ORDERS_TABLE', 'orders table name'),
  stateMachineArn: matchingString('STATE_MACHINE_ARN', 'a Step Functions state machine ARN', /^arn:aws[a-z-]*:states:/),
  successRate: numberInRange('FULFILLMENT_SUCCESS_RATE', 'fulfilment success probability', { min: 0, max: 1, fallback: 0.7 }),
  logLevel: LOG_LEVEL_VAR,
};

describe('loadConfig', () => {
  it('reads, trims and applies defaults', () => {
    const config = loadConfig(spec, { ORDERS_TABLE: ' orders ', STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:x' });
    expect(config).toEqual({
      ordersTable: 'orders',
      stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:x',
      successRate: 0.7,
      logLevel: 'info',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names every missing or invalid variable in one error', () => {
    let error: unknown;
    try {
      loadConfig(spec, { ORDERS_TABLE: '  ', STATE_MACHINE_ARN: 'nope', FULFILLMENT_SUCCESS_RATE: '1.5', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.variables).toEqual(['ORDERS_TABLE', 'STATE_MACHINE_ARN', 'FULFILLMENT_SUCCESS_RATE', 'LOG_LEVEL']);
    expect(configError.message).toContain('ORDERS_TABLE is required (orders table name)');
    expect(configError.message).toContain('FULFILLMENT_SUCCESS_RATE must be a number from 0 to 1');
    expect(configError.message).toContain('LOG_LEVEL must be one of debug, info, warn, error');
  });

  it('accepts the bounds and rejects non-numbers', () => {
    const rate = { rate: numberInRange('RATE', 'rate', { min: 0, max: 1, fallback: 0.5 }) };
    expect(loadConfig(rate, { RATE: '0' }).rate).toBe(0);
    expect(loadConfig(rate, { RATE: '1' }).rate).toBe(1);
    expect(() => loadConfig(rate, { RATE: 'abc' })).toThrow(/RATE must be a number/);
    expect(() => loadConfig(rate, { RATE: 'Infinity' })).toThrow(ConfigError);
  });

  it('matches words case-insensitively', () => {
    expect(loadConfig({ level: oneOf('LEVEL', 'level', ['a', 'b'], 'a') }, { LEVEL: 'B' }).level).toBe('b');
  });
});
