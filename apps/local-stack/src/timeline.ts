// The local dashboard's last 15 minutes: counts per 10 s taken from the Embedded Metric Format
// lines the functions write (the very lines CloudWatch turns into the deployed dashboard's
// metrics), and queue depths read at the end of every 10 s. A ring buffer in memory, lost on
// restart; nothing here reads a table.

/** The counted series, and the EMF metrics (of namespace DOFS, dimension service) each one adds up. */
export const COUNT_SERIES = {
  accepted: [['api-handler', 'OrdersAccepted']],
  fulfilled: [['fulfill-order', 'OrdersFulfilled']],
  failed: [
    ['dlq-handler', 'OrdersFailed'],
    ['reconcile-orders', 'GaveUp'],
  ],
  resent: [
    ['reconcile-orders', 'Redriven'],
    ['reconcile-orders', 'Requeued'],
  ],
  awaitingQueue: [['reconcile-orders', 'AwaitingQueue']],
} as const satisfies Record<string, ReadonlyArray<readonly [service: string, metric: string]>>;

export type CountSeries = keyof typeof COUNT_SERIES;
const SERIES_NAMES = Object.keys(COUNT_SERIES) as CountSeries[];
const NAMESPACE = 'DOFS';

/** `service metric` -> the series it adds to. */
const SERIES_OF = new Map<string, CountSeries>(
  SERIES_NAMES.flatMap((series) => COUNT_SERIES[series].map(([service, metric]) => [`${service} ${metric}`, series] as const)),
);

export const TIMELINE_PERIOD_SECONDS = 10;
export const TIMELINE_WINDOW_SECONDS = 15 * 60;

export interface TimelineOptions {
  periodSeconds?: number;
  windowSeconds?: number;
  /** Milliseconds since the epoch (tests pass their own clock). */
  now?: () => number;
}

/** What /_dashboard/data answers: one value per bucket, oldest first, complete buckets only. */
export interface TimelineData {
  periodSeconds: number;
  windowSeconds: number;
  /** Start of the first bucket (ISO). Bucket i starts `i * periodSeconds` later. */
  start: string;
  /** End of the last bucket (ISO): the latest complete period. */
  end: string;
  counts: Record<CountSeries, number[]>;
  /** Queue name -> messages it held (waiting, in flight and delayed) at the end of each bucket; null where none was read. */
  depths: Record<string, Array<number | null>>;
  /** Why the latest depth read failed (null after a read that worked). */
  depthError: string | null;
}

interface Bucket {
  /** floor(time / period): which period this slot holds now. */
  index: number;
  counts: Record<CountSeries, number>;
  depths?: Record<string, number>;
}

const zeroCounts = (): Record<CountSeries, number> => Object.fromEntries(SERIES_NAMES.map((s) => [s, 0])) as Record<CountSeries, number>;

export class Timeline {
  readonly periodMs: number;
  readonly windowBuckets: number;
  private readonly now: () => number;
  /** The bucket the timeline started in: nothing is shown before it. */
  private readonly firstIndex: number;
  /** windowBuckets complete ones plus the one filling now. */
  private readonly slots: Array<Bucket | undefined>;
  private readonly queueNames: string[] = [];
  private depthError: string | null = null;

  constructor(options: TimelineOptions = {}) {
    const period = options.periodSeconds ?? TIMELINE_PERIOD_SECONDS;
    this.periodMs = period * 1000;
    this.windowBuckets = Math.ceil((options.windowSeconds ?? TIMELINE_WINDOW_SECONDS) / period);
    this.now = options.now ?? Date.now;
    this.firstIndex = this.indexOf(this.now());
    this.slots = new Array<Bucket | undefined>(this.windowBuckets + 1);
  }

  private indexOf(ms: number): number {
    return Math.floor(ms / this.periodMs);
  }

  /** The slot of bucket `index`, emptied first if it still holds an older one. */
  private bucket(index: number): Bucket {
    const at = index % this.slots.length;
    let slot = this.slots[at];
    if (!slot || slot.index !== index) {
      slot = { index, counts: zeroCounts() };
      this.slots[at] = slot;
    }
    return slot;
  }

  private inWindow(index: number): boolean {
    return index >= this.firstIndex && index > this.indexOf(this.now()) - this.slots.length;
  }

