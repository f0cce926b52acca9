// API Gateway (HTTP API, Lambda proxy integration, payload 1.0) in front of api-handler.
//
// Mirrors infra/modules/http-api: the routes `POST /order`, `GET /orders/{order_id}` and
// `$default`, all AWS_PROXY to api-handler, so every path and method reaches the function (which
// answers 404/405/415/400 with the DOFS error body). HTTP APIs validate no body. The gateway
// answers by itself only where the real one does, with its own `{"message":…}` bodies: a request
// over the stage's throttle (429), a body over 10 MB (413), a function error or malformed result
// (500), no answer within 30 s (503), and, as the routes' JWT authorizer, a request without a
// valid token (401) or without one of the route's scopes (403) (libs/local-aws/src/auth/authorizer.ts).
//
// Outside the HTTP API, on the same port and never authorized or throttled: /openapi.json, the
// dashboard (local pages) and the local issuer under /_local/auth (auth/endpoints.ts).
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createJwtAuthorizer, type JwtAuthorizer, issuerUrl, jwks, type AuthMaterial } from '@dofs/local-aws/auth';
import { answerIssuerRequest, isIssuerPath } from '../auth/endpoints';
import { SCOPES } from '@dofs/order-domain';
import { ACCOUNT_ID } from '../constants';
import type { InvokeResult } from '../lambda/runtime';
import { listen } from '../net';
import { workspacePath } from '../paths';
import { closeServer } from '../sfn/endpoint';

/** The API's OpenAPI document (generated from order-domain), served at GET /openapi.json: local only, not part of the deployed API. */
export const OPENAPI_FILE = 'docs/openapi.json';

/** API Gateway's hard payload limit. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
/** HTTP API's integration timeout (its maximum). */
const INTEGRATION_TIMEOUT_MS = 30_000;

/** The answers an HTTP API gives by itself (its own bodies, not the DOFS error body). */
export const HTTP_API_ANSWERS = {
  THROTTLED: { statusCode: 429, message: 'Too Many Requests' },
  PAYLOAD_TOO_LARGE: { statusCode: 413, message: 'Request Entity Too Large' },
  INTEGRATION_FAILURE: { statusCode: 500, message: 'Internal Server Error' },
  INTEGRATION_TIMEOUT: { statusCode: 503, message: 'Service Unavailable' },
  UNAUTHORIZED: { statusCode: 401, message: 'Unauthorized' },
  FORBIDDEN: { statusCode: 403, message: 'Forbidden' },
} as const;

type GatewayAnswerType = keyof typeof HTTP_API_ANSWERS;

/** A stage's route throttling: a token bucket of `burstLimit` tokens refilled at `rateLimit` per second. */
export interface ThrottleSettings {
  /** Steady-state requests per second (`throttling_rate_limit`). */
  rateLimit: number;
  /** Bucket size, the requests a burst may take at once (`throttling_burst_limit`). */
  burstLimit: number;
}

/**
 * The deployed stage's `default_route_settings` (infra/modules/http-api, given
 * `api_throttling_rate_limit` / `api_throttling_burst_limit` by infra/envs/dev, whose defaults these
 * are; test/api-gateway.spec.ts fails when they differ).
 */
export const STAGE_THROTTLE: ThrottleSettings = { rateLimit: 50, burstLimit: 100 };

/**
 * API Gateway's token bucket: full at the start, refilled continuously at `rateLimit` per second up
 * to `burstLimit`; a request takes one token or is throttled. `now` is in milliseconds.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly settings: ThrottleSettings,
    now: number = performance.now(),
  ) {
    this.tokens = settings.burstLimit;
    this.last = now;
  }

  /** Takes a token: `{ ok: true }`, or `{ ok: false, retryAfterSeconds }` (whole seconds until one is there, at least 1). */
  take(now: number = performance.now()): { ok: true } | { ok: false; retryAfterSeconds: number } {
    this.tokens = Math.min(this.settings.burstLimit, this.tokens + ((now - this.last) / 1000) * this.settings.rateLimit);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - this.tokens) / this.settings.rateLimit)) };
  }
}

interface RouteSpec {
  /** The route key, as in infra/modules/http-api `route_keys`. */
  routeKey: string;
  method?: string;
  /** The route's path, the event's `resource`. */
  resource: string;
  pattern?: RegExp;
  params: string[];
  /** The route's `authorization_scopes`: a token needs one of them (none: any valid token). */
  authorizationScopes: readonly string[];
}

