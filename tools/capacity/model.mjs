// Orders per second the deployment carries: every limit on the order path as a capacity (a
// setting, an AWS quota, an AWS hard limit or a constant in our code) divided by what one order
// asks of it. Pure: same arguments, same answer. `inputs` from readInputs(), `quotas` the `quotas`
// object of quotas.json, `durations` durations.json, `a` the assumptions.
import { fulfilmentOutcomes, itemBytes, pathLength } from '../cost/model.mjs';
import { sampleItems } from '../cost/assumptions.mjs';

const kb = (bytes) => Math.max(1, Math.ceil(bytes / 1024));
const fourKb = (bytes) => Math.max(1, Math.ceil(bytes / 4096));

/**
 * What a limit is, for what it takes to raise it: `setting` (our Terraform or infra/settings.json,
 * up to `maximum` where a module validates one), `quota` (AWS, adjustable by a quota increase),
 * `limit` (AWS, not adjustable), `code` (a constant of our code).
 */
export const KINDS = ['setting', 'quota', 'limit', 'code'];

function quota(quotas, name) {
  const q = quotas[name];
  if (!q) throw new Error(`no quota ${name} in tools/capacity/quotas.json`);
  return q;
}

/** A quota's value in `region`: the large-Region figure, or `otherRegions` / `lowRegions` where the table has them. */
export function regional(q, region) {
  if (q.largeRegions && !q.largeRegions.includes(region)) return q.otherRegions;
  if (q.lowRegions && q.lowRegions.regions.includes(region)) return q.lowRegions;
  return { value: q.value, burst: q.burst };
}

/**
 * A handler's duration in a Region, ms: the warm mean measured locally, Lambda's per-invocation
 * overhead, and each call the handler makes in sequence at its in-region cost. Records of a batch
 * are processed concurrently (handler-kit processRecords), so a batch waits for one record's calls.
 */
export function inRegionMs(measured, a) {
  if (!measured) throw new Error('a handler has no measured duration in tools/capacity/durations.json (npm run capacity -- --measure)');
  const sequential = Object.entries(measured.callsPerInvocation ?? {}).reduce((n, [service, calls]) => n + (calls / (measured.records ?? 1)) * (a.inRegionCallMs[service] ?? 0), 0);
  return measured.meanMs + a.invocationOverheadMs + sequential;
}

