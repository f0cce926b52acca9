// One execution environment of one built bundle, for `npm run capacity -- --measure`
// (tools/capacity/measure.mjs copies this file next to the bundle, outside the workspace, and runs
// it with the function's environment and only @aws-sdk/* resolvable, as on the Lambda runtime).
//
//   node measure-runner.cjs <bundle> <scenario> <runs> <warmup> <records>
//
// It loads the bundle once (the cold start is not measured), then invokes the handler one event at
// a time, as one Lambda environment does: `warmup` invocations, then `runs` timed ones. Each event
// and the items it needs are made before the clock starts. It counts the HTTP requests the handler
// makes during each invocation, by endpoint (DynamoDB, Step Functions, SQS), by wrapping
// http.request, which the SDK's request handler looks up when it sends its first request.
// Prints one line `CAPACITY_RESULT <json>`.
'use strict';
const http = require('node:http');
const { randomBytes, randomUUID } = require('node:crypto');
const { performance } = require('node:perf_hooks');

const [bundle, scenario, runsText, warmupText, recordsText] = process.argv.slice(2);
const runs = Number(runsText);
const warmup = Number(warmupText);
const records = Number(recordsText);

const SERVICE_BY_PORT = new Map(
  [
    ['dynamodb', process.env.AWS_ENDPOINT_URL_DYNAMODB],
    ['sfn', process.env.AWS_ENDPOINT_URL_SFN],
    ['sqs', process.env.AWS_ENDPOINT_URL_SQS],
  ]
    .filter(([, url]) => url)
    .map(([service, url]) => [new URL(url).port, service]),
);
let counting = false;
let counts = {};
const originalRequest = http.request;
http.request = function countedRequest(...args) {
  if (counting) {
    const target = args[0];
    const port = String(typeof target === 'string' || target instanceof URL ? new URL(target).port : target.port);
    const service = SERVICE_BY_PORT.get(port) ?? `port ${port}`;
    counts[service] = (counts[service] ?? 0) + 1;
  }
  return originalRequest.apply(this, args);
};

const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient, BatchWriteCommand } = require('@aws-sdk/lib-dynamodb');
const seedClient = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const ORDERS = process.env.ORDERS_TABLE;

