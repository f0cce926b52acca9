import { parseCli, USAGE, UsageError } from '../src/cli';

describe('command line', () => {
  it('has the documented defaults', () => {
    expect(parseCli([], {})).toMatchObject({
      fresh: false,
      quiet: false,
      verbose: false,
      help: false,
      port: undefined,
      successRate: undefined,
    });
  });

  it('has no gateway body validation option (HTTP APIs validate no body)', () => {
    expect(USAGE).not.toContain('--gateway-body-validation');
    expect(() => parseCli(['--gateway-body-validation'], {})).toThrow(UsageError);
  });

  it('reads every option', () => {
    expect(
      parseCli(
        ['--fresh', '--port', '0', '--success-rate', '0.7', '--visibility-timeout', '2', '--data-dir', '/tmp/x', '--quiet', '--log-level', 'debug', '--sqs-port', '9999', '--cloudwatch-port', '4599'],
        {},
      ),
    ).toMatchObject({ fresh: true, port: 0, successRate: 0.7, visibilityTimeoutSeconds: 2, dataDir: '/tmp/x', quiet: true, logLevel: 'debug', sqsPort: 9999, cloudwatchPort: 4599 });
  });

  it('gives the handlers the deployed LOG_LEVEL (warn) unless --verbose, which shows info lines, or --log-level says otherwise', () => {
    expect(parseCli([], {}).logLevel).toBe('warn');
    expect(parseCli(['--verbose'], {}).logLevel).toBe('info');
    expect(parseCli(['--verbose', '--log-level', 'debug'], {}).logLevel).toBe('debug');
    expect(parseCli(['--log-level', 'info'], {}).logLevel).toBe('info');
  });

  it('authorizes every route by default; --no-auth opens the API (and is documented)', () => {
    expect(parseCli([], {}).auth).toBe(true);
    expect(parseCli(['--no-auth'], {}).auth).toBe(false);
    expect(USAGE).toContain('--no-auth');
    expect(() => parseCli(['--no-auth=yes'], {})).toThrow(UsageError);
  });

  it('takes the API port from PORT unless --port is given', () => {
    expect(parseCli([], { PORT: '4000' }).port).toBe(4000);
    expect(parseCli(['--port', '5000'], { PORT: '4000' }).port).toBe(5000);
  });

  it.each([
    [['--success-rate', '1.5']],
    [['--success-rate', 'x']],
    [['--port', '70000']],
    [['--visibility-timeout', '-1']],
    [['--log-level', 'loud']],
    [['--unknown']],
  ])('rejects %j with a usage error', (args) => {
    expect(() => parseCli(args, {})).toThrow(UsageError);
  });

  it('reads --reconcile-interval and --reconcile-after (and documents both)', () => {
    expect(parseCli(['--reconcile-interval', '2', '--reconcile-after', '5'], {})).toMatchObject({ reconcileIntervalSeconds: 2, reconcileAfterSeconds: 5 });
    expect(parseCli([], {})).toMatchObject({ reconcileIntervalSeconds: undefined, reconcileAfterSeconds: undefined });
    expect(USAGE).toContain('--reconcile-interval <s>');
    expect(USAGE).toContain('--reconcile-after <s>');
    expect(() => parseCli(['--reconcile-interval', '0'], {})).toThrow(UsageError);
    expect(() => parseCli(['--reconcile-after', 'soon'], {})).toThrow(UsageError);
  });
});
