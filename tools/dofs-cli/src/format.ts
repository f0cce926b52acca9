import type { StatusChange } from '@dofs/order-domain';
import { UsageError } from './errors';

/** Left-aligned columns, two spaces apart, with a header row. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** `3s`, `4m 05s`, `2h 10m`, `3d 4h`. */
export function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90`, `30s`, `10m`, `2h`, `1d` (a bare number is seconds) -> milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const found = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!found) throw new UsageError(`${flag} takes a duration such as 30s, 10m, 2h or 1d, not "${text}"`);
  return Number(found[1]) * (UNITS[found[2] ?? 's'] ?? 1000);
}

/** One status change as a line: `at  (+elapsed)  FROM -> TO  by  attempt n`. */
export function changeLine(change: StatusChange, since?: string): string {
  const elapsed = since === undefined ? '' : `+${age(Date.parse(change.at) - Date.parse(since))}`;
  const move = change.from === undefined ? `${change.to}` : `${change.from} -> ${change.to}`;
  return [change.at, elapsed.padStart(8), move.padEnd(22), change.by.padEnd(16), change.attempt === undefined ? '' : `attempt ${change.attempt}`].join('  ').trimEnd();
}

/** The status history as a timeline, oldest first, elapsed time from the first entry. */
export function timeline(history: readonly StatusChange[]): string[] {
  const first = history[0]?.at;
  return history.map((c) => `  ${changeLine(c, first)}`);
}
