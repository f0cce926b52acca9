// USD per million orders from the deployed settings (inputs.mjs), a price table (prices.json) and
// the assumptions (assumptions.mjs). Pure: same arguments, same answer.

const SECONDS_PER_MONTH = 30 * 24 * 3600;
const MILLION = 1_000_000;

/** DynamoDB item size: UTF-8 attribute names and values; numbers ~1 byte per 2 digits + 1; 3 bytes per map/list + 1 per element. */
export function itemBytes(value) {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace(/[.-]/g, '').length / 2) + 1;
  if (Array.isArray(value)) return 3 + value.reduce((n, v) => n + 1 + itemBytes(v), 0);
  return 3 + Object.entries(value).reduce((n, [k, v]) => n + Buffer.byteLength(k) + 1 + itemBytes(v), 0);
}
const kb = (bytes) => Math.max(1, Math.ceil(bytes / 1024));
const fourKb = (bytes) => Math.max(1, Math.ceil(bytes / 4096));

/**
 * States entered from StartAt following Next; a Choice state takes its first choice, or its
 * Default when `rejected` (the order workflow's CheckVerdict: valid -> StoreOrder, else
 * StoreRejectedOrder); `through` follows a state's catcher of that error instead.
 */
export function pathLength(definition, { through, rejected = false } = {}) {
  let name = definition.StartAt;
  let count = 0;
  const seen = new Set();
  while (name && !seen.has(name)) {
    seen.add(name);
    count += 1;
    const state = definition.States[name];
    const catcher = through && (state.Catch ?? []).find((c) => c.ErrorEquals.includes(through));
    if (state.Type === 'Choice') name = rejected ? state.Default : state.Choices?.[0]?.Next;
    else name = catcher ? catcher.Next : state.End ? undefined : state.Next;
  }
  return count;
}

/** Lambda's own sampling for Active functions: 1 request a second and 5 % of the rest, not configurable by sampling rules. */
export const LAMBDA_SAMPLING = { reservoirPerSecond: 1, fixedRate: 0.05 };

/** Share of requests X-Ray records at `perSecond` requests a second: the reservoir, then the fixed rate. */
export function sampledShare(perSecond, { reservoirPerSecond, fixedRate }) {
  if (perSecond <= 0) return 0;
  if (perSecond <= reservoirPerSecond) return 1;
  return (reservoirPerSecond + fixedRate * (perSecond - reservoirPerSecond)) / perSecond;
}

/** Lambda's platform lines per invocation: START, END, REPORT (+ XRAY when traced); none in the JSON format at system level WARN or above. */
function platformLogBytes(fn, traced, coldStartShare) {
  if (fn.logFormat === 'JSON' && fn.systemLogLevel !== 'DEBUG' && fn.systemLogLevel !== 'INFO') return { bytes: 0, events: 0 };
  const text = textPlatformLogBytes(traced, coldStartShare);
  // The JSON format writes the same facts as objects (platform.start, platform.report with metrics): about 1.6 times the bytes.
  return fn.logFormat === 'JSON' ? { bytes: 1.6 * text.bytes, events: text.events } : text;
}

function textPlatformLogBytes(traced, coldStartShare) {
  const id = '8f2b5e0a-3c1d-4e8b-9a7f-2d6c4b1e0f9a';
  const start = `START RequestId: ${id} Version: $LATEST`;
  const end = `END RequestId: ${id}`;
  const report = `REPORT RequestId: ${id}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\tMax Memory Used: 89 MB\t`;
  const init = '\tInit Duration: 245.67 ms';
  const xray = '\nXRAY TraceId: 1-5e1b4151-5ac6c58f5a7e3b5d1e1f0c2a\tSegmentId: 53995c3f42cd8ad8\tSampled: true';
  return { bytes: start.length + end.length + report.length + coldStartShare * init.length + (traced ? xray.length : 0) + 3, events: 3 };
}