/** The HTTP API's routes (infra/modules/http-api `route_keys`); `$default` takes everything else. */
export const ROUTES: readonly RouteSpec[] = [
  { routeKey: 'POST /order', method: 'POST', resource: '/order', pattern: /^\/order$/, params: [], authorizationScopes: [SCOPES.WRITE] },
  {
    routeKey: 'GET /orders/{order_id}',
    method: 'GET',
    resource: '/orders/{order_id}',
    pattern: /^\/orders\/([^/]+)$/,
    params: ['order_id'],
    authorizationScopes: [SCOPES.READ],
  },
  { routeKey: '$default', resource: '$default', params: [], authorizationScopes: [] },
];

/** The audience list of the routes' JWT authorizer, given the local app client. */
export const authorizerAudience = (material: Pick<AuthMaterial, 'clientId'>): string[] => [material.clientId];

export interface ApiRequestLog {
  method: string;
  path: string;
  statusCode: number;
  durationMs: number;
  requestId: string;
  /** The order id of a 202 to POST /order. */
  acceptedOrderId?: string;
  /** Set when the gateway answered itself (oversized body, integration error or timeout). */
  gatewayResponse?: GatewayAnswerType;
  integrationError?: string;
  /** Why the authorizer refused the request (401/403). */
  authorizerError?: string;
}

/** The routes' JWT authorizer (absent: every route is open, as with `--no-auth`). */
export interface GatewayAuthOptions {
  /** The issuer's key pair and app client (libs/local-aws/src/auth/issuer.ts). */
  material: AuthMaterial;
  /** false (`--no-auth`): no route is authorized; the issuer's endpoints are still served. */
  enforce: boolean;
}

export interface ApiGatewayOptions {
  host: string;
  port: number;
  stage?: string;
  /** Invokes api-handler. */
  invoke: (event: APIGatewayProxyEvent) => Promise<InvokeResult>;
  onRequest?: (log: ApiRequestLog) => void;
  /**
   * The stage's throttling (STAGE_THROTTLE on the stack), one bucket per route as API Gateway keeps
   * per route (REST: per method); absent = no throttling. Local pages are outside the API and never throttled.
   */
  throttle?: ThrottleSettings;
  /** Local-only pages outside the HTTP API (the dashboard): GET path -> its content type and body. */
  localPages?: Record<string, () => Promise<{ contentType: string; body: string }>>;
  /** The local issuer and the routes' JWT authorizer. */
  auth?: GatewayAuthOptions;
}

export interface ApiGateway {
  server: Server;
  url: string;
  port: number;
  /** The issuer the authorizer accepts (`http://localhost:<port>/_local/auth`), when `auth` was given. */
  issuer?: string;
  close(): Promise<void>;
}

/** `DD/Mon/YYYY:HH:mm:ss +0000`, API Gateway's requestTime format. */
function requestTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/** The route a request takes, and its path parameters (still percent-decoded, as API Gateway passes them). */
export function matchRoute(method: string, path: string): { route: RouteSpec; params: Record<string, string> } {
  for (const route of ROUTES) {
    const found = route.method === method && route.pattern ? route.pattern.exec(path) : null;
    if (!found) continue;
    const params: Record<string, string> = {};
    route.params.forEach((name, index) => {
      const raw = found[index + 1] ?? '';
      try {
        params[name] = decodeURIComponent(raw);
      } catch {
        params[name] = raw;
      }
    });
    return { route, params };
  }
  return { route: ROUTES[ROUTES.length - 1] as RouteSpec, params: {} };
}

