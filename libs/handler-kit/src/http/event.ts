import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, APIGatewayProxyResult, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** What API Gateway may send: REST API (payload 1.0) or HTTP API (payload 1.0 or 2.0) proxy events. */
export type ApiGatewayEvent = APIGatewayProxyEvent | APIGatewayProxyEventV2;
/** A response both payload versions accept. */
export type HttpResponse = APIGatewayProxyResult & APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string; headers: Record<string, string> };

/**
 * One shape for both API Gateway payload versions. `headers` have lower-cased names and one value
 * each; `body` is the raw body until a body parser replaces it with the parsed value.
 */
export interface HttpRequest {
  readonly payloadVersion: '1.0' | '2.0';
  readonly method: string;
  /** The request path as API Gateway gives it (payload 2.0 `rawPath` may start with the stage). */
  readonly path: string;
  /** The stage name when it is not `$default` (it may prefix `path`). */
  readonly stage: string | undefined;
  headers: Record<string, string>;
  body: unknown;
  isBase64Encoded: boolean;
  /** The API Gateway request id. */
  readonly requestId: string | undefined;
  /** What API Gateway's JWT authorizer verified, or `undefined` when it put nothing in the event. */
  readonly authorizer: VerifiedToken | undefined;
}

/**
 * The claims of a token API Gateway's JWT authorizer verified. Payload 1.0 carries them in
 * `requestContext.authorizer.claims`, payload 2.0 in `requestContext.authorizer.jwt.claims`; each
 * value is kept only when it is a string (API Gateway renders every claim as one). `scopes` joins the
 * authorizer's own list with the token's `scope` / `scp` claim (space separated).
 */
export interface VerifiedToken {
  readonly claims: Readonly<Record<string, string>>;
  readonly scopes: readonly string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Lower-cases header names; joins multi-value headers with ", " like HTTP API does. */
export function lowerCaseHeaders(headers: unknown, multiValueHeaders?: unknown): Record<string, string> {
  const result: Record<string, string> = Object.create(null) as Record<string, string>;
  if (isObject(multiValueHeaders)) {
    for (const [name, values] of Object.entries(multiValueHeaders)) {
      if (Array.isArray(values)) {
        const strings = values.filter((v): v is string => typeof v === 'string');
        if (strings.length > 0) result[name.toLowerCase()] = strings.join(', ');
      }
    }
  }
  if (isObject(headers)) {
    for (const [name, value] of Object.entries(headers)) {
      const key = name.toLowerCase();
      if (typeof value === 'string' && !(key in result)) result[key] = value;
    }
  }
  return result;
}

function verifiedToken(requestContext: Record<string, unknown>, v2: boolean): VerifiedToken | undefined {
  const authorizer = isObject(requestContext['authorizer']) ? requestContext['authorizer'] : undefined;
  const source = v2 ? (isObject(authorizer?.['jwt']) ? authorizer['jwt'] : undefined) : authorizer;
  if (!source || !isObject(source['claims'])) return undefined;
  const claims: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(source['claims'])) if (typeof value === 'string') claims[name] = value;
  const listed = Array.isArray(source['scopes']) ? source['scopes'].filter((s): s is string => typeof s === 'string') : [];
  // `scp` may arrive rendered as an array ("[a b]").
  const fromClaims = [claims['scope'], claims['scp']].flatMap((v) => (v ?? '').replace(/^\[|\]$/g, '').split(' '));
  const scopes = [...new Set([...listed, ...fromClaims].filter((s) => s.length > 0))];
  return { claims, scopes };
}

/** True for a payload-2.0 event (HTTP API). Everything else is treated as payload 1.0. */
export function isPayloadV2(event: unknown): event is APIGatewayProxyEventV2 {
  return isObject(event) && event['version'] === '2.0';
}

/** Normalises an API Gateway proxy event of either payload version. Never throws, whatever the input. */
export function normalizeHttpEvent(event: unknown): HttpRequest {
  const e = isObject(event) ? event : {};
  const requestContext = isObject(e['requestContext']) ? e['requestContext'] : {};
  const stageName = str(requestContext['stage']);
  const stage = stageName && stageName !== '$default' ? stageName : undefined;
  const body = typeof e['body'] === 'string' ? e['body'] : undefined;
  const isBase64Encoded = e['isBase64Encoded'] === true;
  if (isPayloadV2(event)) {
    const http = isObject(requestContext['http']) ? requestContext['http'] : {};
    return {
      payloadVersion: '2.0',
      method: (str(http['method']) ?? '').toUpperCase(),
      path: str(e['rawPath']) ?? str(http['path']) ?? '/',
      stage,
      headers: lowerCaseHeaders(e['headers']),
      body,
      isBase64Encoded,
      requestId: str(requestContext['requestId']),
      authorizer: verifiedToken(requestContext, true),
    };
  }
  return {
    payloadVersion: '1.0',
    method: (str(e['httpMethod']) ?? '').toUpperCase(),
    path: str(e['path']) ?? '/',
    stage,
    headers: lowerCaseHeaders(e['headers'], e['multiValueHeaders']),
    body,
    isBase64Encoded,
    requestId: str(requestContext['requestId']),
    authorizer: verifiedToken(requestContext, false),
  };
}

/** The byte length of the body as it will be parsed (base64 bodies decoded). */
export function bodyByteLength(request: Pick<HttpRequest, 'body' | 'isBase64Encoded'>): number {
  if (typeof request.body !== 'string') return 0;
  return request.isBase64Encoded ? Buffer.byteLength(request.body, 'base64') : Buffer.byteLength(request.body, 'utf8');
}

/** The media type of a Content-Type header without parameters, lower-cased (`Application/JSON; charset=utf-8` -> `application/json`). */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const mediaType = contentType.split(';', 1)[0]?.trim().toLowerCase();
  return mediaType ? mediaType : undefined;
}
