import type { LocalAws } from '../harness';
import { HARNESS_GLOBAL_KEY } from '../constants';

/** Jest global teardown: stops the servers global setup started. */
export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as Record<string, unknown>;
  const localAws = holder[HARNESS_GLOBAL_KEY] as LocalAws | undefined;
  delete holder[HARNESS_GLOBAL_KEY];
  await localAws?.stop();
}
