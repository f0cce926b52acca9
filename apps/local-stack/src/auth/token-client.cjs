'use strict';
// A backend's bearer token for the scripts that call a running local stack's API (the chaos and
// load scenarios, the soak, the benchmark): got as a deployed backend gets one from Cognito, from
// the stack's token endpoint with the app client's id and secret (client credentials,
// `<data-dir>/auth/client.json`), and reused for its lifetime less a minute. Plain CommonJS so
// that .cjs and .mjs scripts load it without a build.
//
//   const { tokenSource } = require('<...>/apps/local-stack/src/auth/token-client.cjs');
//   const authorization = tokenSource();
//   const header = await authorization(state);   // state = the stack's local-stack.json
//   fetch(url, { headers: header ? { authorization: header } : {} })
//
// `header` is undefined when the stack runs with --no-auth (an open API). A stack started again
// on another port has another issuer: the source notices the new token endpoint and gets a new token.
const { readFileSync } = require('node:fs');
const path = require('node:path');

/** Seconds before its expiry at which a token is replaced. */
const RENEW_BEFORE_SECONDS = 60;

/** A function `(state) => Promise<string | undefined>`: the Authorization header value for that stack. */
function tokenSource() {
  /** @type {{ endpoint: string, header: string, renewAt: number } | undefined} */
  let cached;
  /** @type {{ endpoint: string, promise: Promise<string> } | undefined} */
  let pending;
  return async function authorization(state) {
    const auth = state && state.auth;
    if (!auth || auth.mode === 'none') return undefined;
    const endpoint = auth.tokenEndpoint;
    if (cached && cached.endpoint === endpoint && Date.now() < cached.renewAt) return cached.header;
    if (!pending || pending.endpoint !== endpoint) {
      const promise = fetchToken(auth).then(
        ({ header, expiresIn }) => {
          cached = { endpoint, header, renewAt: Date.now() + Math.max(0, expiresIn - RENEW_BEFORE_SECONDS) * 1000 };
          if (pending && pending.promise === promise) pending = undefined;
          return header;
        },
        (error) => {
          if (pending && pending.promise === promise) pending = undefined;
          throw error;
        },
      );
      pending = { endpoint, promise };
    }
    return pending.promise;
  };
}

/** POST <tokenEndpoint> grant_type=client_credentials with HTTP Basic client authentication. */
async function fetchToken(auth) {
  const client = JSON.parse(readFileSync(path.join(auth.dir, 'client.json'), 'utf8'));
  const basic = Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`).toString('base64');
  const response = await fetch(auth.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
    body: 'grant_type=client_credentials',
    signal: AbortSignal.timeout(10_000),
  });
  const body = await response.json().catch(() => ({}));
  if (response.status !== 200 || typeof body.access_token !== 'string') {
    throw new Error(`the local issuer's token endpoint answered ${response.status}: ${JSON.stringify(body)}`);
  }
  return { header: `Bearer ${body.access_token}`, expiresIn: Number(body.expires_in) || 0 };
}

module.exports = { tokenSource, fetchToken };