/** Lambda's application log levels, least severe first (JSON log format). */
const APPLICATION_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
/** Whether Lambda keeps a line it classes `level` when the function's application log level is `threshold`. */
export function lambdaKeeps(level, threshold) {
  return APPLICATION_LEVELS.indexOf(level) >= APPLICATION_LEVELS.indexOf(threshold ?? 'INFO');
}

/** One access log line: the module's format (key -> $context variable) rendered with `values`, as JSON. */
export function accessLogLineBytes(format, values) {
  const line = {};
  for (const [key, variable] of Object.entries(format)) {
    if (!(variable in values)) throw new Error(`no representative value for ${variable} (tools/cost/assumptions.mjs accessLogValues)`);
    line[key] = String(values[variable]);
  }
  return Buffer.byteLength(JSON.stringify(line));
}

/** Expected fulfilment attempts per queued order, and the shares fulfilled and dead-lettered. */
export function fulfilmentOutcomes({ successRate: p, maxReceiveCount: n }) {
  const deadLettered = (1 - p) ** n;
  const receives = p === 0 ? n : (1 - deadLettered) / p;
  return { receives, fulfilled: 1 - deadLettered, deadLettered, failedAttempts: receives - (1 - deadLettered) };
}

/**
 * Usage per order and its price, by service. `inputs` from readInputs(), `prices` the `prices`
 * object of prices.json, `a` the assumptions, `items` sampleItems().
 */
