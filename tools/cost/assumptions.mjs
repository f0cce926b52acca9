// What tools/cost cannot read from Terraform or infra/settings.json: traffic shape, durations and
// sizes. Each is a plain number with the reason it has that value; `npm run cost -- --set name=value`
// overrides one for a what-if.

export const ASSUMPTIONS = {
  /** Volume the per-million figure is computed at (one million a month, ~0.39 orders/s). X-Ray's
   * reservoir (1 trace/s) and SQS batching depend on the rate, so the per-order cost does too. */
  ordersPerMonth: 1_000_000,
  /** GET /orders/{id} in the per-order figure: none. A read is the client's choice (the 202 already
   * carries order_id, status and a Location); cost.mjs prices a million GETs on their own line, and
   * `--set getsPerOrder=1` gives the figure for a client that polls once per order. */
  getsPerOrder: 0,
  /** Share of POST /order with an Idempotency-Key (intake is then two conditional puts: order, then key). All, as the API recommends. */
  idempotencyKeyShare: 1,
  /** Share of orders rejected by business rules (stored REJECTED, never queued). */
  rejectedShare: 0.01,

  /** Warm handler durations, ms: estimates, each mostly one or two DynamoDB / Step Functions calls of
   * ~5-15 ms in region (tools/bench-bundles.mjs's first-invoke figures include connection set-up
   * and a cold SDK, so they are upper bounds). Measure on Lambda (REPORT lines) to refine. */
  durationMs: {
    apiPost: 35,
    apiGet: 12,
    validate: 3,
    store: 15,
    fulfilPerRecord: 15,
    fulfilPerBatch: 3,
    dlqPerRecord: 30,
  },
  /** Share of invocations that start a new execution environment, and the billed init then (ms). */
  coldStartShare: 0.01,
  initMs: 250,

  /** Express execution time, ms (two Lambda tasks and an SQS send); billed rounded up to 100 ms and 64 MB. */
  expressExecutionMs: 150,
  expressMemoryMb: 64,

  /** DynamoDB: the sparse GSI on orders (how many: read from the orders_table module call) holds
   * only non-terminal orders (for the reconciler), keyed by shard and open_since, KEYS_ONLY: an
   * order writes it when it opens and when it ends; a status change between them leaves the key
   * alone, so writes nothing to the index (libs/ddb-repo/test/open-orders-index.spec.ts counts it).
   * `gsiWritesPerStatusChange` 2 prices the former key, which held the status. */
  gsiWritesPerStatusChange: 0,
  gsiItemBytes: 120,
  /** Idempotency record: key, customer, request hash, order id, expiry. */
  idempotencyItemBytes: 260,

  /** Log volume. Our lines per invocation at LOG_LEVEL info are the "log B" column of
   * tools/bench-bundles.mjs run with LOG_LEVEL=info (one JSON line per request, task and record,
   * plus a batch line); at warn they are not written. EMF metric lines are not here: they are
   * built with the real writer (tools/cost/emf.mjs). */
  appLogBytes: {
    apiPost: 520,
    apiGet: 480,
    validate: 300,
    store: 310,
    fulfilPerRecord: 300,
    fulfilPerBatch: 300,
    dlqPerRecord: 400,
  },
  /** CloudWatch Logs counts 26 bytes of metadata with every event. */
  logEventOverheadBytes: 26,
  /** Step Functions execution history event (JSON, without execution data) as logged at level ALL. */
  sfnLogEventBytes: 350,
  /** Representative values of the access log format's $context variables (infra/modules/http-api
   * stage), per request: the line is the format rendered with them. Ids and times at their real
   * lengths; response lengths of a 202 and of an order read. */
  accessLogValues: {
    common: {
      '$context.requestId': 'Kx3n1hXyoAMEPdQ=',
      '$context.extendedRequestId': 'Kx3n1hXyoAMEPdQ=',
      '$context.identity.sourceIp': '203.0.113.42',
      '$context.requestTimeEpoch': '1764590400000',
      '$context.requestTime': '01/Dec/2026:12:00:00 +0000',
      '$context.integrationErrorMessage': '-',
      '$context.error.message': '-',
      '$context.protocol': 'HTTP/1.1',
    },
    post: { '$context.routeKey': 'POST /order', '$context.httpMethod': 'POST', '$context.path': '/order', '$context.status': '202', '$context.responseLength': '131', '$context.integrationLatency': '38', '$context.responseLatency': '40' },
    get: { '$context.routeKey': 'GET /orders/{order_id}', '$context.httpMethod': 'GET', '$context.path': '/orders/ord_0123456789abcdef0123456789abcdef', '$context.status': '200', '$context.responseLength': '712', '$context.integrationLatency': '14', '$context.responseLatency': '16' },
  },
  /** Archived logs are billed compressed; CloudWatch Logs compresses JSON lines about 6:1. */
  logCompressionRatio: 6,

  /** Who calls the API (infra/README.md, "Who may call the API"). The priced order is placed by a
   * trusted backend with a client-credentials token. A backend caches its token for the token's
   * lifetime (read from Terraform: 60 minutes), so it asks Cognito for one at most once per
   * lifetime, whatever the order volume: 24 x 30 = 720 token requests a month per caller, a fixed
   * monthly item. A caller is one token cache: a fleet of N processes that each cache their own is N. */
  machineTokenCallers: 1,
  /** Token requests per order beyond the cache: 0 (cached). 1 prices a backend that fetches a
   * token for every order (`--levers`). */
  tokenRequestsPerOrder: 0,
  /** Orders a signed-in customer places in a month. Customer (user) tokens are not billed per
   * token: Cognito bills each monthly active user (MAU) once at the pool's feature plan rate, so
   * an order placed with a customer's own token costs that rate divided by this. Printed on its
   * own line (per million orders placed by customers), not in the total. */
  ordersPerActiveCustomer: 2,
};

