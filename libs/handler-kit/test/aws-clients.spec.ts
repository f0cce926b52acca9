import { SDK_BUDGETS, sdkClientConfig, worstCaseMs } from '../src';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Read, not imported: an import would make handler-kit depend on the infra project (see libs/local-aws/src/settings.ts).
const settings = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'infra', 'settings.json'), 'utf8')) as { functions: Record<string, { timeoutSeconds: number }> };

describe('SDK client budgets', () => {
  it('make every call give up well inside the shortest function timeout', () => {
    const shortestTimeoutMs = Math.min(...Object.values(settings.functions).map((f) => f.timeoutSeconds * 1000));
    for (const [service, budget] of Object.entries(SDK_BUDGETS)) {
      expect({ service, fits: worstCaseMs(budget) <= 0.65 * shortestTimeoutMs }).toEqual({ service, fits: true });
    }
  });

  it('turn a passed request timeout into an error, not a warning', () => {
    expect(sdkClientConfig(SDK_BUDGETS.dynamodb)).toEqual({
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true },
    });
  });

  it('counts every attempt and the backoff between them', () => {
    expect(worstCaseMs({ connectionTimeout: 1000, requestTimeout: 2000, maxAttempts: 2 })).toBe(6200);
    expect(worstCaseMs({ connectionTimeout: 10, requestTimeout: 20, maxAttempts: 1 })).toBe(30);
  });
});
