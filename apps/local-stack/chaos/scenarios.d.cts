export interface Scenario {
  name: string;
  /** Options before the scenario's own (default: the fast retry and reconciler options of the fault scenarios). */
  base?: string[];
  args?: string[];
  successRate?: number;
  killAfterAccepted?: number;
  /** A load scenario: its own order count and offered rate, held to the re-send bound. */
  load?: {
    orders: number;
    /** Orders per second offered (instead of spreading them over 12 s). */
    rate: number;
    /** Clients placing the orders (default one per order: open loop). */
    concurrency?: number;
    /** POSTs at a gentle pace before the offering and while the backlog drains. */
    probes?: { count: number; intervalMs: number; warmUp?: number };
    /** A client answered 429 gives up (so nothing must be stored for it). */
    abandonThrottled?: boolean;
    settleSeconds?: number;
  };
}
export interface QueueSample {
  /** Seconds since the stack was up. */
  t: number;
  /** order_queue's messages, visible + in flight + delayed; null when it could not be read. */
  depth: number | null;
  /** Orders not terminal; null when not counted or not readable. */
  open: number | null;
}
export interface QueueBound {
  /** 1 % of the orders. */
  allowance: number;
  /** The most messages over open orders + allowance that lasted 3 samples in a row; 0 = within the bound. */
  over: number;
  at?: QueueSample;
}
export interface ScenarioRow {
  scenario: string;
  sent: number;
  accepted: number;
  refused: number;
  FULFILLED: number;
  FAILED: number;
  REJECTED: number;
  lost: number;
  stuck: number;
  doubleTransitions: number;
  failedNotArchived: number;
  wronglyFailed: number;
  /** Re-drives the reconciler delivered: the sum of the orders' `redrives`. */
  reSent?: number;
  /** Messages sent again by anyone (the orders' `dispatch.seq` beyond 1); '-' when no order has a dispatch record. */
  reDispatched?: number | '-';
  maxQueueDepth?: number | '-';
  overBound?: number | '-';
  /** 429 answers. */
  throttled?: number;
  /** Orders stored for a request whose only answer was a 429 (must be 0). */
  storedFor429?: number;
  seconds: number;
  /** The queue samples of the run (not enumerable). */
  readonly samples?: QueueSample[];
  load?: {
    offeredPerSecond: number;
    offeredSeconds: number;
    drainPerSecond?: number;
    /** The longest an order waited from PENDING to FULFILLED. */
    longestWaitSeconds?: number;
    reSentAllowed: number;
    bound?: QueueBound;
    postP99?: { idle?: number; backlog?: number };
    postP50?: { idle?: number; backlog?: number };
  };
}
export const SCENARIOS: Scenario[];
export const SHORT_BACKLOG: Scenario;
export function runScenario(
  scenario: Scenario,
  options?: {
    orders?: number;
    concurrency?: number;
    successRate?: number;
    spreadMs?: number;
    settleMs?: number;
    sampleEveryMs?: number;
    countOpen?: boolean;
    hooks?: {
      onUp?: (state: { pid: number; dynamodbPid: number }) => unknown;
      onSettled?: (state: { pid: number; dynamodbPid: number }) => unknown;
      onPosted?: (posted: { index: number; ms: number; status: number }) => void;
    };
    log?: (text: string) => void;
  },
): Promise<ScenarioRow>;
export function isBad(row: ScenarioRow): boolean;
export function intakeSlowed(row: ScenarioRow): boolean;
export function hasDoubleTransition(order: { status: string; status_history?: Array<{ from?: string; to: string }> }): boolean;
export function queueBound(samples: QueueSample[], orders: number): QueueBound;
export function percentile(values: number[], p: number): number | undefined;
