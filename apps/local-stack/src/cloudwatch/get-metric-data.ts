// CloudWatch GetMetricData over the local SQS server's ApproximateAgeOfOldestMessage samples
// (QueueAgeSampler, @dofs/local-aws), with CloudWatch's semantics for what it serves:
// - a MetricStat query of namespace AWS/SQS, metric ApproximateAgeOfOldestMessage, dimension
//   QueueName, statistic Maximum, any whole Period of at least 1 s;
// - periods aligned on multiples of the period since the epoch (CloudWatch rounds StartTime down
//   to the period), StartTime inclusive, EndTime exclusive; a period's Maximum is the largest of
//   its samples, and a period without samples has no datapoint;
// - ScanBy TimestampDescending (default) or TimestampAscending; MaxDatapoints (default 100,800)
//   with NextToken and StatusCode PartialData when there are more; Label defaulting to the metric
//   name; Unit Seconds or none (another unit matches no data, as on CloudWatch); an unknown queue
//   has no data, as an unknown dimension value has none on CloudWatch.
// Anything else (math expressions, other metrics or statistics) is refused with a named error.
import { createHash } from 'node:crypto';
import type { AgeSample } from '@dofs/local-aws';

export const SERVED = {
  namespace: 'AWS/SQS',
  metricName: 'ApproximateAgeOfOldestMessage',
  dimension: 'QueueName',
  statistic: 'Maximum',
  unit: 'Seconds',
} as const;

/** CloudWatch's default and largest MaxDatapoints. */
export const DEFAULT_MAX_DATAPOINTS = 100_800;
/** CloudWatch's limit of queries per request. */
export const MAX_QUERIES = 500;
const SCAN_BY = ['TimestampDescending', 'TimestampAscending'] as const;
const UNITS = new Set([
  'Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes', 'Bits', 'Kilobits',
  'Megabits', 'Gigabits', 'Terabits', 'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second', 'Megabytes/Second',
  'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second', 'Kilobits/Second', 'Megabits/Second', 'Gigabits/Second',
  'Terabits/Second', 'Count/Second', 'None',
]);

/**
 * A CloudWatch error: `code` is the error shape (`__type`), `queryCode` the awsQueryCompatible
 * code the SDK reads from the `x-amzn-query-error` header (`InvalidParameterValue`).
 */