/** What one accepted POST /order asks of every resource on its path, per order. */
export function perOrder(inputs, durations, a) {
  const f = inputs.functions;
  const d = (key) => inRegionMs(durations.functions[key], a) / 1000;
  const accepted = 1 - a.rejectedShare;
  const outcome = fulfilmentOutcomes(inputs.fulfilment);
  const receives = accepted * outcome.receives;
  const deadLetters = accepted * outcome.deadLettered;
  const batch = (app) => (a.fullBatches ? f[app].eventSource.batchSize : 1);
  const fulfilBatches = receives / batch('fulfill-order');
  const dlqBatches = deadLetters / batch('dlq-handler');
  const invocations = {
    'api-handler': 1 + a.getsPerOrder,
    'validate-order': 1,
    'store-order': 1,
    'fulfill-order': fulfilBatches,
    'dlq-handler': dlqBatches,
  };
  const seconds = {
    'api-handler': d('api-handler:post') + a.getsPerOrder * d('api-handler:get'),
    'validate-order': d('validate-order'),
    'store-order': d('store-order'),
    'fulfill-order': fulfilBatches * d('fulfill-order'),
    'dlq-handler': dlqBatches * d('dlq-handler'),
  };
  const items = sampleItems();
  const sm = inputs.stateMachine;
  const failedReceives = accepted * (outcome.receives - outcome.fulfilled);
  return {
    accepted,
    outcome,
    receives,
    deadLetters,
    apiRequests: 1 + a.getsPerOrder,
    invocations,
    seconds,
    batchSeconds: { 'fulfill-order': d('fulfill-order'), 'dlq-handler': d('dlq-handler') },
    startExecutions: 1,
    stateTransitions: accepted * pathLength(sm.definition) + a.rejectedShare * pathLength(sm.definition, { rejected: true }),
    writeUnits: {
      // intake put, StoreOrder's update, one update per fulfilment attempt, the dead letter's transaction (2 per item)
      orders_table: kb(itemBytes(items.received)) + kb(Math.max(itemBytes(items.received), itemBytes(items.pending))) + receives * kb(itemBytes(items.fulfilled)) + deadLetters * 2 * kb(itemBytes(items.fulfilled)),
      idempotency_keys_table: a.idempotencyKeyShare * kb(a.idempotencyItemBytes),
      failed_orders_table: deadLetters * 2 * kb(itemBytes(items.failedOrder)),
    },
    readUnits: {
      // fulfilment's and the dead letter's consistent read, a GET's eventually consistent read
      orders_table: (receives + deadLetters) * fourKb(itemBytes(items.retrying)) + a.getsPerOrder * 0.5 * fourKb(itemBytes(items.fulfilled)),
      idempotency_keys_table: 0,
      failed_orders_table: 0,
    },
    // Every order, accepted or rejected, enters the index at intake and leaves it when it ends.
    openIndexWrites: 2 * kb(a.gsiItemBytes),
    // A receive is in flight while its batch runs; a failed one until its visibility timeout ends.
    inFlightSeconds: {
      order_queue: accepted * outcome.fulfilled * d('fulfill-order') + failedReceives * inputs.queues.visibilityTimeoutSeconds,
      order_dlq: dlqBatches * batch('dlq-handler') * d('dlq-handler'),
    },
  };
}

const fmt = (n) => Math.ceil(n).toLocaleString('en-US');
const constraint = (fields) => ({ ...fields, ceiling: fields.demand > 0 ? fields.capacity / fields.demand : Infinity });

