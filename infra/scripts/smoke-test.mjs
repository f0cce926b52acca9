#!/usr/bin/env node
// Smoke test of a deployed environment, run by the pipeline after Apply:
//
//   node infra/scripts/smoke-test.mjs <api_url>      (or API_URL in the environment)
//
// 1. POST <api_url>/order with a valid order: expects 202 with an order_id and a Location header.
// 2. GET <api_url>/orders/{order_id} until the order is terminal (FULFILLED or FAILED: fulfilment
//    succeeds at random, and a repeatedly failing order ends FAILED through the DLQ). REJECTED fails
//    the test: a valid order must not be rejected.
// 3. A body that breaks the schema must be answered 400 with the DOFS error body.
// Exits non-zero on any failure or after SMOKE_TIMEOUT_SECONDS (default 600).
import { randomUUID } from 'node:crypto';

const apiUrl = (process.argv[2] ?? process.env.API_URL ?? '').replace(/\/+$/, '');
const timeoutMs = Number(process.env.SMOKE_TIMEOUT_SECONDS ?? 600) * 1000;
const pollMs = Number(process.env.SMOKE_POLL_SECONDS ?? 5) * 1000;
const TERMINAL_OK = new Set(['FULFILLED', 'FAILED']);

function fail(message) {
  console.error(`smoke test failed: ${message}`);
  process.exit(1);
}

async function request(method, path, body, headers = {}) {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}

async function main() {
  if (!/^https?:\/\//.test(apiUrl)) fail('pass the API URL (terraform output api_url) as the first argument or API_URL');
  console.log(`smoke test against ${apiUrl}`);

  const order = {
    customer_id: 'smoke-test',
    items: [{ sku: 'SMOKE-1', quantity: 1, unit_price_cents: 100 }],
    currency: 'USD',
  };
  const created = await request('POST', '/order', order, { 'idempotency-key': `smoke-${randomUUID()}` });
  if (created.status !== 202) fail(`POST /order answered ${created.status}: ${created.text}`);
  const orderId = created.json?.order_id;
  if (typeof orderId !== 'string') fail(`POST /order answered without order_id: ${created.text}`);
  if (!created.headers.get('location')) fail('POST /order answered without a Location header');
  console.log(`accepted ${orderId}`);

  const deadline = Date.now() + timeoutMs;
  let last = 'not stored yet';
  while (Date.now() < deadline) {
    const current = await request('GET', `/orders/${encodeURIComponent(orderId)}`);
    if (current.status === 200) {
      const status = current.json?.status;
      if (status !== last) console.log(`${orderId}: ${status}`);
      last = status;
      if (TERMINAL_OK.has(status)) break;
      if (status === 'REJECTED') fail(`a valid order was rejected: ${current.text}`);
    } else if (current.status !== 404) {
      fail(`GET /orders/${orderId} answered ${current.status}: ${current.text}`);
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  if (!TERMINAL_OK.has(last)) fail(`${orderId} still ${last} after ${timeoutMs / 1000}s`);

  const invalid = await request('POST', '/order', { customer_id: '', items: [], currency: 'usd' });
  if (invalid.status !== 400 || typeof invalid.json?.error?.code !== 'string') {
    fail(`an invalid order answered ${invalid.status}: ${invalid.text}`);
  }

  console.log(`smoke test passed: ${orderId} ended ${last}`);
}

main().catch((error) => fail(error instanceof Error ? error.message : String(error)));
