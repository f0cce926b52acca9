/**
 * CloudWatch Embedded Metric Format: one JSON log line that CloudWatch Logs turns into metrics,
 * with no API call and no client (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 */
export const METRICS_NAMESPACE = 'DOFS';

export interface EmfInput {
  namespace: string;
  /** Dimension name -> value; every metric of the line carries all of them. */
  dimensions: Record<string, string>;
  /** Metric name -> value, all with unit Count. */
  metrics: Record<string, number>;
  /** Milliseconds since the epoch. */
  timestamp: number;
  /** Plain properties written beside the metrics (searchable in Logs Insights, not metrics). */
  properties?: Record<string, unknown>;
}

/** The EMF object for one line (`JSON.stringify` it). */
export function emfObject(input: EmfInput): Record<string, unknown> {
  return {
    ...input.properties,
    _aws: {
      Timestamp: input.timestamp,
      CloudWatchMetrics: [
        {
          Namespace: input.namespace,
          Dimensions: [Object.keys(input.dimensions)],
          Metrics: Object.keys(input.metrics).map((name) => ({ Name: name, Unit: 'Count' })),
        },
      ],
    },
    ...input.dimensions,
    ...input.metrics,
  };
}
