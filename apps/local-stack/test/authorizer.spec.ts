// The gateway's JWT authorizer and the local issuer, on the HTTP server with a stand-in for
// api-handler (no Lambda): which tokens reach the function, what it receives, and API Gateway's own
// 401/403 for the rest.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createRemoteJWKSet, importJWK, jwtVerify, SignJWT } from 'jose';
import { startApiGateway, type ApiGateway, type ApiRequestLog } from '../src/apigw/gateway';
import { bearerToken, claimString } from '@dofs/local-aws/auth';
import {
  BACKEND_SCOPES,
  CUSTOMER_SCOPES,
  ensureAuthMaterial,
  generateSigningKey,
  issuerUrl,
  LOCAL_CLIENT_ID,
  loadAuthMaterial,
  mintToken,
  type AuthMaterial,
  type MintOptions,
} from '@dofs/local-aws/auth';
import type { InvokeResult } from '../src/lambda/runtime';
import { must } from './helpers';

const ok = (payload: unknown): InvokeResult => ({ ok: true, payload, requestId: 'r', durationMs: 1 });
const ORDER = JSON.stringify({ customer_id: 'c-1', items: [{ sku: 'A', quantity: 1, unit_price_cents: 5 }], currency: 'USD' });
const UNAUTHORIZED = { message: 'Unauthorized' };
const FORBIDDEN = { message: 'Forbidden' };

