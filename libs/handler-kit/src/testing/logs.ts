import type { LogSink } from '../logger';

export interface CapturedLogs {
  sink: LogSink;
  /** Every line written so far, parsed. */
  lines(): Record<string, unknown>[];
  clear(): void;
}

/** A log sink that keeps lines in memory (and checks that each is one JSON object). */
export function captureLogs(): CapturedLogs {
  const raw: string[] = [];
  return {
    sink: (line) => {
      raw.push(line);
    },
    lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>),
    clear: () => {
      raw.length = 0;
    },
  };
}
