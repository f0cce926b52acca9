// The issuer's HTTP endpoints on the gateway, under `/_local/auth` (outside the HTTP API: never
// authorized, never throttled):
//   GET  /_local/auth/.well-known/openid-configuration   the discovery document
//   GET  /_local/auth/.well-known/jwks.json              the JWKS the authorizer verifies with
//   POST /_local/auth/oauth2/token                       client credentials, as Cognito's token endpoint
// The token endpoint takes `grant_type=client_credentials` form-encoded, the client's id and
// secret as HTTP Basic (or `client_id` / `client_secret` form fields), an optional `scope`, and
// answers `{access_token, expires_in, token_type: "Bearer"}`, or 400 with `{"error": …}`.
import { timingSafeEqual } from 'node:crypto';
import {
  BACKEND_SCOPES,
  DEFAULT_EXPIRES_IN_SECONDS,
  DISCOVERY_PATH,
  discoveryDocument,
  ISSUER_PATH,
  jwks,
  JWKS_PATH,
  mintToken,
  TOKEN_PATH,
  type AuthMaterial,
} from '@dofs/local-aws/auth';

export interface IssuerAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface IssuerRequest {
  method: string;
  path: string;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  body: Buffer;
}

/** True for a path the issuer answers (every method: a wrong one gets its 405). */
export function isIssuerPath(pathname: string): boolean {
  return pathname === ISSUER_PATH || pathname.startsWith(`${ISSUER_PATH}/`);
}

function json(statusCode: number, value: unknown, extra: Record<string, string> = {}): IssuerAnswer {
  return { statusCode, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...extra }, body: Buffer.from(JSON.stringify(value)) };
}

const oauthError = (error: string, description: string) => json(400, { error, error_description: description });

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The client's id and secret: HTTP Basic (form-urlencoded parts, RFC 6749 2.3.1) or the form fields. */
function clientCredentials(request: IssuerRequest, form: URLSearchParams): { id: string; secret: string } | undefined {
  const basic = /^Basic\s+(\S+)$/i.exec(request.headers['authorization'] ?? '');
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const part = (s: string) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        return s;
      }
    };
    return { id: part(decoded.slice(0, colon)), secret: part(decoded.slice(colon + 1)) };
  }
  const id = form.get('client_id');
  const secret = form.get('client_secret');
  return id && secret ? { id, secret } : undefined;
}

async function token(request: IssuerRequest, material: AuthMaterial, issuer: string): Promise<IssuerAnswer> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return oauthError('invalid_request', 'the body must be application/x-www-form-urlencoded');
  const form = new URLSearchParams(request.body.toString('utf8'));
  const client = clientCredentials(request, form);
  if (!client || client.id !== material.clientId || !sameSecret(client.secret, material.clientSecret)) {
    return oauthError('invalid_client', 'unknown client or wrong secret');
  }
  if (form.get('grant_type') !== 'client_credentials') return oauthError('unsupported_grant_type', 'only client_credentials is supported');
  const asked = form.get('scope');
  const scopes = asked === null ? [...BACKEND_SCOPES] : asked.split(' ').filter(Boolean);
  if (scopes.length === 0 || scopes.some((scope) => !BACKEND_SCOPES.includes(scope))) {
    return oauthError('invalid_scope', `scopes of this client: ${BACKEND_SCOPES.join(' ')}`);
  }
  const accessToken = await mintToken({ issuer, privateJwk: material.privateJwk, clientId: material.clientId, scopes });
  return json(200, { access_token: accessToken, expires_in: DEFAULT_EXPIRES_IN_SECONDS, token_type: 'Bearer' });
}

/** The issuer's answer to a request under `/_local/auth`. */
export async function answerIssuerRequest(request: IssuerRequest, material: AuthMaterial, issuer: string): Promise<IssuerAnswer> {
  const get = request.method === 'GET' || request.method === 'HEAD';
  switch (request.path) {
    case DISCOVERY_PATH:
      return get ? json(200, discoveryDocument(issuer)) : json(405, { message: 'Method Not Allowed' }, { Allow: 'GET, HEAD' });
    case JWKS_PATH:
      return get ? json(200, jwks(material)) : json(405, { message: 'Method Not Allowed' }, { Allow: 'GET, HEAD' });
    case TOKEN_PATH:
      return request.method === 'POST' ? token(request, material, issuer) : json(405, { message: 'Method Not Allowed' }, { Allow: 'POST' });
    default:
      return json(404, { message: 'Not Found' });
  }
}
