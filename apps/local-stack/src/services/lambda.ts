// Lambda: the local runtime, and the six functions from their bundles in dist/, each with the
// environment Terraform gives it (config.ts) pointed at the local endpoints.
import { localAwsEnv, type QueueUrls } from '@dofs/local-aws';
import { bundlePath, functionEnvironment, LOCAL_QUEUE_METRIC_PERIOD_SECONDS, type Endpoints } from '../config';
import { FUNCTION_NAMES, type FunctionName } from '../constants';
import type { Faults } from '../faults';
import { LambdaService, type LambdaErrorPayload, type LambdaFunction } from '../lambda/runtime';
import type { Timeline } from '../timeline';
import type { StackPlan } from './plan';
import type { Running } from './started';

/** Execution environments per function. */
export const DEFAULT_LAMBDA_CONCURRENCY = 5;

/** The runtime; each function's log lines go to the stack's log and the dashboard's timeline. */
export function startLambda(plan: StackPlan, options: { timeline: Timeline; faults: Faults }): Running & { service: LambdaService } {
  const service = new LambdaService({
    onLog: (line) => {
      options.timeline.ingestLogLine(line.line);
      plan.logger.lambdaLog(line);
    },
    onReport: (r) => plan.logger.report(r),
  });
  service.setFaults(options.faults);
  return { service, stop: () => service.close() };
}

export interface Functions {
  reconciler: LambdaFunction;
  /** One environment of each event-driven function, started now: their cold start overlaps DynamoDB's. */
  warmed: Promise<Array<{ name: FunctionName; error?: LambdaErrorPayload }>>;
}

export function registerFunctions(
  plan: StackPlan,
  lambdas: LambdaService,
  context: { endpoints: Endpoints; stateMachineArn: string; queueUrls: QueueUrls; concurrency?: number; reconcileAfterSeconds?: number },
): Functions {
  const { settings } = plan;
  const environment = (name: FunctionName) => ({
    ...functionEnvironment(name, settings, {
      stateMachineArn: context.stateMachineArn,
      logLevel: plan.logLevel,
      orderQueueUrl: context.queueUrls.orderQueueUrl,
      deadLetterQueueUrl: context.queueUrls.deadLetterQueueUrl,
      queueMetricPeriodSeconds: LOCAL_QUEUE_METRIC_PERIOD_SECONDS,
      reconcileAfterSeconds: context.reconcileAfterSeconds,
      authMode: plan.authMode,
    }),
    ...localAwsEnv(context.endpoints),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  const register = (name: FunctionName) =>
    lambdas.register({
      name,
      bundlePath: bundlePath(plan.bundleDir, name),
      timeoutSeconds: settings.functions[name].timeoutSeconds,
      memoryMb: settings.functions[name].memoryMb,
      // The schedule's runs never overlap (reconciler.ts).
      maxConcurrency: name === 'reconcile-orders' ? 1 : (context.concurrency ?? DEFAULT_LAMBDA_CONCURRENCY),
      environment: environment(name),
    });
  const fns = FUNCTION_NAMES.map((name) => ({ name, fn: register(name) }));
  // The reconciler's first run is an interval away: its cold start is left to that run.
  const warmed = Promise.all(
    fns.filter(({ name }) => name !== 'reconcile-orders').map(async ({ name, fn }) => ({ name, ...(await fn.warm()) })),
  );
  return { reconciler: lambdas.get('reconcile-orders'), warmed };
}
