import { BatchGetCommand, ScanCommand, TransactWriteCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { reopenIndex } from '@dofs/ddb-repo';
import { OrderEnqueuer } from '@dofs/queue-client';
import { canOperatorTransition, nextDispatch, PATTERNS, type FailedOrderRecord, type OperatorRedrive, type StatusChange, type StoredOrder } from '@dofs/order-domain';
import { WRITER, type Context } from './context';
import { CliError, describeError, UsageError } from './errors';
import { table, timeline } from './format';
import { checkOrderId, readOrder } from './orders';

const ORDER_ID = new RegExp(PATTERNS.ORDER_ID);

/**
 * Every failed_orders item. A Scan, on purpose: the table holds failures only (one item per failed
 * order), so reading all of it costs what the failures cost; `orders` is never scanned.
 */
export async function scanFailed(ctx: Context): Promise<FailedOrderRecord[]> {
  const items: FailedOrderRecord[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ctx.ddb.send(new ScanCommand({ TableName: ctx.target.failedOrdersTable, ExclusiveStartKey: start }));
    items.push(...((page.Items ?? []) as FailedOrderRecord[]));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items.sort((a, b) => a.failed_at.localeCompare(b.failed_at));
}

const shorten = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** The current status of each order (BatchGetItem, 100 keys a call); absent ids have none. */
async function statusesOf(ctx: Context, ids: string[]): Promise<Map<string, string>> {
  const statuses = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 100) {
    let keys: Record<string, unknown>[] | undefined = ids.slice(i, i + 100).map((order_id) => ({ order_id }));
    while (keys && keys.length > 0) {
      const page: BatchGetCommandOutput = await ctx.ddb.send(
        new BatchGetCommand({ RequestItems: { [ctx.target.ordersTable]: { Keys: keys, ProjectionExpression: 'order_id, #s', ExpressionAttributeNames: { '#s': 'status' } } } }),
      );
      for (const item of page.Responses?.[ctx.target.ordersTable] ?? []) statuses.set(String(item['order_id']), String(item['status']));
      keys = page.UnprocessedKeys?.[ctx.target.ordersTable]?.Keys;
    }
  }
  return statuses;
}

/** `failed list`: the items, oldest first, with their order's current status (a dead letter may belong to an order fulfilled meanwhile, or redriven). */
export async function failedList(ctx: Context, opts: { limit: number }): Promise<void> {
  const items = (await scanFailed(ctx)).slice(-opts.limit);
  const statuses = await statusesOf(ctx, items.map((i) => i.order_id).filter((id) => ORDER_ID.test(id)));
  if (ctx.json) return ctx.out(JSON.stringify(items.map((i) => ({ ...i, order_status: statuses.get(i.order_id) ?? null })), null, 2));
  if (items.length === 0) return ctx.out(`no failed orders in ${ctx.target.failedOrdersTable}`);
  ctx.out(
    table(
      ['ORDER', 'STATUS', 'FAILED AT', 'ATTEMPTS', 'REDRIVES', 'REASON'],
      items.map((i) => [i.order_id, statuses.get(i.order_id) ?? '-', i.failed_at, String(i.attempts), String(i.operator_redrives?.length ?? 0), shorten(i.reason, 70)]),
    ),
  );
}

/** `failed show <id>`: the failed_orders item and the order's current status and history. */
export async function failedShow(ctx: Context, id: string | undefined): Promise<void> {
  if (!id) throw new UsageError('give an order id (or unparseable#<message_id>)');
  const record = await ctx.failed.get(id);
  if (!record) throw new CliError(`no failed_orders item ${id} in ${ctx.target.failedOrdersTable}`);
  const order = ORDER_ID.test(id) ? await ctx.orders.get(id) : undefined;
  if (ctx.json) return ctx.out(JSON.stringify({ failed: record, order: order ?? null }, null, 2));
  const lines = [
    `order:          ${record.order_id}`,
    `status now:     ${order?.status ?? '(no such order)'}`,
    `failed at:      ${record.failed_at}`,
    `attempts:       ${record.attempts}`,
    `reason:         ${record.reason}`,
    `message id:     ${record.message_id}`,
    ...(record.first_sent_at ? [`first sent:     ${record.first_sent_at}`] : []),
    ...(record.correlation_id ? [`correlation id: ${record.correlation_id}`] : []),
    `message:        ${shorten(record.original_message, 200)}${record.original_message_truncated ? ` (truncated; ${record.original_message_bytes} bytes)` : ''}`,
    ...(record.operator_redrives?.length ? ['redriven:', ...record.operator_redrives.map((r) => `  ${r.at}  by ${r.by}  after ${r.attempts} attempt(s)`)] : []),
  ];
  const history = order?.status_history ?? [];
  ctx.out([...lines, ...(history.length ? ['', 'status history:', ...timeline(history)] : [])].join('\n'));
}

export type RedriveOutcome = { order_id: string; result: 'redriven'; attempts: number; message_id: string } | { order_id: string; result: 'skipped' | 'error'; reason: string };

/** Why an order cannot be given another fulfilment round, or undefined when it can. */
function notRedrivable(order: StoredOrder | undefined, record: FailedOrderRecord | undefined): string | undefined {
  if (!order) return 'no such order';
  if (!canOperatorTransition(order.status, 'RETRYING')) return `it is ${order.status}, not FAILED`;
  if (!record) return 'it has no failed_orders item';
  // An order the reconciler gave up on before validation was never checked: fulfilling it would skip ValidateOrder.
  if (!(order.status_history ?? []).some((c) => c.to === 'PENDING')) return 'it never reached PENDING (it was not validated and stored), so it cannot be sent to fulfilment';
  return undefined;
}

/** How long the send may take once the redrive is written: the SQS client's worst case is ~6 s; a person's terminal is no Lambda. */
const SEND_WITHIN_SECONDS = 30;

/**
 * FAILED -> RETRYING (an operator transition), recorded in the order's history and as a note in its
 * failed_orders item, in one transaction conditional on the order still being FAILED. The write
 * starts a new fulfilment round (`attempts_base` = the attempts so far, the round's send-backs and
 * the reconciler's re-drives cleared) and records the order's next dispatch; then that message goes
 * to order_queue, and fulfilment takes its normal path (retries, DLQ, dlq-handler). If the send fails
 * after the write, the order is RETRYING without a message: the reconciler sees that no message of
 * it is queued and sends it.
 */
export async function redriveOne(ctx: Context, order: StoredOrder): Promise<RedriveOutcome> {
  const now = ctx.now();
  const at = now.toISOString();
  const dispatch = nextDispatch(order.dispatch, { at: now, sendWithinSeconds: SEND_WITHIN_SECONDS, by: WRITER });
  const change: StatusChange = { from: 'FAILED', to: 'RETRYING', at, by: WRITER };
  const note: OperatorRedrive = { at, by: WRITER, attempts: order.attempts };
  // The order re-enters the open-orders index, open since now (one index write).
  const reopen = reopenIndex(order.order_id, at);
  try {
    await ctx.ddb.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: ctx.target.ordersTable,
              Key: { order_id: order.order_id },
              // The public and internal failure reasons go (the failed_orders item keeps the cause), and
              // so does the reconciler's re-drive count: the new round gets the reconciler's whole budget.
              UpdateExpression:
                `SET #status = :to, updated_at = :now, ${reopen.sets.join(', ')}, attempts_base = :attempts, #dispatch = :dispatch, ` +
                'status_history = list_append(if_not_exists(status_history, :none), :change) REMOVE status_reason, failure_reason, redrives, dlq_redrives, workflow_until, last_redrive_error',
              ConditionExpression: '#status = :from',
              ExpressionAttributeNames: { '#status': 'status', '#dispatch': 'dispatch' },
              ExpressionAttributeValues: {
                ':to': 'RETRYING',
                ':from': 'FAILED',
                ':now': at,
                ...reopen.values,
                ':attempts': order.attempts,
                ':dispatch': dispatch,
                ':none': [],
                ':change': [change],
              },
            },
          },
          {
            Update: {
              TableName: ctx.target.failedOrdersTable,
              Key: { order_id: order.order_id },
              UpdateExpression: 'SET operator_redrives = list_append(if_not_exists(operator_redrives, :none), :note)',
              ConditionExpression: 'attribute_exists(order_id)',
              ExpressionAttributeValues: { ':none': [], ':note': [note] },
            },
          },
        ],
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name === 'TransactionCanceledException') return { order_id: order.order_id, result: 'skipped', reason: 'it changed meanwhile (redriven by someone else?)' };
    throw error;
  }
  try {
    const sent = await new OrderEnqueuer({ orderQueueUrl: ctx.target.orderQueueUrl ?? '', sqs: ctx.sqs() }).enqueueOrder(order, dispatch.seq);
    return { order_id: order.order_id, result: 'redriven', attempts: order.attempts, message_id: sent.messageId };
  } catch (error) {
    return {
      order_id: order.order_id,
      result: 'error',
      reason: `now RETRYING, but its message was not sent (${describeError(error, { sqs: ctx.target.sqs.endpoint })}): the reconciler sends it once it sees no message of it queued`,
    };
  }
}

