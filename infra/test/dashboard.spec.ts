/**
 * The environment's CloudWatch dashboard: every business metric the functions write (Embedded
 * Metric Format, namespace DOFS, dimension service) beside the queue depths and the alarms.
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
    // The reconciler's own metrics too.
    expect(dev.locals.reconciler_metrics).toEqual(['Redriven', 'Requeued', 'GaveUp']);
    expect(json).toContain('"reconcile-orders"');
  });

  it('shows the depths of order_queue, order_dlq and the parking queue, and the state of every alarm', async () => {
    const { dev, json } = await body();
    const queues = squash(dev.locals.dashboard_queues);
    for (const output of ['queue_name', 'dead_letter_queue_name', 'parking_queue_name']) expect(queues).toContain(`module.order_queue.${output}`);
    expect(json).toContain('"ApproximateNumberOfMessagesVisible"');
    expect(json).toMatch(/type = "alarm"/);
    expect(json).toContain('alarms = local.alarm_arns');
    expect(squash(dev.locals.alarm_arns)).toContain('module.alarms.alarm_names');
    expect(squash(dev.locals.alarm_arns)).toContain(':alarm:${name}');
  });
});