export class CloudWatchApiError extends Error {
  override name = 'CloudWatchApiError';
  constructor(
    readonly code: string,
    readonly queryCode: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

const invalid = (message: string) => new CloudWatchApiError('InvalidParameterValueException', 'InvalidParameterValue', message);
const missing = (name: string) => new CloudWatchApiError('MissingRequiredParameterException', 'MissingParameter', `The parameter ${name} is required.`);
const notServed = (what: string) =>
  invalid(
    `The local CloudWatch emulation serves GetMetricData of ${SERVED.namespace} ${SERVED.metricName} (dimension ${SERVED.dimension}, statistic ${SERVED.statistic}) only: ${what}`,
  );

/** Where the samples come from (QueueAgeSampler). */
export interface SampleSource {
  samples(queueName: string, fromMs: number, toMs: number): AgeSample[];
}

export interface MetricDataResult {
  Id: string;
  Label: string;
  /** Epoch seconds (the JSON protocol's timestamps). */
  Timestamps: number[];
  Values: number[];
  StatusCode: 'Complete' | 'PartialData';
}

export interface GetMetricDataOutput {
  MetricDataResults: MetricDataResult[];
  Messages: never[];
  NextToken?: string;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A JSON-protocol timestamp (epoch seconds; an ISO string is taken too) as epoch ms. */
function timestamp(value: unknown, name: string): number {
  if (value === undefined || value === null) throw missing(name);
  const ms = typeof value === 'number' ? value * 1000 : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw invalid(`The parameter ${name} must be a timestamp.`);
  return ms;
}

interface Query {
  id: string;
  label: string;
  returnData: boolean;
  queueName: string;
  periodMs: number;
  /** False when a Unit other than Seconds was asked for: such a query matches no data. */
  unitMatches: boolean;
}

function parseQuery(raw: unknown, index: number): Query {
  const where = `MetricDataQueries.member.${index + 1}`;
  if (!isObject(raw)) throw invalid(`${where} must be an object.`);
  const id = raw['Id'];
  if (typeof id !== 'string' || id === '') throw missing(`${where}.Id`);
  if (!/^[a-z][a-zA-Z0-9_]*$/.test(id) || id.length > 255) {
    throw invalid(`The value ${id} for parameter ${where}.Id is invalid: it must start with a lowercase letter and hold only letters, digits and underscores.`);
  }
  if (raw['Expression'] !== undefined) throw notServed(`query ${id} has an Expression (metric math and Metrics Insights are not emulated).`);
  const stat = raw['MetricStat'];
  if (!isObject(stat)) throw invalid(`The query ${id} needs a MetricStat or an Expression.`);
  const metric = stat['Metric'];
  if (!isObject(metric)) throw missing(`${where}.MetricStat.Metric`);
  if (metric['Namespace'] !== SERVED.namespace || metric['MetricName'] !== SERVED.metricName) {
    throw notServed(`query ${id} asks for ${String(metric['Namespace'])} ${String(metric['MetricName'])}.`);
  }
  const dimensions = metric['Dimensions'];
  const [dimension, ...more] = Array.isArray(dimensions) ? (dimensions as unknown[]) : [];
  if (!isObject(dimension) || more.length > 0 || dimension['Name'] !== SERVED.dimension || typeof dimension['Value'] !== 'string') {
    throw notServed(`query ${id} must name exactly one dimension, ${SERVED.dimension}.`);
  }
  const period = stat['Period'];
  if (period === undefined) throw missing(`${where}.MetricStat.Period`);
  if (typeof period !== 'number' || !Number.isInteger(period) || period < 1) {
    throw invalid(`The parameter ${where}.MetricStat.Period must be a whole number of seconds, at least 1.`);
  }
  if (stat['Stat'] === undefined) throw missing(`${where}.MetricStat.Stat`);
  if (stat['Stat'] !== SERVED.statistic) throw notServed(`query ${id} asks for the statistic ${String(stat['Stat'])}.`);
  const unit = stat['Unit'];
  if (unit !== undefined && (typeof unit !== 'string' || !UNITS.has(unit))) throw invalid(`The value ${String(unit)} for parameter ${where}.MetricStat.Unit is not a unit.`);
  const label = raw['Label'];
  return {
    id,
    label: typeof label === 'string' ? label : SERVED.metricName,
    returnData: raw['ReturnData'] !== false,
    queueName: dimension['Value'] as string,
    periodMs: period * 1000,
    unitMatches: unit === undefined || unit === SERVED.unit,
  };
}

/** The datapoints of one query, [bucket start ms, Maximum], oldest first. */
function datapoints(query: Query, startMs: number, endMs: number, source: SampleSource): Array<[number, number]> {
  if (!query.unitMatches) return [];
  const p = query.periodMs;
  const first = Math.floor(startMs / p) * p;
  const last = first + Math.floor((endMs - 1 - first) / p) * p;
  const max = new Map<number, number>();
  for (const sample of source.samples(query.queueName, first, last + p)) {
    const bucket = Math.floor(sample.at / p) * p;
    max.set(bucket, Math.max(max.get(bucket) ?? -Infinity, sample.seconds));
  }
  return [...max.entries()].sort((a, b) => a[0] - b[0]);
}

function fingerprint(input: Json): string {
  const rest = { ...input };
  delete rest['NextToken'];
  return createHash('sha256').update(JSON.stringify(rest)).digest('base64url').slice(0, 16);
}

function readToken(token: unknown, print: string): number {
  if (token === undefined) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as { o?: unknown; f?: unknown };
    if (parsed.f === print && typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0) return parsed.o;
  } catch {
    /* refused below */
  }
  throw new CloudWatchApiError('InvalidNextToken', 'InvalidNextToken', 'The service returned an error indicating the NextToken is not valid for this request.');
}

/** Answers one GetMetricData request (its JSON body, parsed). */
export function getMetricData(input: unknown, source: SampleSource): GetMetricDataOutput {
  if (!isObject(input)) throw invalid('The request body must be a JSON object.');
  const rawQueries = input['MetricDataQueries'];
  if (!Array.isArray(rawQueries) || rawQueries.length === 0) throw missing('MetricDataQueries');
  if (rawQueries.length > MAX_QUERIES) throw invalid(`The collection MetricDataQueries must not have more than ${MAX_QUERIES} members.`);
  const queries = rawQueries.map(parseQuery);
  const duplicate = queries.find((q, i) => queries.findIndex((other) => other.id === q.id) !== i);
  if (duplicate) throw invalid(`The value ${duplicate.id} for parameter MetricDataQueries.Id is used more than once.`);
  const startMs = timestamp(input['StartTime'], 'StartTime');
  const endMs = timestamp(input['EndTime'], 'EndTime');
  if (startMs >= endMs) throw invalid('The parameter StartTime must be less than the parameter EndTime.');
  const scanBy = input['ScanBy'] ?? 'TimestampDescending';
  if (!(SCAN_BY as readonly unknown[]).includes(scanBy)) throw invalid(`The value ${String(scanBy)} for parameter ScanBy is invalid: ${SCAN_BY.join(' or ')}.`);
  const maxDatapoints = input['MaxDatapoints'] ?? DEFAULT_MAX_DATAPOINTS;
  if (typeof maxDatapoints !== 'number' || !Number.isInteger(maxDatapoints) || maxDatapoints < 1) {
    throw invalid('The parameter MaxDatapoints must be a positive whole number.');
  }
  const print = fingerprint(input);
  const offset = readToken(input['NextToken'], print);

  // Datapoints of all returned queries in one sequence, paged by MaxDatapoints.
  let position = 0;
  let more = false;
  const results = queries
    .filter((q) => q.returnData)
    .map((query): MetricDataResult => {
      const points = datapoints(query, startMs, endMs, source);
      if (scanBy === 'TimestampDescending') points.reverse();
      const from = Math.max(0, offset - position);
      const to = Math.max(from, Math.min(points.length, offset + maxDatapoints - position));
      position += points.length;
      const page = points.slice(from, to);
      const partial = to < points.length;
      more ||= partial;
      return {
        Id: query.id,
        Label: query.label,
        Timestamps: page.map(([at]) => at / 1000),
        Values: page.map(([, value]) => value),
        StatusCode: partial ? 'PartialData' : 'Complete',
      };
    });
  const output: GetMetricDataOutput = { MetricDataResults: results, Messages: [] };
  if (more) output.NextToken = Buffer.from(JSON.stringify({ o: offset + maxDatapoints, f: print })).toString('base64url');
  return output;
}
