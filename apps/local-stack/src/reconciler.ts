// The local stand-in for the EventBridge Scheduler schedule that runs reconcile-orders: a timer
// that invokes the bundle through the local Lambda service every interval.
import type { InvokeResult } from './lambda/runtime';
import type { StackLogger } from './log';

/** What the timer needs of a local function (a LambdaFunction). */
export interface Invocable {
  invoke(event: unknown): Promise<InvokeResult>;
}

export interface ReconcileTimerOptions {
  fn: Invocable;
  intervalSeconds: number;
  logger: Pick<StackLogger, 'event' | 'warn'>;
  /** How long stop() waits for a run in progress (default 2 s; the function is closed after it anyway). */
  stopGraceMs?: number;
}

export interface ReconcileTimer {
  /** No run starts afterwards; resolves when the run in progress has ended, or after the grace period. */
  stop(): Promise<void>;
}

/** The counts reconcile-orders returns (its RunSummary). */
interface RunCounts {
  scanned?: number;
  redriven?: number;
  requeued?: number;
  gaveUp?: number;
  errors?: number;
}

/**
 * Invokes `fn` every `intervalSeconds` with the empty event the deployed schedule sends. A tick
 * that finds the previous run still going is skipped (locally one run at a time keeps the log
 * readable; overlapping runs would be safe, every action is claimed by a conditional write).
 * A run that did something, or failed, prints one line.
 */
export function startReconcileTimer(options: ReconcileTimerOptions): ReconcileTimer {
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped || running) return;
    running = options.fn
      .invoke({})
      .then((result) => report(result, options.logger))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, options.intervalSeconds * 1000);
  timer.unref();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      if (running) await Promise.race([running, new Promise((resolve) => setTimeout(resolve, options.stopGraceMs ?? 2000).unref())]);
    },
  };
}

function report(result: InvokeResult, logger: Pick<StackLogger, 'event' | 'warn'>): void {
  if (!result.ok) {
    logger.warn(`reconcile-orders failed: ${result.error.errorType}: ${result.error.errorMessage}`);
    return;
  }
  const counts = (result.payload ?? {}) as RunCounts;
  const acted = (counts.redriven ?? 0) + (counts.requeued ?? 0) + (counts.gaveUp ?? 0) + (counts.errors ?? 0);
  if (acted === 0) return;
  logger.event(
    'reconcile',
    counts.gaveUp || counts.errors ? 'yellow' : 'magenta',
    `${counts.scanned ?? 0} old open order(s): ${counts.redriven ?? 0} workflow(s) started again, ${counts.requeued ?? 0} re-enqueued, ` +
      `${counts.gaveUp ?? 0} given up (FAILED)${counts.errors ? `, ${counts.errors} failed (next run)` : ''}`,
  );
}
