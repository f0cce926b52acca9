#!/usr/bin/env node
// Smoke test of a deployed environment, run by the pipeline after Apply:
//
//   node infra/scripts/smoke-test.mjs <api_url>      (or API_URL in the environment)
//
// Every route needs a token (the HTTP API's JWT authorizer). A machine token comes from
// SMOKE_TOKEN, or is requested with client credentials from SMOKE_TOKEN_ENDPOINT with
// SMOKE_CLIENT_ID and SMOKE_CLIENT_SECRET (the smoke stage reads the secret from Cognito).
//
// 0. POST <api_url>/order without a token must be answered 401 by API Gateway; with client
//    credentials, also a token of scope orders/read alone must be answered 403.
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

/** The Authorization header of every request once a token is known. */
let auth = {};

async function request(method, path, body, headers = {}) {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...auth, ...headers },
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

/** A client-credentials token from the Cognito token endpoint (HTTP Basic client id and secret). */
async function clientCredentialsToken(scope) {
  const { SMOKE_TOKEN_ENDPOINT: endpoint, SMOKE_CLIENT_ID: id, SMOKE_CLIENT_SECRET: secret } = process.env;
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
    signal: AbortSignal.timeout(15_000),
  });
  const json = await response.json().catch(() => undefined);
  if (response.status !== 200 || typeof json?.access_token !== 'string') fail(`the token endpoint answered ${response.status} for scope "${scope}"`);
  return json.access_token;
}

const hasClientCredentials = () => Boolean(process.env.SMOKE_TOKEN_ENDPOINT && process.env.SMOKE_CLIENT_ID && process.env.SMOKE_CLIENT_SECRET);

async function main() {
  if (!/^https?:\/\//.test(apiUrl)) fail('pass the API URL (terraform output api_url) as the first argument or API_URL');
  console.log(`smoke test against ${apiUrl}`);

  const order = {
    customer_id: 'smoke-test',
    items: [{ sku: 'SMOKE-1', quantity: 1, unit_price_cents: 100 }],
    currency: 'USD',
  };
  const anonymous = await request('POST', '/order', order);
  if (anonymous.status !== 401) fail(`POST /order without a token answered ${anonymous.status}, not 401: ${anonymous.text}`);
  if (!process.env.SMOKE_TOKEN && !hasClientCredentials()) fail('give SMOKE_TOKEN, or SMOKE_TOKEN_ENDPOINT, SMOKE_CLIENT_ID and SMOKE_CLIENT_SECRET: every route needs a token');
  if (hasClientCredentials()) {
    const readOnly = await clientCredentialsToken('orders/read');
    const refused = await request('POST', '/order', order, { authorization: `Bearer ${readOnly}` });
    if (refused.status !== 403) fail(`POST /order with a token of scope orders/read answered ${refused.status}, not 403: ${refused.text}`);
  }
  const token = process.env.SMOKE_TOKEN ?? (await clientCredentialsToken('orders/write orders/read orders/act-for-customers'));
  auth = { authorization: `Bearer ${token}` };
  console.log('API Gateway refuses a request without a token; a machine token is accepted below');

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
