import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INFRA_ROOT } from './terraform';

/** infra/settings.json, the one source of runtime settings shared with the local stack. */
export interface Settings {
  tables: { orders: string; failedOrders: string; idempotencyKeys: string };
  queues: {
    orders: string;
    deadLetter: string;
    maxReceiveCount: number;
    visibilityTimeoutSeconds: number;
    messageRetentionSeconds: number;
    deadLetterRetentionSeconds: number;
  };
  eventSources: Record<'fulfillOrder' | 'dlqHandler', { batchSize: number; maximumBatchingWindowSeconds: number }>;
  idempotency: { windowSeconds: number };
  fulfillment: { successRate: number };
  functions: Record<string, { timeoutSeconds: number; memoryMb: number }>;
}

export const settings: Settings = JSON.parse(readFileSync(join(INFRA_ROOT, 'settings.json'), 'utf8')) as Settings;

/** The deployed apps, in settings order. */
export const APPS = Object.keys(settings.functions);

/** Terraform identifier of an app's module block: fulfill-order -> fulfill_order. */
export function moduleName(app: string): string {
  return app.replace(/-/g, '_');
}
