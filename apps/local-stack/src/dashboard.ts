// The local dashboard: GET /_dashboard (one page, inline script and style, inline SVG plots, no
// build step) and GET /_dashboard/data (the JSON it polls every 2 s). Served by the local stack
// only, never deployed. The plots' series are kept by timeline.ts.
import { GetQueueAttributesCommand, type QueueAttributeName, type SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { openOrderKeys, readOpenOrders } from '@dofs/ddb-repo';
import { localDynamoDbClient } from '@dofs/local-aws';
import { OPEN_STATUSES, TERMINAL_STATUSES } from '@dofs/order-domain';
import type { Execution } from './sfn/service';
import { sampleDepths, type DepthSampling, type Timeline, type TimelineData } from './timeline';

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
  /** The last 15 minutes (counts from the functions' metric lines, depths sampled every 10 s). */
  timeline?: Timeline;
}

export interface QueueDepth {
  name: string;
  /** Waiting to be received. */
  visible: number;
  inFlight: number;
  /** Sent with a delay not yet over (dlq-handler's send-backs). */
  delayed: number;
}

export interface DashboardData {
  at: string;
  orders: Record<string, number>;
  queues: QueueDepth[];
  failures: Array<{ order_id: string; reason: string; failed_at: string }>;
  executions: Array<{ name: string; status: string; startDate: string; stopDate?: string }>;
  /** Absent when the sources have no timeline. */
  timeline?: TimelineData;
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

/**
 * The queues' depths. local-aws-sqs counts the messages in flight in ApproximateNumberOfMessages
 * (AWS counts only the visible ones there), so the waiting ones are that minus the in-flight ones;
 * delayed messages are in neither count, on AWS as here.
 */
export async function queueDepths(sqs: SQSClient, queues: Record<string, string>): Promise<QueueDepth[]> {
  return Promise.all(
    Object.entries(queues).map(async ([name, url]) => {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
        }),
      );
      const count = (attribute: QueueAttributeName) => Number(Attributes?.[attribute] ?? 0);
      const inFlight = count('ApproximateNumberOfMessagesNotVisible');
      return { name, visible: Math.max(0, count('ApproximateNumberOfMessages') - inFlight), inFlight, delayed: count('ApproximateNumberOfMessagesDelayed') };
    }),
  );
}

/**
 * Reads the depth of every queue at the end of each 10 s into the timeline: what a queue holds,
 * waiting, in flight and delayed. Three GetQueueAttributes calls a period, nothing else.
 */