/** Builds the HTTP API payload 1.0 proxy event for a request. Exported for tests. */
export function buildProxyEvent(input: {
  method: string;
  rawUrl: string;
  rawHeaders: string[];
  body: Buffer;
  sourceIp: string;
  resource: string;
  pathParameters: Record<string, string> | null;
  /** The verified token's claims (every value a string), when the route has the JWT authorizer. */
  claims?: Record<string, string>;
  stage: string;
  apiId: string;
  requestId: string;
  now?: Date;
}): APIGatewayProxyEvent {
  const now = input.now ?? new Date();
  const url = new URL(input.rawUrl, 'http://localhost');
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < input.rawHeaders.length; i += 2) {
    const name = input.rawHeaders[i] ?? '';
    const value = input.rawHeaders[i + 1] ?? '';
    // API Gateway keeps the client's header-name spelling; the last value wins in `headers`.
    const existing = Object.keys(multiValueHeaders).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
    (multiValueHeaders[existing] ??= []).push(value);
    headers[existing] = value;
  }
  const traceId = `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  const host = headers['Host'] ?? headers['host'] ?? 'localhost';
  const port = host.includes(':') ? (host.split(':').pop() ?? '80') : '80';
  for (const [name, value] of [
    ['X-Amzn-Trace-Id', traceId],
    ['X-Forwarded-For', input.sourceIp],
    ['X-Forwarded-Port', port],
    ['X-Forwarded-Proto', 'http'],
  ] as const) {
    if (!Object.keys(headers).some((k) => k.toLowerCase() === name.toLowerCase())) {
      headers[name] = value;
      multiValueHeaders[name] = [value];
    }
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [key, value] of url.searchParams) {
    query[key] = value;
    (multiQuery[key] ??= []).push(value);
  }
  const hasQuery = Object.keys(query).length > 0;
  const userAgent = Object.entries(headers).find(([k]) => k.toLowerCase() === 'user-agent')?.[1] ?? null;
  return {
    resource: input.resource,
    path: url.pathname,
    httpMethod: input.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: input.pathParameters,
    stageVariables: null,
    requestContext: {
      accountId: ACCOUNT_ID,
      apiId: input.apiId,
      // Payload 1.0 with a JWT authorizer: the claims, and `scopes` null (API Gateway puts the scopes in 2.0 only).
      authorizer: (input.claims ? { claims: input.claims, scopes: null } : undefined) as never,
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      extendedRequestId: randomBytes(8).toString('base64url').slice(0, 16) + '=',
      httpMethod: input.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: input.sourceIp,
        user: null,
        userAgent,
        userArn: null,
      },
      // The $default stage adds no stage segment to the path.
      path: input.stage === '$default' ? url.pathname : `/${input.stage}${url.pathname}`,
      protocol: 'HTTP/1.1',
      requestId: input.requestId,
      requestTime: requestTime(now),
      requestTimeEpoch: now.getTime(),
      resourceId: randomBytes(3).toString('hex'),
      resourcePath: input.resource,
      stage: input.stage,
    },
    // No binary media types are configured on the API, so bodies reach the function as text.
    body: input.body.length > 0 ? input.body.toString('utf8') : null,
    isBase64Encoded: false,
  };
}

type Admission =
  | { kind: 'unreadable'; error: Error }
  | { kind: 'throttled'; retryAfterSeconds: number }
  | { kind: 'local'; method: string; url: URL }
  | { kind: 'issuer'; method: string; url: URL }
  | { kind: 'route'; method: string; url: URL; route: RouteSpec; params: Record<string, string> };

interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  gatewayResponse?: GatewayAnswerType;
  integrationError?: string;
  authorizerError?: string;
}

function gatewayAnswer(type: GatewayAnswerType): HttpAnswer {
  const { statusCode, message } = HTTP_API_ANSWERS[type];
  return { statusCode, headers: { 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify({ message })), gatewayResponse: type };
}

/** Turns the function's proxy result into the HTTP response (500 when the function failed or it is malformed). */
export function mapProxyResult(result: InvokeResult): HttpAnswer {
  if (!result.ok) {
    return {
      ...gatewayAnswer('INTEGRATION_FAILURE'),
      integrationError: `${result.error.errorType}: ${result.error.errorMessage}`,
    };
  }
  const payload = (result.payload && typeof result.payload === 'object' ? result.payload : {}) as Record<string, unknown>;
  const statusCode = payload['statusCode'];
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    return { ...gatewayAnswer('INTEGRATION_FAILURE'), integrationError: 'Malformed Lambda proxy response' };
  }
  const headers: Record<string, string | string[]> = {};
  const multi = payload['multiValueHeaders'];
  if (multi && typeof multi === 'object') {
    for (const [name, values] of Object.entries(multi as Record<string, unknown>)) {
      if (Array.isArray(values)) headers[name] = values.map(String);
    }
  }
  const single = payload['headers'];
  if (single && typeof single === 'object') {
    for (const [name, value] of Object.entries(single as Record<string, unknown>)) {
      if (value !== undefined && value !== null) headers[name] = String(value);
    }
  }
  const body = payload['body'];
  const text = typeof body === 'string' ? body : body === undefined || body === null ? '' : JSON.stringify(body);
  const buffer = payload['isBase64Encoded'] === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  return { statusCode, headers, body: buffer };
}

export async function startApiGateway(options: ApiGatewayOptions): Promise<ApiGateway> {
  const stage = options.stage ?? '$default';
  const apiId = 'local0dofs';
  const openApi = readFileSync(workspacePath(OPENAPI_FILE));
  const throttle = options.throttle;
  const buckets = new Map<string, TokenBucket>();
  // Known once the port is: the issuer names it.
  let issuer: string | undefined;
  let authorizer: JwtAuthorizer | undefined;

  /** What a request gets from the stage before anything else: a local page, a route (and its token), or a 429. */
  function admit(req: IncomingMessage, arrivedAt: number): Admission {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://localhost');
    if ((method === 'GET' || method === 'HEAD') && (url.pathname === '/openapi.json' || options.localPages?.[url.pathname])) return { kind: 'local', method, url };
    if (options.auth && isIssuerPath(url.pathname)) return { kind: 'issuer', method, url };
    const matched = matchRoute(method, url.pathname);
    if (throttle) {
      const key = matched.route.routeKey;
      let bucket = buckets.get(key);
      if (!bucket) buckets.set(key, (bucket = new TokenBucket(throttle, arrivedAt)));
      const taken = bucket.take(arrivedAt);
      if (!taken.ok) return { kind: 'throttled', retryAfterSeconds: taken.retryAfterSeconds };
    }
    return { kind: 'route', method, url, ...matched };
  }

  async function answer(req: IncomingMessage, admission: Admission, body: Buffer, tooLarge: boolean, requestId: string): Promise<HttpAnswer> {
    if (admission.kind === 'unreadable') throw admission.error;
    if (admission.kind === 'throttled') {
      // API Gateway's own 429 body. Retry-After is this emulation's addition (apps/local-stack/README.md, "Differences from AWS").
      const throttled = gatewayAnswer('THROTTLED');
      return { ...throttled, headers: { ...throttled.headers, 'Retry-After': String(admission.retryAfterSeconds) } };
    }
    if (tooLarge) return gatewayAnswer('PAYLOAD_TOO_LARGE');
    const { method, url } = admission;
    if (admission.kind === 'issuer') {
      if (!options.auth || !issuer) throw new Error('the issuer is not ready');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]));
      return answerIssuerRequest({ method, path: url.pathname, headers, body }, options.auth.material, issuer);
    }
    if (admission.kind === 'local') {
      const localPage = url.pathname === '/openapi.json' ? undefined : options.localPages?.[url.pathname];
      if (!localPage) return { statusCode: 200, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: openApi };
      const page = await localPage();
      return { statusCode: 200, headers: { 'Content-Type': page.contentType, 'Cache-Control': 'no-store' }, body: Buffer.from(page.body) };
    }
    const { route, params } = admission;
    let claims: Record<string, string> | undefined;
    if (options.auth?.enforce) {
      if (!authorizer) throw new Error('the authorizer is not ready');
      // The identity source `$request.header.Authorization` (the last value of a repeated header, as in the event's `headers`).
      const header = req.headersDistinct['authorization'];
      const verdict = await authorizer(header?.[header.length - 1], route.authorizationScopes);
      if (!verdict.ok) return { ...gatewayAnswer(verdict.statusCode === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN'), authorizerError: verdict.reason };
      claims = verdict.claims;
    }
    const event = buildProxyEvent({
      method,
      rawUrl: req.url ?? '/',
      rawHeaders: req.rawHeaders,
      body,
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      resource: route.resource,
      pathParameters: route.params.length > 0 ? params : null,
      stage,
      apiId,
      requestId,
      claims,
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), INTEGRATION_TIMEOUT_MS)));
    const result = await Promise.race([options.invoke(event), timeout]);
    clearTimeout(timer);
    if (result === 'timeout') return gatewayAnswer('INTEGRATION_TIMEOUT');
    return mapProxyResult(result);
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const requestId = randomUUID();
    let admission: Admission;
    try {
      admission = admit(req, started);
    } catch (error) {
      admission = { kind: 'unreadable', error: error as Error }; // a URL that cannot be parsed: answered 500 as before
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_PAYLOAD_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      void answer(req, admission, Buffer.concat(chunks), size > MAX_PAYLOAD_BYTES, requestId)
        .catch((error: Error) => ({ ...gatewayAnswer('INTEGRATION_FAILURE'), integrationError: error.message }))
        .then((out) => {
          res.writeHead(out.statusCode, {
            ...out.headers,
            'Content-Length': out.body.length,
            'apigw-requestid': requestId,
          });
          res.end(req.method === 'HEAD' ? undefined : out.body);
          let acceptedOrderId: string | undefined;
          if (out.statusCode === 202 && !out.gatewayResponse) {
            try {
              acceptedOrderId = (JSON.parse(out.body.toString('utf8')) as { order_id?: string }).order_id;
            } catch {
              acceptedOrderId = undefined;
            }
          }
          options.onRequest?.({
            method: req.method ?? 'GET',
            path: req.url ?? '/',
            statusCode: out.statusCode,
            durationMs: performance.now() - started,
            requestId,
            acceptedOrderId,
            gatewayResponse: out.gatewayResponse,
            integrationError: out.integrationError,
            authorizerError: out.authorizerError,
          });
        });
    });
  });
  server.keepAliveTimeout = 65_000;
  const port = await listen(server, options.port, options.host);
  if (options.auth) {
    issuer = issuerUrl(port);
    if (options.auth.enforce) authorizer = createJwtAuthorizer({ issuer, audience: authorizerAudience(options.auth.material), jwks: jwks(options.auth.material) });
  }
  return { server, port, url: `http://${options.host}:${port}`, issuer, close: () => closeServer(server) };
}
