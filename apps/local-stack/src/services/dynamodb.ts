// DynamoDB Local (a JVM, 3-10 s to start): launched first, so the rest of the stack is prepared
// while it boots; its endpoint is known from the port before it answers.
import { ensureTables, localDynamoDbClient, startDynamoDbLocal, type RunningDynamoDbLocal } from '@dofs/local-aws';
import type { EffectiveSettings } from '../config';
import { HOST } from '../constants';
import { StackStartError } from './plan';
import type { Running } from './started';

export interface DynamoDbService extends Running {
  endpoint: string;
  /** The JVM once it answers; a failure to start is a StackStartError. */
  up(): Promise<RunningDynamoDbLocal>;
  /** Creates the tables that are absent. */
  createTables(): Promise<void>;
}

export function startDynamoDb(options: { port: number; dbPath: string; tables: EffectiveSettings['tables'] }): DynamoDbService {
  const starting = startDynamoDbLocal({ port: options.port, dbPath: options.dbPath });
  starting.catch(() => undefined); // reported by up()
  const endpoint = `http://${HOST}:${options.port}`;
  return {
    endpoint,
    up: async () => {
      try {
        return await starting;
      } catch (error) {
        const e = error as Error;
        if (e.name === 'JavaNotFoundError') throw new StackStartError(e.message);
        throw new StackStartError(`DynamoDB Local did not start: ${e.message.split('\n')[0]}`);
      }
    },
    createTables: async () => {
      const ddb = localDynamoDbClient(endpoint);
      try {
        await ensureTables(ddb, options.tables);
      } finally {
        ddb.destroy();
      }
    },
    stop: async () => {
      const running = await starting.catch(() => undefined);
      await running?.stop();
    },
  };
}
