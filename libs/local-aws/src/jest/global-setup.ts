import { HARNESS_GLOBAL_KEY } from '../constants';
import { startLocalAws } from '../harness';

/**
 * Per-project switches, read from jest's `globals.dofsLocalAws`, e.g. a project that needs only
 * SQS: `globals: { dofsLocalAws: { dynamodb: false } }`.
 */
interface HarnessSwitches {
  dynamodb?: boolean;
  sqs?: boolean;
}

function switchesOf(projectConfig: { globals?: Record<string, unknown> } | undefined): HarnessSwitches {
  const value = projectConfig?.globals?.['dofsLocalAws'];
  return value !== null && typeof value === 'object' ? (value as HarnessSwitches) : {};
}

/**
 * Jest global setup: starts DynamoDB Local (in memory) and the SQS server once per jest run,
 * creates the tables and queues from infra/settings.json and exports their endpoints, names and
 * URLs through `process.env`. Test workers start after this, so they inherit the variables, as
 * does any process a test spawns.
 */
export default async function globalSetup(_globalConfig: unknown, projectConfig?: { globals?: Record<string, unknown> }): Promise<void> {
  const switches = switchesOf(projectConfig);
  const localAws = await startLocalAws({
    ...(switches.dynamodb === undefined ? {} : { dynamodb: switches.dynamodb }),
    ...(switches.sqs === undefined ? {} : { sqs: switches.sqs }),
  });
  Object.assign(process.env, localAws.env);
  (globalThis as Record<string, unknown>)[HARNESS_GLOBAL_KEY] = localAws;
}
