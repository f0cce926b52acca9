/**
 * The environment's CloudWatch dashboard: every business metric the functions write (Embedded
 * Metric Format, namespace DOFS, dimension service) beside the queue depths and the alarms, and
 * the local dashboard's backlog plots (apps/local-stack/src/timeline.ts) from the same metrics.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { config, readWorkspaceFile, resource, squash, WORKSPACE_ROOT } from './support/terraform';

/** [metric, service] for every `metrics.count('X')` / `metrics.sample('X', ...)` in a function's source. */
function emittedMetrics(): [string, string][] {
  const out: [string, string][] = [];
  for (const app of ['api-handler', 'store-order', 'fulfill-order', 'dlq-handler']) {
    for (const file of readdirSync(join(WORKSPACE_ROOT, 'apps', app, 'src'))) {
      const text = readWorkspaceFile(`apps/${app}/src/${file}`);
      for (const m of text.matchAll(/metrics\.(?:count|sample)\('([A-Za-z]+)'/g)) out.push([m[1] as string, app]);
    }
  }
  return out;
}

/** [service, metric] of every series the local dashboard plots (COUNT_SERIES in apps/local-stack/src/timeline.ts). */
function localSeriesMetrics(): [string, string][] {
  const text = readWorkspaceFile('apps/local-stack/src/timeline.ts');
  const table = text.slice(text.indexOf('export const COUNT_SERIES'), text.indexOf('} as const'));
  return [...table.matchAll(/\['([a-z-]+)', '([A-Za-z]+)'\]/g)].map((m) => [m[1] as string, m[2] as string]);
}

describe('operations dashboard', () => {
  const body = async () => {
    const dev = await config('envs/dev');
    const dashboard = resource(dev, 'aws_cloudwatch_dashboard', 'operations');
    return { dev, dashboard, json: squash(dashboard.dashboard_body) };
  };

  it('is named inside the environment prefix (the deployer may manage only those)', async () => {
    const { dashboard } = await body();
    expect(dashboard.dashboard_name).toBe('${local.name_prefix}-operations');
  });

  it('names every metric the functions write, with the service that writes it, in namespace DOFS', async () => {
    const { dev, json } = await body();
    const emitted = emittedMetrics();
    expect([...new Set(emitted.map(([name]) => name))].sort()).toEqual(['FulfilmentAttempts', 'IntakeToTerminalMs', 'OrdersAccepted', 'OrdersFailed', 'OrdersFulfilled', 'OrdersRejected']);
    const locals = squash(dev.locals.order_flow_metrics);
    for (const [name, service] of emitted) {
      const pair = new RegExp(`"${name}", ?"(service", ?")?${service}"`);
      expect({ name, named: pair.test(json) || pair.test(locals) }).toEqual({ name, named: true });
    }
    expect(dev.locals.metrics_namespace).toBe('DOFS');
    expect(json).toContain('local.metrics_namespace');
    // The reconciler's own metrics too, every one its runs write.
    expect((dev.locals.reconciler_metrics as string[][]).map(([name]) => name)).toEqual(['Redriven', 'Requeued', 'GaveUp', 'AwaitingQueue', 'RedriveErrors']);
    expect(squash(dev.locals.resends_widget_metrics)).toContain('[local.metrics_namespace, m[0], "service", "reconcile-orders"');
  });

  it('opens on the last 3 hours with every graph at 60 s, the finest period of these metrics', async () => {
    const { dev, json } = await body();
    expect(json).toContain('start = "-PT3H"');
    expect(json).toContain('periodOverride = "inherit"');
    expect(dev.locals.dashboard_period).toBe(60);
    expect(json).not.toMatch(/period = (?!local\.dashboard_period)/);
    expect(squash(dev.locals.backlog_widgets).match(/period += local\.dashboard_period/g)).toHaveLength(4);
  });

  it('plots the backlog twice: over the last 15 minutes (live) and over the dashboard range', async () => {
    const { dev, json } = await body();
    expect(dev.locals.backlog_views).toEqual([
      expect.objectContaining({ time: { start: '-PT15M' }, live: true }),
      expect.objectContaining({ time: {}, live: false }),
    ]);
    const widgets = squash(dev.locals.backlog_widgets);
    expect(widgets).toMatch(/^concat\(\[ for i, view in local\.backlog_views : \[/);
    expect(widgets.match(/properties = merge\(view\.time, \{/g)).toHaveLength(4);
    for (const metrics of ['orders_widget_metrics', 'queue_depth_widget_metrics', 'queue_age_widget_metrics', 'resends_widget_metrics']) {
      expect(widgets).toContain(`metrics = local.${metrics}`);
    }
    expect(json).toContain('concat(local.backlog_widgets,');
  });

  it('counts as failed what the dead-letter handler failed and what the reconciler gave up, and re-sends as Redriven + Requeued', async () => {
    const { dev } = await body();
    const orders = squash(dev.locals.orders_widget_metrics);
    expect(orders).toContain('id = replace(m[2], "-", "_")');
    expect(dev.locals.order_flow_metrics).toContainEqual(['OrdersFailed', 'dlq-handler', 'dead-lettered']);
    expect(orders).toContain('visible = m[0] != "OrdersFailed"');
    expect(orders).toContain('[local.metrics_namespace, "GaveUp", "service", "reconcile-orders", { id = "gave_up", visible = false }]');
    expect(orders).toContain('expression = "FILL(dead_lettered, 0) + FILL(gave_up, 0)", id = "failed"');
    const resends = squash(dev.locals.resends_widget_metrics);
    expect(resends).toContain('id = lower(m[0])');
    expect(resends).toContain('visible = !contains(["Redriven", "Requeued"], m[0])');
    expect(resends).toContain('expression = "FILL(redriven, 0) + FILL(requeued, 0)", id = "resent"');
  });

  it('plots the same series as the local dashboard, from the same metrics and services', async () => {
    const { dev } = await body();
    const local = localSeriesMetrics();
    expect(local.length).toBeGreaterThanOrEqual(7);
    const flow = dev.locals.order_flow_metrics as string[][];
    const reconciler = (dev.locals.reconciler_metrics as string[][]).map(([name]) => name);
    const orders = squash(dev.locals.orders_widget_metrics);
    for (const [service, metric] of local) {
      const plotted =
        flow.some(([name, s]) => name === metric && s === service) ||
        (service === 'reconcile-orders' && reconciler.includes(metric)) ||
        orders.includes(`"${metric}", "service", "${service}"`);
      expect({ service, metric, plotted }).toEqual({ service, metric, plotted: true });
    }
  });

  it('shows what order_queue, order_dlq and the parking queue hold and how old their oldest message is, and the state of every alarm', async () => {
    const { dev, json } = await body();
    const queues = squash(dev.locals.dashboard_queues);
    for (const output of ['queue_name', 'dead_letter_queue_name', 'parking_queue_name']) expect(queues).toContain(`module.order_queue.${output}`);
    // Held = waiting + in flight + delayed (a send-back waits out its delay), one line per queue.
    expect(dev.locals.queue_depth_metrics).toEqual(['ApproximateNumberOfMessagesVisible', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed']);
    const depths = squash(dev.locals.queue_depth_widget_metrics);
    expect(depths).toContain('for i, q in local.dashboard_queues');
    expect(depths).toContain('["AWS/SQS", metric, "QueueName", q[0], { id = "q${i}_${j}", visible = false }]');
    expect(depths).toContain('expression = join(" + ", [for j, metric in local.queue_depth_metrics : "FILL(q${i}_${j}, 0)"]), id = "held_${i}", label = q[1]');
    expect(squash(dev.locals.queue_age_widget_metrics)).toBe(
      '[for q in local.dashboard_queues : ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", q[0], { label = q[1] }]]',
    );
    expect(json).toMatch(/type = "alarm"/);
    expect(json).toContain('alarms = local.alarm_arns');
    expect(squash(dev.locals.alarm_arns)).toContain('module.alarms.alarm_names');
    expect(squash(dev.locals.alarm_arns)).toContain(':alarm:${name}');
  });
});
