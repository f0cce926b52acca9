// The Embedded Metric Format lines the functions write, built with the real writer
// (libs/handler-kit/src/metrics.ts, compiled here with esbuild), and the custom metrics the code
// emits (metric name x `service` dimension), found in the handlers' sources.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { transform } from 'esbuild';
import { ROOT } from '../lib/terraform.mjs';

const METRICS_SOURCE = join(ROOT, 'libs/handler-kit/src/metrics.ts');
/** A fixed instant: a 13-digit epoch, the size of every real Timestamp. */
const AT = new Date('2026-12-01T12:00:00.000Z');

async function loadMetricsModule() {
  const { code } = await transform(readFileSync(METRICS_SOURCE, 'utf8'), { loader: 'ts', format: 'esm', target: 'node20' });
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

/** The line `Metrics.flush` writes for `service` after `record(metrics)`; its byte length. */
async function lineBytes(Metrics, service, record, properties) {
  const lines = [];
  const metrics = new Metrics({ service, writeLine: (line) => lines.push(line) }, () => AT);
  record(metrics);
  metrics.flush(properties);
  if (lines.length !== 1) throw new Error(`expected one EMF line for ${service}, got ${lines.length}`);
  return Buffer.byteLength(lines[0]);
}

/**
 * Bytes of one EMF line per case, recorded as the handlers record them: api-handler per accepted
 * order, store-order per rejection, fulfill-order per batch (a success adds OrdersFulfilled and an
 * IntakeToTerminalMs sample), dlq-handler per batch with an order set FAILED, reconcile-orders per
 * run (its summary properties as apps/reconcile-orders/src/handler.ts writes them).
 */
export async function emfLineBytes() {
  const { Metrics } = await loadMetricsModule();
  return {
    apiAccepted: await lineBytes(Metrics, 'api-handler', (m) => m.count('OrdersAccepted')),
    storeRejected: await lineBytes(Metrics, 'store-order', (m) => m.count('OrdersRejected')),
    fulfilSuccess: await lineBytes(Metrics, 'fulfill-order', (m) => {
      m.count('FulfilmentAttempts');
      m.count('OrdersFulfilled');
      m.sample('IntakeToTerminalMs', 1843, 'Milliseconds');
    }),
    fulfilFailure: await lineBytes(Metrics, 'fulfill-order', (m) => m.count('FulfilmentAttempts')),
    dlqFailed: await lineBytes(Metrics, 'dlq-handler', (m) => m.count('OrdersFailed')),
    reconcileRun: await lineBytes(
      Metrics,
      'reconcile-orders',
      (m) => {
        for (const name of ['Scanned', 'Redriven', 'Requeued', 'GaveUp', 'AwaitingQueue', 'RedriveErrors']) m.count(name, 0);
      },
      { level: 'INFO', message: 'reconcile run finished', request_id: '8f2b5e0a-3c1d-4e8b-9a7f-2d6c4b1e0f9a', skipped: 0, errors: 0, duration_ms: 42 },
    ),
  };
}

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * The custom metrics the code emits: `<service>/<name>` for every `.count('Name'` or
 * `.sample('Name'` in apps/<app>/src, and the `['Name', …]` pairs a handler passes to
 * `metrics.count(name, …)` in a loop (reconcile-orders). The dimension is always `service` = app.
 */
export function customMetrics(apps) {
  const found = new Set();
  for (const app of apps) {
    for (const file of sourceFiles(join(ROOT, 'apps', app, 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const [, name] of text.matchAll(/\.(?:count|sample)\('([A-Za-z]\w*)'/g)) found.add(`${app}/${name}`);
      if (/metrics\.count\(name,/.test(text)) {
        for (const [, name] of text.matchAll(/\[\s*'([A-Z]\w*)',\s*summary\.\w+\s*\]/g)) found.add(`${app}/${name}`);
      }
    }
  }
  return [...found].sort();
}
