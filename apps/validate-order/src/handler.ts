import middy from '@middy/core';
import { injectLambdaContext, loadConfig, Logger, LOG_LEVEL_VAR, type LogSink } from '@dofs/handler-kit';
import type { OrderVerdict } from '@dofs/order-domain';
import { validateOrder } from './validate-order';

export const SERVICE = 'validate-order';

export const CONFIG_SPEC = { logLevel: LOG_LEVEL_VAR };

export interface HandlerDeps {
  env?: Record<string, string | undefined>;
  logSink?: LogSink;
}

function field(event: unknown, name: string): string | undefined {
  const value = event !== null && typeof event === 'object' ? (event as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** Builds the Lambda handler; configuration is read and checked here, once per cold start. */
export function createHandler(deps: HandlerDeps = {}) {
  const config = loadConfig(CONFIG_SPEC, deps.env);
  const logger = new Logger({ service: SERVICE, level: config.logLevel, ...(deps.logSink ? { sink: deps.logSink } : {}) });
  return middy<unknown, OrderVerdict>()
    .use(
      injectLambdaContext(logger, {
        correlationId: (event) => field(event, 'correlation_id'),
        keys: (event) => ({ order_id: field(event, 'order_id') }),
      }),
    )
    .handler(async (event) => validateOrder(event, logger));
}