/** Every limit on the order path with its ceiling in orders per second. */
export function constraints(inputs, quotas, durations, a) {
  const p = perOrder(inputs, durations, a);
  const q = (name) => quota(quotas, name);
  const region = inputs.region;
  const list = [];

  list.push(
    constraint({
      id: 'api.stage',
      label: 'API stage throttle, POST /order',
      kind: 'setting',
      capacity: inputs.api.rateLimit,
      maximum: inputs.api.rateLimitMaximum,
      demand: 1,
      unit: 'req/s',
      where: `api_throttling_rate_limit (infra/envs/dev/variables.tf), burst api_throttling_burst_limit ${inputs.api.burstLimit}`,
      raise: (n) => `api_throttling_rate_limit = ${fmt(n)} (the http-api module accepts up to ${fmt(inputs.api.rateLimitMaximum)}), api_throttling_burst_limit up to ${fmt(inputs.api.burstLimitMaximum)}`,
    }),
  );
  const apiAccount = regional(q('apiGatewayAccountThrottle'), region);
  list.push(constraint({ id: 'api.account', label: 'API Gateway, account per Region', kind: 'quota', capacity: apiAccount.value, demand: p.apiRequests, unit: 'req/s', where: 'Service Quotas: API Gateway throttle rate (L-8A5B8E43)', quota: 'apiGatewayAccountThrottle', raise: (n) => `quota increase: API Gateway throttle rate >= ${fmt(n)} requests/s` }));

  const account = q('lambdaConcurrentExecutions').value;
  const reserved = Object.entries(inputs.functions).filter(([, fn]) => fn.reserved !== null);
  const reservedTotal = reserved.reduce((n, [, fn]) => n + fn.reserved, 0);
  // The reconciler runs once a minute, at most one environment at a time in steady state.
  const reconciler = inputs.functions['reconcile-orders'] && inputs.functions['reconcile-orders'].reserved === null ? 1 : 0;
  const unreservedApps = Object.keys(p.seconds).filter((app) => inputs.functions[app].reserved === null);
  list.push(
    constraint({
      id: 'lambda.concurrency',
      label: `Lambda concurrency, account${reservedTotal ? ` less ${reservedTotal} reserved` : ''}`,
      kind: 'quota',
      capacity: account - reservedTotal - reconciler,
      demand: unreservedApps.reduce((n, app) => n + p.seconds[app], 0),
      unit: 'executions',
      where: `Service Quotas: Lambda concurrent executions (L-B99A9384); ${reconciler} kept for the reconciler`,
      quota: 'lambdaConcurrentExecutions',
      raise: (n) => `quota increase: Lambda concurrent executions >= ${fmt(n + reservedTotal + reconciler)}`,
    }),
  );
  for (const [app, fn] of reserved) {
    if (!(app in p.seconds)) continue;
    list.push(constraint({ id: `lambda.reserved.${app}`, label: `${app} reserved concurrency`, kind: 'setting', capacity: fn.reserved, demand: p.seconds[app], unit: 'executions', where: `reserved_concurrent_executions of module ${fn.module} (infra/envs/dev/main.tf)`, raise: (n) => `reserved_concurrent_executions = ${fmt(n)} in module ${fn.module} (at most the account concurrency less ${q('lambdaUnreservedMinimum').value} kept unreserved)` }));
  }
  list.push(
    constraint({
      id: 'lambda.rps',
      label: 'Lambda invocations, 10 x account concurrency',
      kind: 'quota',
      capacity: q('lambdaRequestsPerConcurrency').value * account,
      demand: Object.values(p.invocations).reduce((n, v) => n + v, 0),
      unit: 'inv/s',
      where: 'raised with Lambda concurrent executions (L-B99A9384)',
      quota: 'lambdaConcurrentExecutions',
      raise: (n) => `quota increase: Lambda concurrent executions >= ${fmt(n / q('lambdaRequestsPerConcurrency').value)} (${fmt(n)} invocations/s)`,
    }),
  );
  for (const [app, fn] of Object.entries(inputs.functions)) {
    if (!fn.eventSource) continue;
    const esmMax = q('sqsEsmMaxConcurrentBatches').value;
    const limitedBy = fn.eventSource.maximumConcurrency ?? esmMax;
    list.push(
      constraint({
        id: `esm.${app}`,
        label: `${app} event source mapping, concurrent batches`,
        kind: fn.eventSource.maximumConcurrency === null ? 'limit' : 'setting',
        capacity: limitedBy,
        maximum: fn.eventSource.maximumConcurrency === null ? undefined : q('sqsEsmMaximumConcurrencyRange').value,
        demand: p.seconds[app],
        unit: 'batches',
        where:
          fn.eventSource.maximumConcurrency === null
            ? `${fn.eventSource.queue}: standard-mode scaling maximum; provisioned mode (billed) lifts it`
            : `maximum_concurrency of ${fn.eventSource.queue} in module ${fn.module} (infra/envs/dev/main.tf)`,
        raise: (n) =>
          n > q('sqsEsmMaximumConcurrencyRange').value || fn.eventSource.maximumConcurrency === null
            ? `provisioned mode on the ${fn.eventSource.queue} mapping with >= ${fmt(n / 10)} pollers (10 concurrent invocations each; billed; a change to infra/modules/lambda-function)`
            : `maximum_concurrency = ${fmt(n)} for ${fn.eventSource.queue} in module ${fn.module}`,
      }),
    );
  }
  const express = inputs.stateMachine.type === 'EXPRESS';
  const start = express ? q('sfnExpressStartExecution') : q('sfnStandardStartExecution');
  list.push(
    constraint({
      id: 'sfn.start',
      label: `Step Functions StartExecution, ${inputs.stateMachine.type}`,
      kind: 'quota',
      capacity: regional(start, region).value,
      demand: p.startExecutions,
      unit: 'starts/s',
      where: `Service Quotas: Step Functions StartExecution (${express ? 'Express' : 'Standard'}), bucket ${regional(start, region).burst}`,
      quota: express ? 'sfnExpressStartExecution' : 'sfnStandardStartExecution',
      raise: (n) => `quota increase: Step Functions StartExecution (${express ? 'Express' : 'Standard'}) >= ${fmt(n)}/s${express ? '' : ', or state_machine_type EXPRESS (6,000/s)'}`,
    }),
  );
  if (!express) {
    const transitions = regional(q('sfnStandardStateTransitions'), region);
    list.push(constraint({ id: 'sfn.transitions', label: 'Step Functions state transitions, STANDARD', kind: 'quota', capacity: transitions.value, demand: p.stateTransitions, unit: 'transitions/s', where: `Service Quotas: Step Functions StateTransition, bucket ${transitions.burst}`, quota: 'sfnStandardStateTransitions', raise: (n) => `quota increase: Step Functions StateTransition >= ${fmt(n)}/s, or state_machine_type EXPRESS (not throttled)` }));
  }
  for (const table of Object.keys(p.writeUnits)) {
    if (!(table in inputs.tables)) continue;
    const name = table.replace(/_table$/, '');
    list.push(constraint({ id: `ddb.${name}.write`, label: `DynamoDB ${name} writes, per table`, kind: 'quota', capacity: q('dynamodbTableWriteUnits').value, demand: p.writeUnits[table], unit: 'WRU/s', where: 'Service Quotas: DynamoDB table-level write throughput', quota: 'dynamodbTableWriteUnits', raise: (n) => `quota increase: DynamoDB table-level write throughput >= ${fmt(n)} WRU/s` }));
    if (p.readUnits[table] > 0) list.push(constraint({ id: `ddb.${name}.read`, label: `DynamoDB ${name} reads, per table`, kind: 'quota', capacity: q('dynamodbTableReadUnits').value, demand: p.readUnits[table], unit: 'RRU/s', where: 'Service Quotas: DynamoDB table-level read throughput', quota: 'dynamodbTableReadUnits', raise: (n) => `quota increase: DynamoDB table-level read throughput >= ${fmt(n)} RRU/s` }));
  }
  if (inputs.tables.orders_table?.globalSecondaryIndexes.includes('open-orders')) {
    list.push(
      constraint({
        id: 'ddb.open-orders',
        label: `open-orders index, ${inputs.openOrderShards} shard partitions`,
        kind: 'code',
        capacity: inputs.openOrderShards * q('dynamodbPartitionWriteUnits').value,
        demand: p.openIndexWrites,
        unit: 'index WCU/s',
        where: 'OPEN_ORDER_SHARDS (libs/ddb-repo/src/orders-table.ts): 1,000 WCU per partition key value, sort key monotonic',
        raise: (n) => `code change: OPEN_ORDER_SHARDS >= ${fmt(Math.ceil(n / q('dynamodbPartitionWriteUnits').value))} (libs/ddb-repo/src/orders-table.ts)`,
      }),
    );
  }
  for (const [queue, seconds] of Object.entries(p.inFlightSeconds)) {
    list.push(
      constraint({
        id: `sqs.inflight.${queue}`,
        label: `${queue} messages in flight`,
        kind: 'quota',
        capacity: q('sqsInFlightPerStandardQueue').value,
        demand: seconds,
        unit: 'messages',
        where: queue === 'order_queue' ? `support request; a failed attempt holds its message for visibilityTimeoutSeconds ${inputs.queues.visibilityTimeoutSeconds}` : 'support request',
        quota: 'sqsInFlightPerStandardQueue',
        raise: (n) => `support request: ${queue} in-flight messages >= ${fmt(n)}`,
      }),
    );
  }
  return { perOrder: p, list: list.sort((x, y) => x.ceiling - y.ceiling) };
}