const newOrderId = () => `ord_${randomBytes(16).toString('hex')}`;
const orderRequest = () => ({ customer_id: 'c-capacity', items: [{ sku: 'SKU-1', quantity: 2, unit_price_cents: 1999 }], currency: 'USD' });
function storedOrder(orderId, status, extra = {}) {
  const now = new Date().toISOString();
  return {
    order_id: orderId,
    ...orderRequest(),
    total_cents: 3998,
    status,
    attempts: 0,
    request_hash: 'capacity',
    correlation_id: 'corr-capacity',
    received_at: now,
    status_history: [{ to: 'RECEIVED', at: now, by: 'api-handler' }],
    open_shard: `OPEN#${Number.parseInt(orderId.slice(-4), 16) % 8}`,
    open_since: now,
    created_at: now,
    updated_at: now,
    ...extra,
  };
}
async function seed(items) {
  for (let i = 0; i < items.length; i += 25) {
    await seedClient.send(new BatchWriteCommand({ RequestItems: { [ORDERS]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
}
function sqsRecord(orderId, receiveCount, queue) {
  return {
    messageId: randomUUID(),
    receiptHandle: 'AQEBcapacity',
    body: JSON.stringify({ order_id: orderId, correlation_id: 'corr-capacity' }),
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: String(Date.now()), SenderId: 'capacity', ApproximateFirstReceiveTimestamp: String(Date.now()) },
    messageAttributes: {
      order_id: { dataType: 'String', stringValue: orderId, stringListValues: [], binaryListValues: [] },
      correlation_id: { dataType: 'String', stringValue: 'corr-capacity', stringListValues: [], binaryListValues: [] },
    },
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:123456789012:${queue}`,
    awsRegion: 'us-east-1',
  };
}
/** A payload 1.0 event, as the deployed HTTP API integration sends it (infra/modules/http-api). */
function httpEvent(method, path, headers, body, pathParameters) {
  const multiValueHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
  return {
    resource: path,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: pathParameters ?? null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'capacity',
      httpMethod: method,
      path,
      protocol: 'HTTP/1.1',
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourcePath: path,
      stage: '$default',
      identity: { sourceIp: '203.0.113.10', userAgent: 'capacity' },
      // What the JWT authorizer passes for a trusted backend's token (client credentials).
      authorizer: {
        claims: { sub: 'capacity-client', client_id: 'capacity-client', token_use: 'access', scope: 'orders/write orders/read orders/act-for-customers' },
        scopes: null,
      },
    },
  };
}

/** scenario -> async () => event (items seeded first); `check(answer)` says whether the handler did its job. */
const SCENARIOS = {
  'api-handler:post': {
    event: async () => httpEvent('POST', '/order', { 'content-type': 'application/json', 'idempotency-key': randomUUID() }, JSON.stringify(orderRequest())),
    check: (a) => a && a.statusCode === 202,
  },
  'api-handler:get': {
    event: async () => {
      const orderId = newOrderId();
      await seed([storedOrder(orderId, 'FULFILLED')]);
      return httpEvent('GET', `/orders/${orderId}`, {}, null, { order_id: orderId });
    },
    check: (a) => a && a.statusCode === 200,
  },
  'validate-order': {
    event: async () => ({ order_id: newOrderId(), correlation_id: 'corr-capacity', request_hash: 'capacity', received_at: new Date().toISOString(), order: orderRequest() }),
    check: (a) => a && a.valid === true,
  },
  'store-order': {
    event: async () => {
      const orderId = newOrderId();
      await seed([storedOrder(orderId, 'RECEIVED')]);
      const execution = { order_id: orderId, correlation_id: 'corr-capacity', request_hash: 'capacity', received_at: new Date().toISOString(), order: orderRequest(), verdict: { valid: true, order: orderRequest(), total_cents: 3998 } };
      return { action: 'store', execution };
    },
    check: (a) => a && a.message !== undefined,
  },
  'fulfill-order': {
    event: async () => {
      const ids = Array.from({ length: records }, newOrderId);
      await seed(ids.map((id) => storedOrder(id, 'PENDING')));
      return { Records: ids.map((id) => sqsRecord(id, 1, 'order_queue')) };
    },
    // At the deployed success rate some records fail on purpose (batchItemFailures); an invocation error does not.
    check: (a) => a && Array.isArray(a.batchItemFailures),
  },
  'dlq-handler': {
    event: async () => {
      const ids = Array.from({ length: records }, newOrderId);
      await seed(ids.map((id) => storedOrder(id, 'RETRYING', { attempts: 3, last_error: 'simulated fulfilment failure on attempt 3' })));
      return { Records: ids.map((id) => sqsRecord(id, 1, 'order_dlq')) };
    },
    check: (a) => a && Array.isArray(a.batchItemFailures) && a.batchItemFailures.length === 0,
  },
};

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

(async () => {
  const spec = SCENARIOS[scenario];
  if (!spec) throw new Error(`unknown scenario ${scenario}`);
  void process.stdout; // created lazily; the Lambda runtime has it before any handler runs
  const mod = require(bundle);
  const context = { awsRequestId: 'capacity', functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, functionVersion: '$LATEST', memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, getRemainingTimeInMillis: () => 10_000 };
  const durations = [];
  const totals = {};
  let failedChecks = 0;
  let firstFailure;
  for (let i = 0; i < warmup + runs; i += 1) {
    const event = await spec.event();
    counts = {};
    counting = true;
    const t0 = performance.now();
    let answer;
    try {
      answer = await mod.handler(event, { ...context, awsRequestId: `capacity-${i}` });
    } catch (error) {
      answer = { thrown: error && error.name, message: error && error.message };
    }
    const ms = performance.now() - t0;
    counting = false;
    if (i < warmup) continue;
    durations.push(ms);
    for (const [service, n] of Object.entries(counts)) totals[service] = (totals[service] ?? 0) + n;
    if (!spec.check(answer)) {
      failedChecks += 1;
      firstFailure ??= JSON.stringify(answer).slice(0, 300);
    }
  }
  const sorted = [...durations].sort((a, b) => a - b);
  const round = (n) => Math.round(n * 100) / 100;
  const result = {
    scenario,
    records,
    runs,
    warmup,
    meanMs: round(durations.reduce((n, d) => n + d, 0) / durations.length),
    p50Ms: round(quantile(sorted, 0.5)),
    p90Ms: round(quantile(sorted, 0.9)),
    callsPerInvocation: Object.fromEntries(Object.entries(totals).map(([s, n]) => [s, round(n / runs)])),
    failedChecks,
    ...(firstFailure ? { firstFailure } : {}),
  };
  process.stdout.write(`\nCAPACITY_RESULT ${JSON.stringify(result)}\n`);
  seedClient.destroy();
})().catch((error) => {
  process.stdout.write(`\nCAPACITY_RESULT ${JSON.stringify({ error: String((error && error.stack) || error) })}\n`);
  process.exitCode = 1;
});
