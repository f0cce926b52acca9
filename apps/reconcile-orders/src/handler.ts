import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { OpenOrders, OrderIntake } from '@dofs/ddb-repo';
import { SDK_BUDGETS, sdkClientConfig, worstCaseMs, type HandlerOverrides } from '@dofs/handler-kit';
import { defineHandler } from '@dofs/handler-kit/handler';
import { orderDispatcher, type SfnSender } from '@dofs/queue-client';
import { CONFIG_SPEC } from './config';
import { queueNameOf } from './queue-watermark';
import { reconcile, type OpenOrdersStore, type ReconcileDeps, type RunSummary } from './reconcile';

export const SERVICE = 'reconcile-orders';

export interface HandlerDeps extends HandlerOverrides {
  /** Default: OpenOrders on ORDERS_TABLE and FAILED_ORDERS_TABLE. */
  orders?: OpenOrdersStore;
  /** Default: OrderIntake on ORDERS_TABLE and IDEMPOTENCY_TABLE (decides RECEIVED orders that carry a key). */
  intake?: ReconcileDeps['intake'];
  /** Default: an SFNClient with the handlers' SDK budget. */
  sfn?: SfnSender;
  /** Default: an SQSClient with the handlers' SDK budget (sends order messages, reads the queues' depths). */
  sqs?: ReconcileDeps['sqs'];
  /** Default: a CloudWatchClient with the handlers' SDK budget (reads the queues' ApproximateAgeOfOldestMessage). */
  cloudwatch?: ReconcileDeps['queues']['cloudwatch'];
}

const seconds = (ms: number): number => Math.ceil(ms / 1000);

/**
 * The scheduled reconciler. The event (whatever EventBridge Scheduler sends) is ignored: every run
 * looks at the open-orders index. A run that cannot query the index throws, so the function's Errors
 * metric sees it; a failure on one order is logged and left for the next run. The run ends with one
 * Embedded Metric Format line: Scanned, Redriven, Requeued, GaveUp, AwaitingQueue, RedriveErrors.
 */
export const createHandler = defineHandler<typeof CONFIG_SPEC, HandlerDeps, unknown, RunSummary>({
  service: SERVICE,
  config: CONFIG_SPEC,
  build: ({ config, logger, metrics, now }, deps) => {
    const sqs = deps.sqs ?? new SQSClient(sdkClientConfig(SDK_BUDGETS.sqs));
    const runDeps: ReconcileDeps = {
      orders: deps.orders ?? new OpenOrders({ ordersTable: config.ordersTable, failedOrdersTable: config.failedOrdersTable, writer: SERVICE, now }),
      intake:
        deps.intake ?? new OrderIntake({ ordersTable: config.ordersTable, idempotencyTable: config.idempotencyTable, windowSeconds: config.idempotencyWindowSeconds, now }),
      dispatcher: orderDispatcher({
        stateMachineArn: config.stateMachineArn,
        orderQueueUrl: config.orderQueueUrl,
        sfn: deps.sfn ?? new SFNClient(sdkClientConfig(SDK_BUDGETS.sfn)),
        sqs,
      }),
      sqs,
      queues: {
        cloudwatch: deps.cloudwatch ?? new CloudWatchClient(sdkClientConfig(SDK_BUDGETS.cloudwatch)),
        orderQueue: { url: config.orderQueueUrl, name: queueNameOf(config.orderQueueUrl) },
        deadLetterQueue: { url: config.deadLetterQueueUrl, name: queueNameOf(config.deadLetterQueueUrl) },
        periodSeconds: Math.floor(config.queueMetricPeriodSeconds),
      },
      receivedAfterSeconds: config.receivedAfterSeconds,
      stalledAfterSeconds: config.stalledAfterSeconds,
      workflowTimeoutSeconds: config.workflowTimeoutSeconds,
      maxRedrives: Math.floor(config.maxRedrives),
      maxOrdersPerRun: Math.floor(config.maxOrdersPerRun),
      startWithinSeconds: seconds(worstCaseMs(SDK_BUDGETS.sfn)),
      sendWithinSeconds: seconds(worstCaseMs(SDK_BUDGETS.sqs)),
      logger,
      now,
    };
    return async (_event, context) => {
      const started = Date.now();
      const summary = await reconcile({ ...runDeps, ...(context?.getRemainingTimeInMillis ? { remainingMs: () => context.getRemainingTimeInMillis() } : {}) });
      const counts = [
        ['Scanned', summary.scanned],
        ['Redriven', summary.redriven],
        ['Requeued', summary.requeued],
        ['GaveUp', summary.gaveUp],
        ['AwaitingQueue', summary.awaitingQueue],
        ['RedriveErrors', summary.redriveErrors],
      ] as const;
      for (const [name, value] of counts) metrics.count(name, value);
      metrics.flush({ level: 'INFO', message: 'reconcile run finished', request_id: context?.awsRequestId, skipped: summary.skipped, errors: summary.errors, duration_ms: Date.now() - started });
      return summary;
    };
  },
});