/** What a constraint needs to carry `target` orders/s: its capacity, and the change that gives it. */
export function needed(c, target) {
  const capacity = c.demand * target;
  return { capacity, text: c.raise(capacity) };
}

/**
 * The capacity model: the deployed ceiling and what binds, what each limit below `target` needs,
 * and the design's ceiling once every quota is raised and every setting is at its maximum (what
 * remains are AWS's hard limits and our code's constants).
 */
export function capacity(inputs, quotas, durations, a) {
  const { perOrder: p, list } = constraints(inputs, quotas, durations, a);
  const target = a.targetOrdersPerSecond;
  const [binding] = list;
  const below = list.filter((c) => c.ceiling < target).map((c) => ({ ...c, needs: needed(c, target), reachable: c.kind === 'quota' || (c.kind === 'setting' && (c.maximum === undefined || c.maximum >= c.demand * target)) }));
  const settingAtMaximum = (c) => (c.kind === 'setting' ? { ...c, ceiling: c.maximum === undefined ? Infinity : c.maximum / c.demand } : c);
  const lowest = (cs) => cs.reduce((min, c) => (c.ceiling < min.ceiling ? c : min));
  // Our settings at their maximum, AWS's quotas as they come: what the design carries without asking AWS.
  const defaults = lowest(list.map(settingAtMaximum));
  // Every quota raised as far as needed too: what is left are AWS's hard limits and our code.
  const design = lowest(list.map((c) => (c.kind === 'quota' ? { ...c, ceiling: Infinity } : settingAtMaximum(c))));
  return {
    target,
    perOrder: p,
    list,
    ceiling: binding.ceiling,
    binding,
    below,
    atDefaultQuotas: { ceiling: defaults.ceiling, binding: defaults },
    design: { ceiling: design.ceiling, binding: design },
  };
}

