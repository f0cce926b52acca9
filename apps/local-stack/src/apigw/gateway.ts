// API Gateway (REST API, Lambda proxy integration, payload 1.0) in front of api-handler.
//
// Mirrors infra/modules/rest-api: the resources `/order` (POST with the CreateOrderRequest model,
// ANY) and `/orders/{order_id}` (GET, ANY), all AWS_PROXY to api-handler; the gateway responses'
// DOFS error bodies (unknown path -> 404, body over 10 MB -> 413, integration failure -> 502,
// timeout after 29 s -> 504). Like the module's `validate_request_body` (default false), the body
// validator is off by default: POST /order bodies reach api-handler, which answers one detail per
// bad field. `validateRequestBody: true` (the CLI's --gateway-body-validation) mirrors a deployment
// with `validate_request_body = true`: a body that fails the model is answered 400 by the gateway
// (BAD_REQUEST_BODY, API Gateway's single validation string). The request model is read from
// infra/generated/create-order.model.json, the same file Terraform uploads.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ACCOUNT_ID } from '../constants';
import type { InvokeResult } from '../lambda/runtime';
import { listen } from '../net';
import { workspacePath } from '../paths';
import { closeServer } from '../sfn/endpoint';
import { assertSupportedSchema, validateAgainstModel } from './model-validator';

export const MODEL_FILE = 'infra/generated/create-order.model.json';
/** The API's OpenAPI document (generated from order-domain), served at GET /openapi.json: local only, not part of the deployed API. */
export const OPENAPI_FILE = 'docs/openapi.json';

/**
 * Whether the body validator is attached to POST /order when nothing says otherwise: the default of
 * infra/modules/rest-api's `validate_request_body` (test/drift.spec.ts checks they agree).
 */
export const DEFAULT_VALIDATE_REQUEST_BODY = false;

/** API Gateway's hard payload limit. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
/** API Gateway's default (and maximum non-raised) integration timeout. */
const INTEGRATION_TIMEOUT_MS = 29_000;

/** The gateway response templates of infra/modules/rest-api (verbatim). */
export const GATEWAY_RESPONSE_TEMPLATES = {
  BAD_REQUEST_BODY: {
    statusCode: 400,
    template:
      '{"error":{"code":"VALIDATION_FAILED","message":"The request body does not match the CreateOrderRequest schema.","details":[{"path":"","message":"$context.error.validationErrorString"}]}}',
  },
  MISSING_AUTHENTICATION_TOKEN: {
    statusCode: 404,
    template: '{"error":{"code":"NOT_FOUND","message":"No route matches the request.","details":[]}}',
  },
  REQUEST_TOO_LARGE: {
    statusCode: 413,
    template: '{"error":{"code":"PAYLOAD_TOO_LARGE","message":$context.error.messageString,"details":[]}}',
  },
  DEFAULT_5XX: {
    statusCode: null,
    template: '{"error":{"code":"SERVICE_UNAVAILABLE","message":$context.error.messageString,"details":[]}}',
  },
} as const;

type GatewayResponseType = keyof typeof GATEWAY_RESPONSE_TEMPLATES;

interface MethodSpec {
  /** Name of the request model attached to the method (checked only when the body validator is on). */
  model?: 'CreateOrderRequest';
}

interface ResourceSpec {
  resource: string;
  pattern: RegExp;
  params: string[];
  methods: Record<string, MethodSpec>;
}

/** The REST API's resources and methods (infra/modules/rest-api `routes`). */
export const RESOURCES: readonly ResourceSpec[] = [
  { resource: '/order', pattern: /^\/order\/?$/, params: [], methods: { POST: { model: 'CreateOrderRequest' }, ANY: {} } },
  { resource: '/orders/{order_id}', pattern: /^\/orders\/([^/]+)\/?$/, params: ['order_id'], methods: { GET: {}, ANY: {} } },
];