/** Representative stored items (one order line), for DynamoDB item sizes. */
export function sampleItems() {
  const at = '2026-12-01T12:00:00.000Z';
  const order = {
    order_id: 'ord_0123456789abcdef0123456789abcdef',
    customer_id: 'c-1234567890',
    items: [{ sku: 'SKU-12345', quantity: 2, unit_price_cents: 1999 }],
    currency: 'USD',
    total_cents: 3998,
    status: 'RECEIVED',
    attempts: 0,
    request_hash: 'f'.repeat(64),
    idempotency_key: '3f2b8c1e-5d4a-4f7b-9c2e-8a1d6b3e4f50',
    correlation_id: 'corr-3f2b8c1e-5d4a-4f7b-9c2e-8a1d6b3e4f50',
    created_at: at,
    updated_at: at,
    status_history: [],
  };
  const transition = (from, to, by, attempt) => ({ from, to, at, by, attempt });
  const pending = { ...order, status: 'PENDING', status_history: [transition('RECEIVED', 'PENDING', 'store-order', 0)] };
  const retrying = { ...pending, status: 'RETRYING', attempts: 1, last_error: 'simulated fulfilment failure on attempt 1', status_history: [...pending.status_history, transition('PENDING', 'RETRYING', 'fulfill-order', 1)] };
  const fulfilled = { ...retrying, status: 'FULFILLED', attempts: 2, status_history: [...retrying.status_history, transition('RETRYING', 'FULFILLED', 'fulfill-order', 2)] };
  const failedOrder = {
    order_id: order.order_id,
    message_id: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
    original_message: JSON.stringify({ order_id: order.order_id, correlation_id: order.correlation_id }),
    attempts: 3,
    reason: 'fulfilment failed 3 times: simulated fulfilment failure on attempt 3',
    correlation_id: order.correlation_id,
    first_sent_at: at,
    failed_at: at,
    status_history: fulfilled.status_history,
  };
  return { received: order, pending, retrying, fulfilled, failedOrder };
}
