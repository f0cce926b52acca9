import { LOG_LEVEL_VAR, type HandlerOverrides } from '@dofs/handler-kit';
import { defineHandler } from '@dofs/handler-kit/handler';
import type { OrderVerdict } from '@dofs/order-domain';
import { validateOrder } from './validate-order';

export const SERVICE = 'validate-order';

export const CONFIG_SPEC = { logLevel: LOG_LEVEL_VAR };

export type HandlerDeps = HandlerOverrides;

function field(event: unknown, name: string): string | undefined {
  const value = event !== null && typeof event === 'object' ? (event as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** The ValidateOrder task handler. */
export const createHandler = defineHandler<typeof CONFIG_SPEC, HandlerDeps, unknown, OrderVerdict>({
  service: SERVICE,
  config: CONFIG_SPEC,
  keys: {
    correlationId: (event) => field(event, 'correlation_id'),
    keys: (event) => ({ order_id: field(event, 'order_id') }),
  },
  build: ({ logger }) => async (event) => validateOrder(event, logger),
});