export interface ApiRequestLog {
  method: string;
  path: string;
  statusCode: number;
  durationMs: number;
  requestId: string;
  /** The order id of a 202 to POST /order. */
  acceptedOrderId?: string;
  /** Set when the gateway answered itself (validation, unknown route, integration error). */
  gatewayResponse?: GatewayResponseType;
  integrationError?: string;
}

export interface ApiGatewayOptions {
  host: string;
  port: number;
  stage?: string;
  /** Invokes api-handler. */
  invoke: (event: APIGatewayProxyEvent) => Promise<InvokeResult>;
  onRequest?: (log: ApiRequestLog) => void;
  /**
   * Attach the body validator to the methods with a model, as `validate_request_body = true` does:
   * the gateway answers a body that fails the model itself (400 BAD_REQUEST_BODY) and the function
   * never sees it. Default DEFAULT_VALIDATE_REQUEST_BODY (off: the function validates).
   */
  validateRequestBody?: boolean;
  /** Override the model file (tests). */
  modelFile?: string;
  /** Local-only pages outside the REST API (the dashboard): GET path -> its content type and body. */
  localPages?: Record<string, () => Promise<{ contentType: string; body: string }>>;
}

export interface ApiGateway {
  server: Server;
  url: string;
  port: number;
  /** Whether the gateway validates POST /order bodies against the model (see ApiGatewayOptions). */
  validateRequestBody: boolean;
  close(): Promise<void>;
}

function renderGatewayResponse(type: GatewayResponseType, context: { messageString: string; validationErrorString?: string }) {
  const { template } = GATEWAY_RESPONSE_TEMPLATES[type];
  // $context.error.messageString is the quoted message; validationErrorString is raw text inside a
  // quoted template string (escaped here so that the body stays valid JSON).
  return template
    .replace('$context.error.messageString', JSON.stringify(context.messageString))
    .replace('$context.error.validationErrorString', JSON.stringify(context.validationErrorString ?? '').slice(1, -1));
}

/** `DD/Mon/YYYY:HH:mm:ss +0000`, API Gateway's requestTime format. */
function requestTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

function matchResource(path: string): { spec: ResourceSpec; params: Record<string, string> } | undefined {
  for (const spec of RESOURCES) {
    const found = spec.pattern.exec(path);
    if (!found) continue;
    const params: Record<string, string> = {};
    spec.params.forEach((name, index) => {
      const raw = found[index + 1] ?? '';
      try {
        params[name] = decodeURIComponent(raw);
      } catch {
        params[name] = raw;
      }
    });
    return { spec, params };
  }
  return undefined;
}

/** Builds the REST API (payload 1.0) proxy event for a request. Exported for tests. */
export function buildProxyEvent(input: {
  method: string;
  rawUrl: string;
  rawHeaders: string[];
  body: Buffer;
  sourceIp: string;
  resource: string;
  pathParameters: Record<string, string> | null;
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
      authorizer: undefined as never,
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
      path: `/${input.stage}${url.pathname}`,
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

interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  gatewayResponse?: GatewayResponseType;
  integrationError?: string;
}

function gatewayAnswer(type: GatewayResponseType, statusCode: number, messageString: string, validationErrorString?: string): HttpAnswer {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': type === 'MISSING_AUTHENTICATION_TOKEN' ? 'MissingAuthenticationTokenException' : type },
    body: Buffer.from(renderGatewayResponse(type, { messageString, validationErrorString })),
    gatewayResponse: type,
  };
}