/** Seconds (or minutes) to reach `rate` orders/s from nothing: Lambda's and the event source mapping's scaling rates, DynamoDB's warm throughput. */
export function rampUp(result, inputs, quotas, rate) {
  const p = result.perOrder;
  const q = (name) => quota(quotas, name);
  const perFunction = Object.entries(p.seconds).map(([app, s]) => ({ app, environments: Math.ceil(rate * s) }));
  const widest = perFunction.reduce((m, x) => (x.environments > m.environments ? x : m));
  const batches = Math.ceil(rate * p.seconds['fulfill-order']);
  const warm = q('dynamodbNewOnDemandWarmWrites');
  const ordersWru = p.writeUnits.orders_table * rate;
  return {
    lambda: { ...widest, seconds: 10 * Math.ceil(widest.environments / q('lambdaScalingRate').value) },
    esm: { batches, minutes: Math.max(0, batches - q('sqsEsmInitialConcurrentBatches').value) / q('sqsEsmScaleUpPerMinute').value },
    dynamodb: { writeUnits: ordersWru, indexWriteUnits: p.openIndexWrites * rate, warm: warm.value, instantOrdersPerSecond: warm.value / p.writeUnits.orders_table, doublings: Math.max(0, Math.ceil(Math.log2(ordersWru / warm.value))) },
    apiBurst: { stage: inputs.api.burstLimit, account: regional(q('apiGatewayAccountThrottle'), inputs.region).burst },
  };
}

/** Limits that do not grow with orders: the reconciler's CloudWatch reads and how fast it re-reads open orders. */
export function perRun(inputs, quotas, a) {
  const interval = Math.max(60, inputs.reconciler.intervalSeconds);
  return {
    getMetricData: { perSecond: a.getMetricDataPerRun / interval, quota: quota(quotas, 'cloudwatchGetMetricDataTps').value },
    reconcilerKeysPerSecond: inputs.reconciler.maxOrdersPerRun / interval,
    shards: inputs.openOrderShards,
  };
}