let dataDir: string;
let material: AuthMaterial;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'dofs-auth-'));
  material = await ensureAuthMaterial(dataDir);
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the local issuer\'s key pair and app client', () => {
  it('are created under <data-dir>/auth at the first start and reused afterwards', async () => {
    const keyFile = path.join(dataDir, 'auth', 'signing-key.json');
    const key = JSON.parse(readFileSync(keyFile, 'utf8')) as Record<string, unknown>;
    expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: material.kid, d: expect.any(String) });
    expect(Buffer.from(String(key['n']), 'base64url').length * 8).toBe(2048);
    expect(statSync(keyFile).mode & 0o077).toBe(0); // the owner's only
    expect(material.clientId).toBe(LOCAL_CLIENT_ID);
    expect(material.clientSecret.length).toBeGreaterThanOrEqual(32);
    expect(material.publicJwk).toEqual({ kty: 'RSA', n: key['n'], e: key['e'], kid: material.kid, alg: 'RS256', use: 'sig' });

    const again = await ensureAuthMaterial(dataDir);
    expect(again).toEqual(material);
    expect(loadAuthMaterial(dataDir)).toEqual(material);
    const other = mkdtempSync(path.join(tmpdir(), 'dofs-auth-other-'));
    try {
      expect(() => loadAuthMaterial(other)).toThrow(/no local issuer key/);
      const fresh = await ensureAuthMaterial(other);
      expect(fresh.kid).not.toBe(material.kid);
      expect(fresh.clientSecret).not.toBe(material.clientSecret);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('the gateway\'s JWT authorizer (as the HTTP API\'s)', () => {
  let gateway: ApiGateway;
  let issuer: string;
  const events: APIGatewayProxyEvent[] = [];
  const logs: ApiRequestLog[] = [];

  beforeAll(async () => {
    gateway = await startApiGateway({
      host: '127.0.0.1',
      port: 0,
      auth: { material, enforce: true },
      invoke: async (event) => {
        events.push(event);
        return ok({ statusCode: event.httpMethod === 'POST' ? 202 : 200, body: JSON.stringify({ order_id: 'ord_1' }) });
      },
      onRequest: (log) => logs.push(log),
    });
    issuer = must(gateway.issuer);
  });
  afterAll(() => gateway.close());

  const token = (options: Partial<MintOptions> = {}) => mintToken({ issuer, privateJwk: material.privateJwk, ...options });
  const post = (authorization?: string) =>
    fetch(`${gateway.url}/order`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(authorization === undefined ? {} : { Authorization: authorization }) },
      body: ORDER,
    });
  const get = (authorization?: string, pathname = '/orders/ord_1') =>
    fetch(`${gateway.url}${pathname}`, { headers: authorization === undefined ? {} : { Authorization: authorization } });

  /** The gateway's answer to a POST with `authorization`, and whether the function ran. */
  async function refusal(authorization: string | undefined, send = post) {
    const before = events.length;
    const response = await send(authorization);
    return { status: response.status, body: (await response.json()) as unknown, invoked: events.length > before, type: response.headers.get('content-type') };
  }

  it('names the issuer by the gateway\'s port', () => {
    expect(issuer).toBe(issuerUrl(gateway.port));
    expect(issuer).toBe(`http://localhost:${gateway.port}/_local/auth`);
  });

  it('passes a backend token\'s claims to the function as strings (payload 1.0: authorizer.claims, scopes null)', async () => {
    const response = await post(`Bearer ${await token()}`);
    expect(response.status).toBe(202);
    const event = must(events.at(-1));
    const authorizer = event.requestContext.authorizer as { claims: Record<string, string>; scopes: unknown };
    expect(authorizer.scopes).toBeNull();
    expect(authorizer.claims).toEqual({
      sub: LOCAL_CLIENT_ID,
      iss: issuer,
      client_id: LOCAL_CLIENT_ID,
      token_use: 'access',
      scope: BACKEND_SCOPES.join(' '),
      auth_time: expect.stringMatching(/^\d+$/),
      iat: expect.stringMatching(/^\d+$/),
      exp: expect.stringMatching(/^\d+$/),
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(Number(authorizer.claims['exp']) - Number(authorizer.claims['iat'])).toBe(3600);
    // The token itself still reaches the function in the headers, as on AWS.
    expect(event.headers['Authorization']).toMatch(/^Bearer /);
  });

  it('accepts a customer token on both routes: sub is the customer, scopes orders/write orders/read', async () => {
    const customer = await token({ customer: 'c-123' });
    expect((await post(`Bearer ${customer}`)).status).toBe(202);
    expect((await get(`Bearer ${customer}`)).status).toBe(200);
    const claims = (must(events.at(-1)).requestContext.authorizer as { claims: Record<string, string> }).claims;
    expect(claims).toMatchObject({ sub: 'c-123', client_id: LOCAL_CLIENT_ID, scope: CUSTOMER_SCOPES.join(' ') });
  });

  it('takes the token with or without "Bearer " (any case), as the identity source $request.header.Authorization', async () => {
    const jwt = await token();
    expect((await post(jwt)).status).toBe(202);
    expect((await post(`bearer ${jwt}`)).status).toBe(202);
    expect(bearerToken(`Bearer   ${jwt} `)).toBe(jwt);
    expect(bearerToken('Bearer ')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it.each<[string, () => Promise<string | undefined>]>([
    ['no Authorization header', async () => undefined],
    ['an empty one', async () => ''],
    ['"Bearer" and nothing', async () => 'Bearer '],
    ['not a JWT', async () => 'Bearer not-a-token'],
    ['a token signed by another key with the same kid', async () => `Bearer ${await token({ privateJwk: { ...(await generateSigningKey()), kid: material.kid } })}`],
    ['a token signed by another key with its own kid', async () => `Bearer ${await token({ privateJwk: await generateSigningKey() })}`],
    ['a token of another issuer', async () => `Bearer ${await token({ issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other' })}`],
    ['an issuer on another port', async () => `Bearer ${await token({ issuer: issuerUrl(gateway.port + 1) })}`],
    ['a client_id outside the audience (no aud)', async () => `Bearer ${await token({ clientId: 'someone-else' })}`],
    ['no aud and no client_id', async () => `Bearer ${await token({ claims: { client_id: undefined } })}`],
    ['an aud outside the audience (aud is evaluated, not client_id)', async () => `Bearer ${await token({ audience: 'someone-else' })}`],
    ['an expired token', async () => `Bearer ${await token({ expiresInSeconds: -60 })}`],
    ['a token not valid yet (nbf)', async () => `Bearer ${await token({ notBeforeInSeconds: 3600 })}`],
    ['a token issued in the future (iat)', async () => `Bearer ${await token({ claims: { iat: Math.floor(Date.now() / 1000) + 3600 } })}`],
    ['a token without exp', async () => `Bearer ${await token({ claims: { exp: undefined } })}`],
    ['a token without kid', async () => `Bearer ${await new SignJWT({ iss: issuer, client_id: LOCAL_CLIENT_ID, sub: 'x', scope: 'orders/write', exp: Math.floor(Date.now() / 1000) + 60 }).setProtectedHeader({ alg: 'RS256' }).sign(await importJWK(material.privateJwk, 'RS256'))}`],
    ['RS384 (only RS256 is accepted)', async () => `Bearer ${await new SignJWT({ iss: issuer, client_id: LOCAL_CLIENT_ID, sub: 'x', scope: 'orders/write', exp: Math.floor(Date.now() / 1000) + 60 }).setProtectedHeader({ alg: 'RS384', kid: material.kid }).sign(await importJWK(material.privateJwk, 'RS384'))}`],
    ['HS256 keyed with the public modulus', async () => `Bearer ${await new SignJWT({ iss: issuer, client_id: LOCAL_CLIENT_ID, sub: 'x', scope: 'orders/write', exp: Math.floor(Date.now() / 1000) + 60 }).setProtectedHeader({ alg: 'HS256', kid: material.kid }).sign(Buffer.from(String(material.publicJwk.n)))}`],
    [
      'an unsigned token (alg none)',
      async () => {
        const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
        return `Bearer ${part({ alg: 'none', kid: material.kid })}.${part({ iss: issuer, client_id: LOCAL_CLIENT_ID, sub: 'x', scope: 'orders/write', exp: Math.floor(Date.now() / 1000) + 60 })}.`;
      },
    ],
    ['a valid token with one character of the signature changed', async () => {
      const jwt = await token();
      const last = jwt.at(-2) === 'A' ? 'B' : 'A';
      return `Bearer ${jwt.slice(0, -2)}${last}${jwt.at(-1)}`;
    }],
  ])('answers 401 {"message":"Unauthorized"} to %s, without invoking the function', async (_case, authorization) => {
    expect(await refusal(await authorization())).toEqual({ status: 401, body: UNAUTHORIZED, invoked: false, type: 'application/json' });
    expect(logs.at(-1)).toMatchObject({ statusCode: 401, gatewayResponse: 'UNAUTHORIZED', authorizerError: expect.any(String) });
  });

  it('also on GET /orders/{id} and on $default', async () => {
    expect(await refusal(undefined, get)).toMatchObject({ status: 401, body: UNAUTHORIZED, invoked: false });
    expect(await refusal(`Bearer ${await token({ expiresInSeconds: -1 })}`, (a) => get(a, '/nowhere'))).toMatchObject({ status: 401, invoked: false });
  });

  it('answers 403 {"message":"Forbidden"} to a valid token without one of the route\'s scopes', async () => {
    const readOnly = `Bearer ${await token({ scopes: ['orders/read'] })}`;
    const writeOnly = `Bearer ${await token({ scopes: ['orders/write'] })}`;
    const none = `Bearer ${await token({ scopes: [] })}`;
    expect(await refusal(readOnly)).toEqual({ status: 403, body: FORBIDDEN, invoked: false, type: 'application/json' });
    expect(logs.at(-1)).toMatchObject({ statusCode: 403, gatewayResponse: 'FORBIDDEN' });
    expect(await refusal(writeOnly, get)).toMatchObject({ status: 403, body: FORBIDDEN, invoked: false });
    expect(await refusal(none, get)).toMatchObject({ status: 403, invoked: false });
    // Acting for customers is api-handler's business: alone, it opens neither route.
    expect(await refusal(`Bearer ${await token({ scopes: ['orders/act-for-customers'] })}`)).toMatchObject({ status: 403, invoked: false });
    // One of the route's scopes is enough.
    expect((await post(writeOnly)).status).toBe(202);
    expect((await get(readOnly)).status).toBe(200);
    // $default has no scopes: any valid token reaches the function (which answers 404/405).
    expect(await refusal(none, (a) => get(a, '/nowhere'))).toMatchObject({ invoked: true });
  });

  it('reads scopes from scp too (a list or a string), and accepts an aud in the audience whatever the client_id', async () => {
    expect((await post(`Bearer ${await token({ claims: { scope: undefined, scp: ['orders/write'] } })}`)).status).toBe(202);
    expect((await post(`Bearer ${await token({ claims: { scope: undefined, scp: 'orders/read orders/write' } })}`)).status).toBe(202);
    expect((await post(`Bearer ${await token({ audience: [LOCAL_CLIENT_ID, 'x'], clientId: 'someone-else' })}`)).status).toBe(202);
    const claims = (must(events.at(-1)).requestContext.authorizer as { claims: Record<string, string> }).claims;
    expect(claims['aud']).toBe(`[${LOCAL_CLIENT_ID} x]`);
    expect([claimString(12), claimString(true), claimString(['a', 'b']), claimString({ a: 1 })]).toEqual(['12', 'true', '[a b]', '{"a":1}']);
  });

  it('leaves /openapi.json and the issuer\'s endpoints open', async () => {
    expect((await fetch(`${gateway.url}/openapi.json`)).status).toBe(200);
    const discovery = (await (await fetch(`${gateway.url}/_local/auth/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      token_endpoint: `${issuer}/oauth2/token`,
      grant_types_supported: ['client_credentials'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
    const served = (await (await fetch(`${gateway.url}/_local/auth/.well-known/jwks.json`)).json()) as { keys: unknown[] };
    expect(served).toEqual({ keys: [material.publicJwk] });
    // What any OIDC client does with the served JWKS: verify a token of the issuer.
    const remote = createRemoteJWKSet(new URL(`${gateway.url}/_local/auth/.well-known/jwks.json`));
    const { payload } = await jwtVerify(await token(), remote, { issuer, algorithms: ['RS256'] });
    expect(payload['client_id']).toBe(LOCAL_CLIENT_ID);
    expect((await fetch(`${gateway.url}/_local/auth/nothing`)).status).toBe(404);
    expect((await fetch(`${gateway.url}/_local/auth/oauth2/token`)).status).toBe(405);
  });

  describe('the token endpoint (client credentials, as Cognito\'s /oauth2/token)', () => {
    const form = 'application/x-www-form-urlencoded';
    const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
    const tokenRequest = async (body: string, headers: Record<string, string> = { Authorization: basic(material.clientId, material.clientSecret) }) => {
      const response = await fetch(`${gateway.url}/_local/auth/oauth2/token`, { method: 'POST', headers: { 'Content-Type': form, ...headers }, body });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    it('issues a backend token (all its scopes unless asked for fewer) that the API accepts', async () => {
      const issued = await tokenRequest('grant_type=client_credentials');
      expect(issued).toEqual({ status: 200, body: { access_token: expect.any(String), expires_in: 3600, token_type: 'Bearer' } });
      expect((await post(`Bearer ${String(issued.body['access_token'])}`)).status).toBe(202);
      expect((must(events.at(-1)).requestContext.authorizer as { claims: Record<string, string> }).claims['scope']).toBe(BACKEND_SCOPES.join(' '));

      const readOnly = await tokenRequest('grant_type=client_credentials&scope=orders%2Fread');
      expect(readOnly.status).toBe(200);
      expect((await post(`Bearer ${String(readOnly.body['access_token'])}`)).status).toBe(403);
      // The secret in the form instead of Basic.
      const posted = await tokenRequest(`grant_type=client_credentials&client_id=${material.clientId}&client_secret=${encodeURIComponent(material.clientSecret)}`, {});
      expect(posted.status).toBe(200);
    });

    it('refuses a wrong secret, another grant, an unknown scope and a body that is not a form', async () => {
      expect(await tokenRequest('grant_type=client_credentials', { Authorization: basic(material.clientId, 'wrong') })).toEqual({ status: 400, body: expect.objectContaining({ error: 'invalid_client' }) });
      expect(await tokenRequest('grant_type=client_credentials', {})).toMatchObject({ status: 400, body: { error: 'invalid_client' } });
      expect(await tokenRequest('grant_type=password&username=a&password=b')).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
      expect(await tokenRequest('grant_type=client_credentials&scope=orders%2Fdelete')).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
      const json = await fetch(`${gateway.url}/_local/auth/oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: basic(material.clientId, material.clientSecret) },
        body: '{"grant_type":"client_credentials"}',
      });
      expect(json.status).toBe(400);
    });
  });
});

describe('the gateway with --no-auth', () => {
  it('verifies nothing, passes no authorizer, and still serves the issuer', async () => {
    const events: APIGatewayProxyEvent[] = [];
    const gateway = await startApiGateway({
      host: '127.0.0.1',
      port: 0,
      auth: { material, enforce: false },
      invoke: async (event) => {
        events.push(event);
        return ok({ statusCode: 202, body: '{}' });
      },
    });
    try {
      expect((await fetch(`${gateway.url}/order`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: ORDER })).status).toBe(202);
      expect((await fetch(`${gateway.url}/order`, { method: 'POST', headers: { Authorization: 'Bearer junk' }, body: ORDER })).status).toBe(202);
      expect(events.map((e) => e.requestContext.authorizer)).toEqual([undefined, undefined]);
      expect((await fetch(`${gateway.url}/_local/auth/.well-known/jwks.json`)).status).toBe(200);
    } finally {
      await gateway.close();
    }
  });
});
