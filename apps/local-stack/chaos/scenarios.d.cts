export interface Scenario {
  name: string;
  args?: string[];
  successRate?: number;
  killAfterAccepted?: number;
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
  seconds: number;
}
export const SCENARIOS: Scenario[];
export function runScenario(
  scenario: Scenario,
  options?: { orders?: number; concurrency?: number; successRate?: number; settleMs?: number; log?: (text: string) => void },
): Promise<ScenarioRow>;
export function isBad(row: ScenarioRow): boolean;
export function hasDoubleTransition(order: { status: string; status_history?: Array<{ from?: string; to: string }> }): boolean;
