import { emfObject, Logger, Metrics } from '../src';
import { captureLogs } from '../src/testing';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');

function setup() {
  const logs = captureLogs();
  const logger = new Logger({ service: 'some-service', level: 'error', sink: logs.sink });
  return { logs, metrics: new Metrics(logger, () => new Date(T0)) };
}

describe('emfObject', () => {
  it('describes every metric with its unit and writes the values beside the dimensions', () => {
    expect(
      emfObject({
        namespace: 'DOFS',
        dimensions: { service: 's' },
        metrics: { A: 2, B: { unit: 'Milliseconds', values: [5] }, C: { unit: 'Milliseconds', values: [1, 2] } },
        timestamp: T0,
        properties: { message: 'm' },
      }),
    ).toEqual({
      message: 'm',
      _aws: {
        Timestamp: T0,
        CloudWatchMetrics: [
          {
            Namespace: 'DOFS',
            Dimensions: [['service']],
            Metrics: [
              { Name: 'A', Unit: 'Count' },
              { Name: 'B', Unit: 'Milliseconds' },
              { Name: 'C', Unit: 'Milliseconds' },
            ],
          },
        ],
      },
      service: 's',
      A: 2,
      B: 5,
      C: [1, 2],
    });
  });
});

describe('Metrics', () => {
  it('adds up counts and keeps samples, and flushes them as one line through the logger sink whatever its level', () => {
    const { logs, metrics } = setup();
    metrics.count('Things');
    metrics.count('Things', 2);
    metrics.sample('LatencyMs', 10, 'Milliseconds');
    metrics.sample('LatencyMs', 30, 'Milliseconds');
    metrics.flush();
    expect(logs.lines()).toEqual([
      {
        _aws: {
          Timestamp: T0,
          CloudWatchMetrics: [
            {
              Namespace: 'DOFS',
              Dimensions: [['service']],
              Metrics: [
                { Name: 'Things', Unit: 'Count' },
                { Name: 'LatencyMs', Unit: 'Milliseconds' },
              ],
            },
          ],
        },
        service: 'some-service',
        Things: 3,
        LatencyMs: [10, 30],
      },
    ]);
  });

  it('writes nothing when nothing was recorded, and starts over after a flush', () => {
    const { logs, metrics } = setup();
    metrics.flush();
    expect(logs.lines()).toEqual([]);
    metrics.count('Things');
    metrics.flush();
    metrics.flush();
    expect(logs.lines()).toHaveLength(1);
  });

  it('keeps at most 100 samples of one metric per line', () => {
    const { logs, metrics } = setup();
    for (let i = 0; i < 150; i += 1) metrics.sample('LatencyMs', i, 'Milliseconds');
    metrics.flush();
    expect(logs.lines()[0]?.['LatencyMs']).toHaveLength(100);
  });
});