export function startQueueSampling(timeline: Timeline, sources: Pick<DashboardSources, 'sqs' | 'queues'>): DepthSampling {
  return sampleDepths(timeline, async () =>
    Object.fromEntries((await queueDepths(sources.sqs, sources.queues)).map((q) => [q.name, q.visible + q.inFlight + q.delayed])),
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
  const timeline = sources.timeline?.snapshot();
  return {
    at: new Date().toISOString(),
    orders: { ...open, ...terminal },
    queues,
    failures,
    executions: sources.executions ? recentExecutions(sources.executions()) : [],
    ...(timeline ? { timeline } : {}),
    errors: [...errors.filter((e): e is string => e !== undefined), ...(timeline?.depthError ? [`queue depth sampling: ${timeline.depthError}`] : [])],
  };
}

/** The gateway's local pages: the page, and its data once `sources` resolves (when the stack is ready). */
export function dashboardPages(sources: () => Promise<DashboardSources>): Record<string, () => Promise<{ contentType: string; body: string }>> {
  return {
    [DASHBOARD_PATH]: async () => ({ contentType: 'text/html; charset=utf-8', body: DASHBOARD_PAGE }),
    [DASHBOARD_DATA_PATH]: async () => ({ contentType: 'application/json; charset=utf-8', body: JSON.stringify(await readDashboardData(await sources())) }),
  };
}

/** The dashboard's reads (its own DynamoDB client) and its queue-depth sampling; stop() ends both. */
export function startDashboard(sources: Omit<DashboardSources, 'ddb'> & { ddbEndpoint: string; timeline: Timeline }): { sources: DashboardSources; stop(): void } {
  const { ddbEndpoint, ...rest } = sources;
  const ddb = DynamoDBDocumentClient.from(localDynamoDbClient(ddbEndpoint));
  const dashboard: DashboardSources = { ...rest, ddb };
  const sampling = startQueueSampling(sources.timeline, dashboard);
  return {
    sources: dashboard,
    stop: () => {
      sampling.stop();
      ddb.destroy();
    },
  };
}

/** The page. It fetches the data path relative to itself, one request at a time, and draws the timeline as inline SVG. */
export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>DOFS local dashboard</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5rem;color:#222;max-width:60rem}
h1{font-size:1.3rem}h2{font-size:1rem;margin:1.2rem 0 .4rem}
.cards{display:flex;gap:.6rem;flex-wrap:wrap}
.card{border:1px solid #ccc;border-radius:6px;padding:.5rem .8rem;min-width:7rem}
.card b{display:block;font-size:1.6rem}
table{border-collapse:collapse}td,th{border-bottom:1px solid #eee;padding:.2rem .6rem;text-align:left}
#errors{color:#b00}small{color:#777}
.chart{margin-bottom:.8rem}.chart h3{font-size:.9rem;font-weight:600;margin:.6rem 0 .2rem}
.chart svg{width:100%;height:auto;display:block}.chart svg text{font-size:10px;fill:#777}
.chart svg .grid{stroke:#eee}.chart svg path{fill:none;stroke-width:2;stroke-linejoin:round;stroke-linecap:round}
.legend{display:flex;gap:1rem;flex-wrap:wrap;font-size:.85rem}.legend i{display:inline-block;width:.8rem;height:.2rem;vertical-align:middle;margin-right:.3rem}
</style></head><body>
<h1>DOFS local dashboard <small id="updated">loading</small></h1>
<div id="errors"></div>
<h2>Last 15 minutes <small id="timeline-note"></small></h2>
<div class="chart" id="chart-orders"></div>
<div class="chart" id="chart-queues"></div>
<div class="chart" id="chart-resends"></div>
<h2>Orders by status</h2><div class="cards" id="orders"></div>
<h2>Queues</h2><table><thead><tr><th>queue</th><th>waiting</th><th>in flight</th><th>delayed</th></tr></thead><tbody id="queues"></tbody></table>
<h2>Recent failures (failed_orders)</h2><table><thead><tr><th>order</th><th>reason</th><th>failed at</th></tr></thead><tbody id="failures"></tbody></table>
<h2>Recent executions</h2><table><thead><tr><th>execution</th><th>status</th><th>started</th><th>stopped</th></tr></thead><tbody id="executions"></tbody></table>
<script>
const STATUSES = ${JSON.stringify([...OPEN_STATUSES, ...TERMINAL_STATUSES])};
const el = (id) => document.getElementById(id);
const esc = (v) => String(v ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const rows = (list, cells) => list.map((x) => '<tr>' + cells(x).map((c) => '<td>' + esc(c) + '</td>').join('') + '</tr>').join('');
const QUEUE_COLORS = ['#e67e22', '#c0392b', '#7f8c8d', '#16a085'];
// The plot area in SVG units (the SVG scales to the page width).
const W = 900, H = 150, LEFT = 42, RIGHT = 10, TOP = 8, BOTTOM = 20;
function niceMax(v) {
  if (!(v > 1)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((m) => m >= v);
}
// The time axis spans what has been collected, at least 2 minutes, at most the window (15 minutes).
const MIN_SPAN_MS = 120000;
const TICK_STEPS_S = [30, 60, 120, 300, 600];
const ago = (seconds) => seconds % 60 === 0 ? '-' + seconds / 60 + ' min' : '-' + seconds + ' s';
/** One chart: every series is a path with one point per bucket (at its end), broken where a value is null. */
function chart(id, title, t, series, summary) {
  const end = Date.parse(t.end), start = Date.parse(t.start), period = t.periodSeconds * 1000;
  const windowMs = Math.min(t.windowSeconds * 1000, Math.max(MIN_SPAN_MS, end - start));
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values.filter((v) => v !== null))));
  const x = (i) => LEFT + (start + (i + 1) * period - (end - windowMs)) / windowMs * (W - LEFT - RIGHT);
  const y = (v) => TOP + (1 - v / max) * (H - TOP - BOTTOM);
  let svg = '<svg viewBox="0 0 ' + W + ' ' + H + '" role="img" aria-label="' + esc(title) + '">';
  for (const v of [0, max / 2, max]) {
    svg += '<line class="grid" x1="' + LEFT + '" x2="' + (W - RIGHT) + '" y1="' + y(v) + '" y2="' + y(v) + '"/>';
    svg += '<text x="' + (LEFT - 4) + '" y="' + (y(v) + 3) + '" text-anchor="end">' + (Math.round(v * 10) / 10) + '</text>';
  }
  const step = TICK_STEPS_S.find((s) => windowMs / 1000 / s <= 5) ?? 600;
  for (let seconds = 0; seconds * 1000 <= windowMs; seconds += step) {
    const at = LEFT + (1 - seconds * 1000 / windowMs) * (W - LEFT - RIGHT);
    const label = seconds === 0 ? new Date(end).toISOString().slice(11, 19) : ago(seconds);
    svg += '<text x="' + at + '" y="' + (H - 5) + '" text-anchor="' + (seconds === 0 ? 'end' : seconds * 1000 >= windowMs - 1 ? 'start' : 'middle') + '">' + label + '</text>';
  }
  // The first series is drawn last, on top.
  let legend = '', paths = '';
  for (const s of series) {
    let d = '', run = 0, points = 0, total = 0, top = 0, last = null;
    s.values.forEach((v, i) => {
      if (v === null) { if (run === 1) d += 'h0.1'; run = 0; return; }
      d += (run === 0 ? 'M' : 'L') + x(i).toFixed(1) + ' ' + y(v).toFixed(1);
      run += 1; points += 1; total += v; top = Math.max(top, v); last = v;
    });
    if (run === 1) d += 'h0.1';
    paths = '<path data-series="' + esc(s.key) + '" data-points="' + points + '" data-total="' + total + '" data-max="' + top + '" data-last="' + (last ?? '') + '" stroke="' + s.color + '"' + (s.dash ? ' stroke-dasharray="' + s.dash + '"' : '') + ' d="' + d + '"/>' + paths;
    legend += '<span><i style="background:' + s.color + '"></i>' + esc(s.label) + ': ' + summary(last, total, top) + '</span>';
  }
  el(id).innerHTML = '<h3>' + esc(title) + '</h3>' + svg + paths + '</svg><div class="legend">' + legend + '</div>';
}
function renderTimeline(t) {
  if (!t) return;
  const n = t.counts.accepted.length;
  el('timeline-note').textContent = n === 0 ? 'the first point comes after the first full ' + t.periodSeconds + ' s' : n + ' periods of ' + t.periodSeconds + ' s (the last ' + t.windowSeconds / 60 + ' min at most)';
  const perPeriod = (last, total) => (last ?? 0) + ' in the last ' + t.periodSeconds + ' s, ' + total + ' in ' + t.windowSeconds / 60 + ' min';
  chart('chart-orders', 'Orders per ' + t.periodSeconds + ' s', t, [
    { key: 'accepted', label: 'accepted', color: '#2471a3', dash: '6 4', values: t.counts.accepted },
    { key: 'fulfilled', label: 'fulfilled', color: '#229954', values: t.counts.fulfilled },
    { key: 'failed', label: 'failed (dead-lettered or given up)', color: '#c0392b', values: t.counts.failed },
  ], perPeriod);
  chart('chart-queues', 'Messages in each queue (waiting, in flight and delayed), every ' + t.periodSeconds + ' s', t,
    Object.entries(t.depths).map(([name, values], i) => ({ key: name, label: name, color: QUEUE_COLORS[i % QUEUE_COLORS.length], values })),
    (last, total, top) => (last ?? '?') + ' now, at most ' + top);
  chart('chart-resends', 'Reconciler per ' + t.periodSeconds + ' s', t, [
    { key: 'resent', label: 're-sent (workflows started again + messages re-sent)', color: '#8e44ad', values: t.counts.resent },
    { key: 'awaitingQueue', label: 'left alone (message may still be queued)', color: '#95a5a6', values: t.counts.awaitingQueue },
  ], perPeriod);
}
function render(d) {
  renderTimeline(d.timeline);
  el('orders').innerHTML = STATUSES.map((s) => '<div class="card">' + s + '<b id="count-' + s + '">' + (d.orders[s] ?? '?') + '</b></div>').join('');
  el('queues').innerHTML = rows(d.queues, (q) => [q.name, q.visible, q.inFlight, q.delayed]);
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