export function costPerMillion(inputs, prices, a, items) {
  const price = (name) => {
    if (!prices[name]) throw new Error(`no price ${name} in tools/cost/prices.json`);
    return prices[name].usd;
  };
  const f = inputs.functions;
  const orderRate = a.ordersPerMonth / SECONDS_PER_MONTH;
  const accepted = 1 - a.rejectedShare;
  const outcome = fulfilmentOutcomes(inputs.fulfilment);
  const queued = accepted; // every accepted order is enqueued once
  const receives = queued * outcome.receives;
  const perBatch = (fn) => Math.max(1, Math.min(fn.batchSize ?? 1, orderRate * receives * (fn.batchWindowSeconds ?? 0)));
  const fulfilBatch = perBatch(f['fulfill-order']);
  const dlqBatch = Math.max(1, Math.min(f['dlq-handler'].batchSize ?? 1, orderRate * queued * outcome.deadLettered * (f['dlq-handler'].batchWindowSeconds ?? 0)));
  const fulfilInvocations = receives / fulfilBatch;
  const dlqRecords = queued * outcome.deadLettered;
  const dlqInvocations = dlqRecords / dlqBatch;
  const lines = [];
  const add = (service, usd, usage) => lines.push({ service, usd, usage });

  // API Gateway
  const apiRequests = 1 + a.getsPerOrder;
  add(`API Gateway ${inputs.api.type}`, apiRequests * price(inputs.api.type === 'REST' ? 'apiGatewayRestPerMillionRequests' : 'apiGatewayHttpPerMillionRequests'), `${apiRequests} requests (POST + ${a.getsPerOrder} GET)`);

  // Lambda: invocations, duration (and billed init on cold starts) by memory and architecture.
  const d = a.durationMs;
  // EMF metric lines (inputs.metrics.emfLineBytes, built with the real writer), one per invocation
  // that recorded a metric: api-handler per accepted POST, store-order per rejection,
  // fulfill-order per batch (with OrdersFulfilled when a record of the batch succeeded), dlq-handler
  // per batch that set an order FAILED. `emf` is bytes per invocation of the call.
  const emf = inputs.metrics.emfLineBytes;
  const fulfilledRecords = queued * outcome.fulfilled;
  const successBatchShare = Math.min(1, fulfilledRecords / fulfilInvocations);
  const invocations = {
    'api-handler': [{ n: 1, ms: d.apiPost, log: a.appLogBytes.apiPost, emf: emf.apiAccepted, emfLines: 1 }, { n: a.getsPerOrder, ms: d.apiGet, log: a.appLogBytes.apiGet, emf: 0, emfLines: 0 }],
    'validate-order': [{ n: 1, ms: d.validate, log: a.appLogBytes.validate, emf: 0, emfLines: 0 }],
    'store-order': [{ n: 1, ms: d.store, log: a.appLogBytes.store, emf: a.rejectedShare * emf.storeRejected, emfLines: a.rejectedShare }],
    'fulfill-order': [{ n: fulfilInvocations, ms: d.fulfilPerBatch + fulfilBatch * d.fulfilPerRecord, log: a.appLogBytes.fulfilPerBatch + fulfilBatch * a.appLogBytes.fulfilPerRecord, emf: successBatchShare * emf.fulfilSuccess + (1 - successBatchShare) * emf.fulfilFailure, emfLines: 1 }],
    'dlq-handler': [{ n: dlqInvocations, ms: dlqBatch * d.dlqPerRecord, log: dlqBatch * a.appLogBytes.dlqPerRecord, emf: emf.dlqFailed, emfLines: 1 }],
  };
  let lambdaRequests = 0;
  let lambdaUsd = 0;
  let gbSeconds = 0;
  for (const [app, calls] of Object.entries(invocations)) {
    const fn = f[app];
    const perGbSecond = price(fn.architecture === 'arm64' ? 'lambdaArm64PerGbSecond' : 'lambdaX86PerGbSecond');
    for (const call of calls) {
      const seconds = call.n * (Math.ceil(call.ms) + a.coldStartShare * a.initMs) / 1000;
      const gbs = seconds * (fn.memoryMb / 1024);
      lambdaRequests += call.n;
      gbSeconds += gbs;
      lambdaUsd += call.n * price('lambdaPerMillionRequests') + gbs * perGbSecond * MILLION;
    }
  }
  const memories = [...new Set(Object.values(f).map((fn) => `${fn.memoryMb} MB ${fn.architecture}`))].join(', ');
  add('Lambda', lambdaUsd, `${lambdaRequests.toFixed(2)} invocations, ${(gbSeconds * 1000).toFixed(1)} GB-ms (${memories})`);

  // Step Functions
  const sm = inputs.stateMachine;
  const acceptedPath = pathLength(sm.definition);
  const rejectedPath = pathLength(sm.definition, { rejected: true });
  if (sm.type === 'STANDARD') {
    const transitions = accepted * acceptedPath + a.rejectedShare * rejectedPath;
    add('Step Functions STANDARD', ((transitions * MILLION) / 1000) * price('sfnStandardPerThousandTransitions'), `${transitions.toFixed(2)} state transitions (${acceptedPath} accepted, ${rejectedPath} rejected)`);
  } else {
    const gbs = (Math.ceil(a.expressExecutionMs / 100) * 0.1) * (Math.ceil(a.expressMemoryMb / 64) * 64 / 1024);
    add('Step Functions EXPRESS', price('sfnExpressPerMillionRequests') + gbs * price('sfnExpressPerGbSecond') * MILLION, `1 execution, ${(gbs * 1000).toFixed(2)} GB-ms`);
  }

  // DynamoDB: request units (transactions at twice the rate), GSI write amplification, one month of storage.
  const it = items;
  const orderKb = kb(itemBytes(it.received));
  // Intake: the order's conditional put, then (with an Idempotency-Key) the key's: two plain puts, not a transaction.
  const intakeWru = orderKb + a.idempotencyKeyShare * kb(a.idempotencyItemBytes);
  const storeWru = kb(Math.max(itemBytes(it.received), itemBytes(it.pending)));
  const fulfilReadRru = fourKb(itemBytes(it.retrying));
  const fulfilWru = kb(itemBytes(it.fulfilled));
  const dlqWru = 2 * kb(itemBytes(it.failedOrder)) + 2 * kb(itemBytes(it.fulfilled));
  const gsiKb = kb(a.gsiItemBytes);
  const statusChanges = accepted * (1 + outcome.failedAttempts); // RECEIVED->PENDING, then ->RETRYING on each failed attempt
  const ordersGsis = inputs.tables.orders_table?.globalSecondaryIndexes ?? 0;
  const gsiWrites = ordersGsis * gsiKb * (1 /* enters as RECEIVED */ + statusChanges * a.gsiWritesPerStatusChange + 1 /* leaves when terminal */);
  const wru = intakeWru + accepted * storeWru + a.rejectedShare * storeWru + receives * fulfilWru + dlqRecords * dlqWru + gsiWrites;
  const rru = receives * fulfilReadRru + dlqRecords * fulfilReadRru + a.getsPerOrder * 0.5 * fourKb(itemBytes(it.fulfilled));
  const storedGb = (itemBytes(it.fulfilled) + 100) / 1024 ** 3; // + per-item overhead
  const pitr = Object.values(inputs.tables).some((t) => t.pointInTimeRecovery);
  const storageUsd = storedGb * (price('dynamodbStoragePerGbMonth') + (pitr ? price('dynamodbPitrPerGbMonth') : 0));
  add(
    'DynamoDB on demand',
    wru * price('dynamodbPerMillionWriteRequestUnits') + rru * price('dynamodbPerMillionReadRequestUnits') + storageUsd * MILLION,
    `${wru.toFixed(2)} WRU (intake ${intakeWru.toFixed(1)}, GSI ${gsiWrites.toFixed(1)}, ${ordersGsis} index), ${rru.toFixed(2)} RRU, 1 month of ${itemBytes(it.fulfilled)} B stored${pitr ? ' + PITR' : ''}`,
  );

  // SQS: SendMessage from the workflow, receives and batched deletes by the event source mappings.
  const sqsRequests = queued + fulfilInvocations + (queued * outcome.fulfilled) / fulfilBatch + 2 * dlqInvocations;
  add('SQS', sqsRequests * price('sqsStandardPerMillionRequests'), `${sqsRequests.toFixed(2)} requests (send, receive, delete; ${fulfilBatch.toFixed(1)} records per batch)`);

  // CloudWatch Logs: our lines (by LOG_LEVEL), EMF metric lines, Lambda's platform lines, Step
  // Functions history events, API access logs.
  const levelKeeps = (level) => (level === 'debug' || level === 'info' ? 1 : 0);
  let logBytes = 0;
  let emfBytes = 0;
  let logEvents = 0;
  const retention = [];
  for (const [app, calls] of Object.entries(invocations)) {
    const fn = f[app];
    // An XRAY line when the invocation is traced: Active, or called by a traced API stage / workflow.
    const traced = fn.tracingMode === 'Active' || (!['fulfill-order', 'dlq-handler'].includes(app) && (inputs.api.xray || sm.tracing));
    const platform = platformLogBytes(fn, traced, a.coldStartShare);
    // Our lines are info (Lambda keeps them at application level INFO or below); EMF lines carry
    // no `level` key, so Lambda classes them INFO too (JSON format).
    const appKeepsInfo = fn.logFormat !== 'JSON' || lambdaKeeps('INFO', fn.applicationLogLevel);
    for (const call of calls) {
      // At warn/error our logger writes warnings and errors only: of a normal run's lines, an
      // archived dead letter (an order failed for good) is a warning; a failed fulfilment attempt
      // is info (its outcome is in the order's status history).
      const kept = levelKeeps(fn.logLevel) || (app === 'dlq-handler' && fn.logLevel === 'warn');
      const ours = kept && appKeepsInfo ? call.log : 0;
      const metricLines = appKeepsInfo ? call.emf : 0;
      const bytes = call.n * (ours + metricLines + platform.bytes);
      logBytes += bytes;
      emfBytes += call.n * metricLines;
      logEvents += call.n * (platform.events + Math.ceil(ours / 400) + (appKeepsInfo ? call.emfLines : 0));
      retention.push({ bytes, days: fn.logRetentionDays });
    }
  }
  const sfnEvents = sm.logLevel === 'ALL' ? accepted * (2 + 5 * (acceptedPath - 0)) + a.rejectedShare * (2 + 5 * rejectedPath) : 0;
  const sfnBytes = sfnEvents * a.sfnLogEventBytes * (sm.includeExecutionData ? 3 : 1);
  retention.push({ bytes: sfnBytes, days: sm.logRetentionDays });
  const accessLine = (values) => accessLogLineBytes(inputs.api.accessLogFormat, { ...a.accessLogValues.common, ...values });
  const accessLineBytes = inputs.api.accessLogs ? { post: accessLine(a.accessLogValues.post), get: accessLine(a.accessLogValues.get) } : { post: 0, get: 0 };
  const accessBytes = accessLineBytes.post + a.getsPerOrder * accessLineBytes.get;
  retention.push({ bytes: accessBytes, days: inputs.api.logRetentionDays });
  const overhead = (logEvents + sfnEvents + (inputs.api.accessLogs ? apiRequests : 0)) * a.logEventOverheadBytes;
  const ingestedGb = (logBytes + sfnBytes + accessBytes + overhead) / 1024 ** 3;
  const storedGbMonths = retention.reduce((n, r) => n + (r.bytes / 1024 ** 3) * (r.days / 30), 0) / a.logCompressionRatio;
  add(
    'CloudWatch Logs',
    (ingestedGb * price('cloudwatchLogsIngestionPerGb') + storedGbMonths * price('cloudwatchLogsStoragePerGbMonth')) * MILLION,
    `${((logBytes + sfnBytes + accessBytes + overhead) / 1024).toFixed(1)} KB ingested (functions ${(logBytes / 1024).toFixed(1)} of which EMF ${(emfBytes / 1024).toFixed(1)}, workflow ${sm.logLevel} ${(sfnBytes / 1024).toFixed(1)}, access ${(accessBytes / 1024).toFixed(1)}: ${accessLineBytes.post} B a POST line)`,
  );

  // X-Ray: a trace starts where a request is sampled, and everything downstream joins it: a REST
  // stage with tracing (by the sampling rule), api-handler when Active (Lambda's own fixed rate:
  // sampling rules do not apply to functions), else the workflow when traced (by the rule, one
  // execution per order); fulfill-order and dlq-handler start their own traces only when Active.
  const s = inputs.sampling;
  const apiTraces = inputs.api.xray
    ? apiRequests * sampledShare(orderRate * apiRequests, s)
    : f['api-handler'].tracingMode === 'Active'
      ? apiRequests * sampledShare(orderRate * apiRequests, LAMBDA_SAMPLING)
      : 0;
  const workflowTraces = !inputs.api.xray && f['api-handler'].tracingMode !== 'Active' && sm.tracing ? sampledShare(orderRate, s) : 0;
  const consumerTraces = (app, perOrder) => (f[app].tracingMode === 'Active' ? perOrder * sampledShare(orderRate * perOrder, LAMBDA_SAMPLING) : 0);
  const traces = apiTraces + workflowTraces + consumerTraces('fulfill-order', fulfilInvocations) + consumerTraces('dlq-handler', dlqInvocations);
  const startsAt = inputs.api.xray ? 'API stage' : f['api-handler'].tracingMode === 'Active' ? 'api-handler Active, Lambda 1/s + 5 %' : sm.tracing ? 'workflow' : 'nothing';
  add('X-Ray', traces * price('xrayPerMillionTracesRecorded'), `${traces.toFixed(2)} traces (from ${startsAt}; ${s.source}: ${s.reservoirPerSecond}/s + ${s.fixedRate * 100} %)`);

  // The identity provider. API Gateway bills nothing for JWT authorization itself (no authorizer
  // invocation: the HTTP API verifies the token). Cognito bills client-credentials tokens per
  // request and each M2M app client per month; a backend's cached token is reused for its
  // lifetime, so its requests are a fixed monthly item (below), and per order only what is
  // fetched beyond the cache (tokenRequestsPerOrder, 0). User tokens are billed per monthly
  // active user instead (customerOrders, not in the total).
  const id = inputs.identity;
  const perTokenRequest = price('cognitoM2mPerThousandTokenRequests') / 1000;
  const tokenRequestsPerCaller = id?.provider === 'cognito' && id.machineClients > 0 ? SECONDS_PER_MONTH / 60 / id.tokenLifetimeMinutes : 0;
  if (id?.provider === 'cognito') {
    add(
      'Cognito (tokens)',
      a.tokenRequestsPerOrder * perTokenRequest * MILLION,
      `${a.tokenRequestsPerOrder} token requests per order: backends cache a token ${id.tokenLifetimeMinutes} min (${Math.round(tokenRequestsPerCaller)} a month per caller, fixed monthly); JWT authorization itself is not billed`,
    );
  } else if (id?.provider === 'external') {
    add('identity provider (external)', 0, `tokens from ${id.issuer}, priced by that provider (not here); JWT authorization itself is not billed`);
  }
  const mauTier = id?.provider === 'cognito' ? { LITE: 'cognitoLitePerMau', ESSENTIALS: 'cognitoEssentialsPerMau', PLUS: 'cognitoPlusPerMau' }[id.userPoolTier] : undefined;
  if (id?.provider === 'cognito' && !mauTier) throw new Error(`no MAU price for the user pool tier ${id.userPoolTier}`);
  const customerOrders = mauTier
    ? { usd: (price(mauTier) * MILLION) / a.ordersPerActiveCustomer, tier: id.userPoolTier, perMau: price(mauTier), ordersPerActiveCustomer: a.ordersPerActiveCustomer }
    : undefined;

  const total = lines.reduce((n, l) => n + l.usd, 0);
  // reconcile-orders writes one EMF line per scheduled run, whatever the order volume.
  const runsPerMonth = SECONDS_PER_MONTH / Math.max(60, inputs.reconciler.intervalSeconds);
  const reconcileFn = f['reconcile-orders'];
  const reconcileLogGb = reconcileFn && (reconcileFn.logFormat !== 'JSON' || lambdaKeeps('INFO', reconcileFn.applicationLogLevel)) ? (runsPerMonth * (emf.reconcileRun + a.logEventOverheadBytes)) / 1024 ** 3 : 0;
  const fixedMonthly = [
    { item: `${inputs.alarms} CloudWatch alarms`, usd: inputs.alarms * price('cloudwatchAlarmPerMonth') },
    { item: `${inputs.metrics.custom.length} custom metrics (EMF)`, usd: inputs.metrics.custom.length * price('cloudwatchCustomMetricPerMonth') },
    { item: `${inputs.dashboards} CloudWatch dashboard${inputs.dashboards === 1 ? '' : 's'}`, usd: inputs.dashboards * price('cloudwatchDashboardPerMonth') },
    {
      item: `reconciler EMF lines (${Math.round(runsPerMonth).toLocaleString('en-US')} runs)`,
      usd: reconcileLogGb * (price('cloudwatchLogsIngestionPerGb') + (price('cloudwatchLogsStoragePerGbMonth') * (reconcileFn?.logRetentionDays ?? 30)) / 30 / a.logCompressionRatio),
    },
    { item: 'alarm topic KMS key', usd: price('kmsKeyPerMonth') },
    { item: 'SQS empty long polls (2 ESMs)', usd: 2 * 5 * 3 * 60 * 24 * 30 * price('sqsStandardPerMillionRequests') / MILLION },
    ...(id?.provider === 'cognito' && id.machineClients > 0
      ? [
          { item: `Cognito M2M app client${id.machineClients === 1 ? '' : 's'} (${id.machineClients})`, usd: id.machineClients * price('cognitoM2mAppClientPerMonth') },
          { item: `Cognito M2M tokens (${a.machineTokenCallers} x ${Math.round(tokenRequestsPerCaller)})`, usd: a.machineTokenCallers * tokenRequestsPerCaller * perTokenRequest },
        ]
      : []),
  ];
  return { lines, total, fixedMonthly, customerOrders, stateMachineType: sm.type, orderRate, outcome };
}