  /** Adds `n` to a series in the bucket holding `atMs`; a time outside the window is dropped. */
  add(series: CountSeries, atMs: number, n: number): void {
    const index = this.indexOf(atMs);
    if (n > 0 && this.inWindow(index)) this.bucket(index).counts[series] += n;
  }

  /**
   * A line a function wrote. Only a DOFS Embedded Metric Format line with a metric of a series
   * counts, in the bucket of its own timestamp, as CloudWatch bins it. The substring test keeps
   * the cost of every other line (handler logs with --verbose) to one scan.
   */
  ingestLogLine(line: string): void {
    if (!line.includes('"_aws"')) return;
    let emf: Record<string, unknown>;
    try {
      emf = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const aws = emf['_aws'] as { Timestamp?: unknown; CloudWatchMetrics?: Array<{ Namespace?: unknown; Metrics?: Array<{ Name?: unknown }> }> } | undefined;
    const service = emf['service'];
    if (typeof aws?.Timestamp !== 'number' || typeof service !== 'string') return;
    for (const directive of aws.CloudWatchMetrics ?? []) {
      if (directive.Namespace !== NAMESPACE) continue;
      for (const { Name } of directive.Metrics ?? []) {
        const series = SERIES_OF.get(`${service} ${String(Name)}`);
        if (!series) continue;
        const value = emf[String(Name)];
        const n = Array.isArray(value) ? value.reduce((sum: number, v) => sum + Number(v), 0) : Number(value);
        if (Number.isFinite(n)) this.add(series, aws.Timestamp, n);
      }
    }
  }

  /** The depths read at the end of bucket `index` (queue name -> messages held), or why they could not be read. */
  recordDepths(index: number, depths: Record<string, number> | Error): void {
    if (depths instanceof Error) {
      this.depthError = depths.message;
      return;
    }
    this.depthError = null;
    for (const name of Object.keys(depths)) if (!this.queueNames.includes(name)) this.queueNames.push(name);
    if (this.inWindow(index)) this.bucket(index).depths = { ...depths };
  }

  /** The bucket that has just ended (the one a depth read now belongs to). */
  lastCompleteIndex(): number {
    return this.indexOf(this.now()) - 1;
  }

  snapshot(): TimelineData {
    const last = this.lastCompleteIndex();
    const first = Math.max(this.firstIndex, last - this.windowBuckets + 1);
    const counts = Object.fromEntries(SERIES_NAMES.map((s) => [s, [] as number[]])) as Record<CountSeries, number[]>;
    const depths: Record<string, Array<number | null>> = Object.fromEntries(this.queueNames.map((q) => [q, []]));
    for (let index = first; index <= last; index += 1) {
      const slot = this.slots[index % this.slots.length];
      const bucket = slot?.index === index ? slot : undefined;
      for (const series of SERIES_NAMES) counts[series].push(bucket?.counts[series] ?? 0);
      for (const queue of this.queueNames) depths[queue]?.push(bucket?.depths?.[queue] ?? null);
    }
    return {
      periodSeconds: this.periodMs / 1000,
      windowSeconds: (this.windowBuckets * this.periodMs) / 1000,
      start: new Date(Math.min(first, last + 1) * this.periodMs).toISOString(),
      end: new Date((last + 1) * this.periodMs).toISOString(),
      counts,
      depths,
      depthError: this.depthError,
    };
  }
}

export interface DepthSampling {
  stop(): void;
}

/**
 * Reads the queue depths right after every period boundary (aligned to the clock, like
 * CloudWatch's periods) and records them as the depths at the end of the bucket that just ended.
 * A read still going at the next boundary makes that boundary skip its read (a gap in the plot,
 * e.g. while SQS is stalled), so reads never pile up.
 */
export function sampleDepths(timeline: Timeline, read: () => Promise<Record<string, number>>, now: () => number = Date.now): DepthSampling {
  let timer: NodeJS.Timeout | undefined;
  let reading = false;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    // A few ms past the boundary, so that a timer firing a little early still reads after it.
    timer = setTimeout(tick, timeline.periodMs - (now() % timeline.periodMs) + 5);
    timer.unref();
  };
  const tick = () => {
    schedule();
    if (reading) return;
    reading = true;
    const index = timeline.lastCompleteIndex();
    read()
      .then(
        (depths) => timeline.recordDepths(index, depths),
        (error: unknown) => timeline.recordDepths(index, error instanceof Error ? error : new Error(String(error))),
      )
      .finally(() => {
        reading = false;
      });
  };
  schedule();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
