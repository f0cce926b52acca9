import type { Logger } from './logger';

/**
 * CloudWatch Embedded Metric Format: one JSON log line that CloudWatch Logs turns into metrics,
 * with no API call and no client (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 */
export const METRICS_NAMESPACE = 'DOFS';

export type MetricUnit = 'Count' | 'Milliseconds';

/** A metric's value(s): a number, or several samples of one invocation (EMF allows up to 100). */
export interface MetricDatum {
  unit: MetricUnit;
  values: number[];
}

export interface EmfInput {
  namespace: string;
  /** Dimension name -> value; every metric of the line carries all of them. */
  dimensions: Record<string, string>;
  /** Metric name -> value (unit Count) or samples with their unit. */
  metrics: Record<string, number | MetricDatum>;
  /** Milliseconds since the epoch. */
  timestamp: number;
  /** Plain properties written beside the metrics (searchable in Logs Insights, not metrics). */
  properties?: Record<string, unknown>;
}

/** The EMF object for one line (`JSON.stringify` it). */
export function emfObject(input: EmfInput): Record<string, unknown> {
  const values: Record<string, number | number[]> = {};
  const definitions: { Name: string; Unit: MetricUnit }[] = [];
  for (const [name, metric] of Object.entries(input.metrics)) {
    if (typeof metric === 'number') {
      definitions.push({ Name: name, Unit: 'Count' });
      values[name] = metric;
    } else {
      definitions.push({ Name: name, Unit: metric.unit });
      values[name] = metric.values.length === 1 ? (metric.values[0] as number) : metric.values;
    }
  }
  return {
    ...input.properties,
    _aws: {
      Timestamp: input.timestamp,
      CloudWatchMetrics: [{ Namespace: input.namespace, Dimensions: [Object.keys(input.dimensions)], Metrics: definitions }],
    },
    ...input.dimensions,
    ...values,
  };
}

/** The most samples of one metric EMF takes in one line. */
const MAX_SAMPLES = 100;

/**
 * The metrics of one invocation, aggregated: counts add up, samples (e.g. latencies) are kept as
 * an array. `flush` writes them as one EMF line through the logger's sink (dimension `service`)
 * and starts over; it writes nothing when nothing was recorded.
 */
export class Metrics {
  private readonly data = new Map<string, MetricDatum>();

  constructor(
    private readonly logger: Pick<Logger, 'service' | 'writeLine'>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Adds `n` (default 1) to a Count metric. */
  count(name: string, n = 1): void {
    const datum = this.data.get(name);
    if (datum) datum.values[0] = (datum.values[0] ?? 0) + n;
    else this.data.set(name, { unit: 'Count', values: [n] });
  }

  /** Records one sample of a metric (the samples of an invocation are written together). */
  sample(name: string, value: number, unit: MetricUnit): void {
    const datum = this.data.get(name);
    if (!datum) this.data.set(name, { unit, values: [value] });
    else if (datum.values.length < MAX_SAMPLES) datum.values.push(value);
  }

  /** Writes the recorded metrics as one line (with `properties` beside them), if any. */
  flush(properties?: Record<string, unknown>): void {
    if (this.data.size === 0) return;
    const line = emfObject({
      namespace: METRICS_NAMESPACE,
      dimensions: { service: this.logger.service },
      metrics: Object.fromEntries(this.data),
      timestamp: this.now().getTime(),
      ...(properties ? { properties } : {}),
    });
    this.data.clear();
    this.logger.writeLine(JSON.stringify(line));
  }
}
