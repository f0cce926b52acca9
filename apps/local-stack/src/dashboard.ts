// The local dashboard: GET /_dashboard (one page, inline script and style, no build step) and
// GET /_dashboard/data (the JSON it polls every 2 s). Served by the local stack only, never deployed.
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { openOrderKeys, readOpenOrders } from '@dofs/ddb-repo';
import { OPEN_STATUSES, TERMINAL_STATUSES } from '@dofs/order-domain';
import type { Execution } from './sfn/service';

export const DASHBOARD_PATH = '/_dashboard';
export const DASHBOARD_DATA_PATH = '/_dashboard/data';
/** How many failures and executions the page lists. */
const RECENT = 10;

export interface DashboardSources {
  ddb: DynamoDBDocumentClient;
  tables: { orders: string; failedOrders: string };
  sqs: SQSClient;
  /** Queue name -> URL, in the order the page shows them. */
  queues: Record<string, string>;
  /** The local Step Functions service's executions in memory. */
  executions?: () => Execution[];
}

export interface DashboardData {
  at: string;
  orders: Record<string, number>;
  queues: Array<{ name: string; visible: number; inFlight: number }>;
  failures: Array<{ order_id: string; reason: string; failed_at: string }>;
  executions: Array<{ name: string; status: string; startDate: string; stopDate?: string }>;
  /** One line per part that could not be read this time (the rest is still shown). */
  errors: string[];
}

/**
 * Counts the open orders by status: the keys of every shard of the sparse index (which holds no
 * status, so that status changes do not rewrite it), then the orders' statuses by BatchGetItem.
 */
async function countOpen(ddb: DynamoDBDocumentClient, table: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = Object.fromEntries(OPEN_STATUSES.map((s) => [s, 0]));
  for (const row of await readOpenOrders(ddb, table, await openOrderKeys(ddb, table))) counts[row.status] = (counts[row.status] ?? 0) + 1;
  return counts;
}

/**
 * Counts the terminal orders by status. Terminal orders are not in any index, so this is one Scan
 * of the table (status only): fine for a local table and a local tool, never what DOFS does on AWS.
 */