/** `failed redrive <id>` or `failed redrive --all` (every failed_orders item whose order is FAILED). Returns the exit code. */
export async function failedRedrive(ctx: Context, id: string | undefined, all: boolean): Promise<number> {
  if (!ctx.target.orderQueueUrl) throw new CliError('redrive needs the order queue: pass --order-queue-url (or ORDER_QUEUE_URL, or the terraform output order_queue_url)');
  if (all === (id !== undefined)) throw new UsageError('give one order id or --all');
  const outcomes: RedriveOutcome[] = [];
  if (id !== undefined) {
    const order = await readOrder(ctx, checkOrderId(id));
    const why = notRedrivable(order, await ctx.failed.get(order.order_id));
    if (why) throw new CliError(`cannot redrive ${order.order_id}: ${why}`);
    outcomes.push(await redriveOne(ctx, order));
  } else {
    for (const record of await scanFailed(ctx)) {
      if (!ORDER_ID.test(record.order_id)) {
        outcomes.push({ order_id: record.order_id, result: 'skipped', reason: 'an unparseable message, not an order' });
        continue;
      }
      const order = await ctx.orders.get(record.order_id);
      const why = notRedrivable(order, record);
      outcomes.push(why || !order ? { order_id: record.order_id, result: 'skipped', reason: why ?? 'no such order' } : await redriveOne(ctx, order));
    }
  }
  if (ctx.json) ctx.out(JSON.stringify(outcomes, null, 2));
  else if (outcomes.length === 0) ctx.out(`no failed orders in ${ctx.target.failedOrdersTable}`);
  else ctx.out(table(['ORDER', 'RESULT', 'DETAIL'], outcomes.map((o) => [o.order_id, o.result, o.result === 'redriven' ? `FAILED -> RETRYING, queued (message ${o.message_id}, attempts continue from ${o.attempts})` : o.reason])));
  const failures = outcomes.filter((o) => o.result === 'error' || (id !== undefined && o.result === 'skipped'));
  return failures.length > 0 ? 1 : 0;
}