/** Turns the function's proxy result into the HTTP response (502 when it is malformed). */
export function mapProxyResult(result: InvokeResult): HttpAnswer {
  if (!result.ok) {
    return {
      ...gatewayAnswer('DEFAULT_5XX', 502, 'Internal server error'),
      integrationError: `${result.error.errorType}: ${result.error.errorMessage}`,
    };
  }
  const payload = (result.payload && typeof result.payload === 'object' ? result.payload : {}) as Record<string, unknown>;
  const statusCode = payload['statusCode'];
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    return { ...gatewayAnswer('DEFAULT_5XX', 502, 'Internal server error'), integrationError: 'Malformed Lambda proxy response' };
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

function mediaType(contentType: string | undefined): string {
  // API Gateway treats a request without Content-Type as application/json.
  return (contentType ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? '';
}

export async function startApiGateway(options: ApiGatewayOptions): Promise<ApiGateway> {
  const stage = options.stage ?? 'local';
  const apiId = 'local0dofs';
  const validateRequestBody = options.validateRequestBody ?? DEFAULT_VALIDATE_REQUEST_BODY;
  // The model is attached either way (read and checked at start-up), but only enforced when the
  // body validator is on.
  const model = JSON.parse(readFileSync(options.modelFile ?? workspacePath(MODEL_FILE), 'utf8')) as Record<string, unknown>;
  assertSupportedSchema(model);
  const openApi = readFileSync(workspacePath(OPENAPI_FILE));

  async function answer(req: IncomingMessage, body: Buffer, tooLarge: boolean, requestId: string): Promise<HttpAnswer> {
    if (tooLarge) return gatewayAnswer('REQUEST_TOO_LARGE', 413, 'Request Too Long');
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://localhost');
    if ((method === 'GET' || method === 'HEAD') && url.pathname === '/openapi.json') {
      return { statusCode: 200, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: openApi };
    }
    const localPage = method === 'GET' || method === 'HEAD' ? options.localPages?.[url.pathname] : undefined;
    if (localPage) {
      const page = await localPage();
      return { statusCode: 200, headers: { 'Content-Type': page.contentType, 'Cache-Control': 'no-store' }, body: Buffer.from(page.body) };
    }
    const matched = matchResource(url.pathname);
    const spec = matched ? (matched.spec.methods[method] ?? matched.spec.methods['ANY']) : undefined;
    if (!matched || !spec) return gatewayAnswer('MISSING_AUTHENTICATION_TOKEN', 404, 'Missing Authentication Token');
    if (validateRequestBody && spec.model && mediaType(req.headers['content-type']) === 'application/json') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        return gatewayAnswer('BAD_REQUEST_BODY', 400, 'Invalid request body', 'Invalid request body');
      }
      const errors = validateAgainstModel(model, parsed);
      if (errors.length > 0) return gatewayAnswer('BAD_REQUEST_BODY', 400, 'Invalid request body', `[${errors.join(', ')}]`);
    }
    const event = buildProxyEvent({
      method,
      rawUrl: req.url ?? '/',
      rawHeaders: req.rawHeaders,
      body,
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      resource: matched.spec.resource,
      pathParameters: matched.spec.params.length > 0 ? matched.params : null,
      stage,
      apiId,
      requestId,
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), INTEGRATION_TIMEOUT_MS)));
    const result = await Promise.race([options.invoke(event), timeout]);
    clearTimeout(timer);
    if (result === 'timeout') return gatewayAnswer('DEFAULT_5XX', 504, 'Endpoint request timed out');
    return mapProxyResult(result);
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const requestId = randomUUID();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_PAYLOAD_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      void answer(req, Buffer.concat(chunks), size > MAX_PAYLOAD_BYTES, requestId)
        .catch((error: Error) => ({ ...gatewayAnswer('DEFAULT_5XX', 502, 'Internal server error'), integrationError: error.message }))
        .then((out) => {
          res.writeHead(out.statusCode, {
            ...out.headers,
            'Content-Length': out.body.length,
            'x-amzn-RequestId': requestId,
            'x-amz-apigw-id': randomBytes(8).toString('base64url').slice(0, 16) + '=',
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
          });
        });
    });
  });
  server.keepAliveTimeout = 65_000;
  const port = await listen(server, options.port, options.host);
  return { server, port, url: `http://${options.host}:${port}`, validateRequestBody, close: () => closeServer(server) };
}