async function countTerminal(ddb: DynamoDBDocumentClient, table: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = Object.fromEntries(TERMINAL_STATUSES.map((s) => [s, 0]));
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(
      new ScanCommand({
        TableName: table,
        ProjectionExpression: '#s',
        FilterExpression: `#s IN (${TERMINAL_STATUSES.map((_, i) => `:t${i}`).join(', ')})`,
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: Object.fromEntries(TERMINAL_STATUSES.map((s, i) => [`:t${i}`, s])),
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const status = String(item['status']);
      counts[status] = (counts[status] ?? 0) + 1;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return counts;
}

/** The latest failures in failed_orders (a Scan: the table has no time index; local tool only). */
async function recentFailures(ddb: DynamoDBDocumentClient, table: string): Promise<DashboardData['failures']> {
  const all: DashboardData['failures'] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(
      new ScanCommand({
        TableName: table,
        ProjectionExpression: 'order_id, reason, failed_at',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      all.push({ order_id: String(item['order_id']), reason: String(item['reason'] ?? ''), failed_at: String(item['failed_at'] ?? '') });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return all.sort((a, b) => (a.failed_at < b.failed_at ? 1 : a.failed_at > b.failed_at ? -1 : 0)).slice(0, RECENT);
}

async function queueDepths(sqs: SQSClient, queues: Record<string, string>): Promise<DashboardData['queues']> {
  return Promise.all(
    Object.entries(queues).map(async ([name, url]) => {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
      );
      return { name, visible: Number(Attributes?.['ApproximateNumberOfMessages'] ?? 0), inFlight: Number(Attributes?.['ApproximateNumberOfMessagesNotVisible'] ?? 0) };
    }),
  );
}

function recentExecutions(executions: Execution[]): DashboardData['executions'] {
  return [...executions]
    .sort((a, b) => b.startDate - a.startDate)
    .slice(0, RECENT)
    .map((e) => ({
      name: e.name,
      status: e.status,
      startDate: new Date(e.startDate).toISOString(),
      ...(e.stopDate !== undefined ? { stopDate: new Date(e.stopDate).toISOString() } : {}),
    }));
}

/** Reads everything the page shows; a part that fails is reported in `errors`, the others still answer. */
export async function readDashboardData(sources: DashboardSources): Promise<DashboardData> {
  // One slot per part, so the errors are listed in the page's order, not in the order they failed.
  const errors: (string | undefined)[] = [];
  const attempt = async <T>(part: string, read: () => Promise<T>, fallback: T): Promise<T> => {
    const slot = errors.push(undefined) - 1;
    try {
      return await read();
    } catch (error) {
      errors[slot] = `${part}: ${(error as Error).message}`;
      return fallback;
    }
  };
  const { ddb, tables } = sources;
  const [open, terminal, queues, failures] = await Promise.all([
    attempt('open orders', () => countOpen(ddb, tables.orders), {} as Record<string, number>),
    attempt('terminal orders', () => countTerminal(ddb, tables.orders), {} as Record<string, number>),
    attempt('queues', () => queueDepths(sources.sqs, sources.queues), []),
    attempt('failed_orders', () => recentFailures(ddb, tables.failedOrders), []),
  ]);
  return {
    at: new Date().toISOString(),
    orders: { ...open, ...terminal },
    queues,
    failures,
    executions: sources.executions ? recentExecutions(sources.executions()) : [],
    errors: errors.filter((e): e is string => e !== undefined),
  };
}

/** The page. It fetches the data path relative to itself, one request at a time. */
export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>DOFS local dashboard</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5rem;color:#222}
h1{font-size:1.3rem}h2{font-size:1rem;margin:1.2rem 0 .4rem}
.cards{display:flex;gap:.6rem;flex-wrap:wrap}
.card{border:1px solid #ccc;border-radius:6px;padding:.5rem .8rem;min-width:7rem}
.card b{display:block;font-size:1.6rem}
table{border-collapse:collapse}td,th{border-bottom:1px solid #eee;padding:.2rem .6rem;text-align:left}
#errors{color:#b00}small{color:#777}
</style></head><body>
<h1>DOFS local dashboard <small id="updated">loading</small></h1>
<div id="errors"></div>
<h2>Orders by status</h2><div class="cards" id="orders"></div>
<h2>Queues</h2><table><thead><tr><th>queue</th><th>messages</th><th>in flight</th></tr></thead><tbody id="queues"></tbody></table>
<h2>Recent failures (failed_orders)</h2><table><thead><tr><th>order</th><th>reason</th><th>failed at</th></tr></thead><tbody id="failures"></tbody></table>
<h2>Recent executions</h2><table><thead><tr><th>execution</th><th>status</th><th>started</th><th>stopped</th></tr></thead><tbody id="executions"></tbody></table>
<script>
const STATUSES = ${JSON.stringify([...OPEN_STATUSES, ...TERMINAL_STATUSES])};
const el = (id) => document.getElementById(id);
const esc = (v) => String(v ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const rows = (list, cells) => list.map((x) => '<tr>' + cells(x).map((c) => '<td>' + esc(c) + '</td>').join('') + '</tr>').join('');
function render(d) {
  el('orders').innerHTML = STATUSES.map((s) => '<div class="card">' + s + '<b id="count-' + s + '">' + (d.orders[s] ?? '?') + '</b></div>').join('');
  el('queues').innerHTML = rows(d.queues, (q) => [q.name, q.visible, q.inFlight]);
  el('failures').innerHTML = rows(d.failures, (f) => [f.order_id, f.reason, f.failed_at]);
  el('executions').innerHTML = rows(d.executions, (e) => [e.name, e.status, e.startDate, e.stopDate]);
  el('errors').textContent = d.errors.join('; ');
  el('updated').textContent = 'updated ' + d.at;
}
async function poll() {
  try {
    const response = await fetch('${DASHBOARD_DATA_PATH}', { cache: 'no-store' });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    render(await response.json());
  } catch (error) {
    el('errors').textContent = 'cannot read ${DASHBOARD_DATA_PATH}: ' + error.message;
  }
  setTimeout(poll, 2000);
}
poll();
</script></body></html>
`;
