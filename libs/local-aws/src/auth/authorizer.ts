// The HTTP API JWT authorizer, as API Gateway documents it ("Controlling access to HTTP APIs with
// JWT authorizers"), verifying with jose:
// 1. the identity source `$request.header.Authorization`: the token alone or after `Bearer `;
// 2. the header's `kid` names a key of the issuer's JWKS, the algorithm is RS256 and the signature
//    verifies against that key;
// 3. `iss` is the configured issuer; `aud`, or `client_id` when the token has no `aud`, is in the
//    audience list (API Gateway evaluates `aud` when both are there); `exp` is after now, `nbf`
//    and `iat` (when present) before it;
// 4. the route's authorization scopes: the token's `scope` (or `scp`) holds at least one of them.
// Failing 1-3 is a 401, failing 4 a 403, both with API Gateway's own body; the function is not
// invoked. A verified token's claims reach the function as strings, as API Gateway passes them.
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { ALGORITHM } from './issuer';

export interface JwtAuthorizerConfig {
  /** The authorizer's `issuer`. */
  issuer: string;
  /** The authorizer's `audience` list: a token's `aud`, or its `client_id` when it has no `aud`, must be one of them. */
  audience: readonly string[];
  /** The issuer's JWKS (the document its `jwks_uri` serves). */
  jwks: JSONWebKeySet;
}

export type AuthorizerResult =
  | { ok: true; claims: Record<string, string>; scopes: string[] }
  /** 401: no token or one that does not verify; 403: a valid token with none of the route's scopes. */
  | { ok: false; statusCode: 401 | 403; reason: string };

export type JwtAuthorizer = (authorization: string | undefined, routeScopes: readonly string[]) => Promise<AuthorizerResult>;

/** A claim value as API Gateway passes it: strings as they are, numbers in decimal, arrays as `[a b]`. */
export function claimString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(claimString).join(' ')}]`;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Every claim as a string (`requestContext.authorizer.claims` of payload 1.0, `authorizer.jwt.claims` of 2.0). */
export function claimsAsStrings(payload: JWTPayload): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) if (value !== undefined) out[name] = claimString(value);
  return out;
}

/** The token's scopes: `scope` (space separated), else `scp` (a list or a space-separated string). */
export function tokenScopes(payload: JWTPayload): string[] {
  const raw = payload['scope'] ?? payload['scp'];
  if (typeof raw === 'string') return raw.split(' ').filter(Boolean);
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === 'string');
  return [];
}

/** The token of an Authorization header value: all of it, or what follows `Bearer `. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const value = authorization?.trim();
  if (!value || /^Bearer$/i.test(value)) return undefined;
  const bearer = /^Bearer\s+(.+)$/i.exec(value);
  return (bearer ? bearer[1] : value)?.trim() || undefined;
}

function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `the token's ${error.claim} claim is not accepted (${error.message})`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is invalid';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key of the issuer matches the token';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token algorithm is not accepted';
  if (error instanceof errors.JOSEError) return `the token is not valid (${error.message})`;
  return `the token is not valid (${(error as Error).message})`;
}

/** Builds the authorizer of one issuer and audience. */
export function createJwtAuthorizer(config: JwtAuthorizerConfig): JwtAuthorizer {
  const keys = createLocalJWKSet(config.jwks);
  const audience = [...config.audience];
  return async (authorization, routeScopes) => {
    const token = bearerToken(authorization);
    if (!token) return { ok: false, statusCode: 401, reason: 'no token in the Authorization header' };
    let unverified: JWTPayload;
    try {
      if (!decodeProtectedHeader(token).kid) return { ok: false, statusCode: 401, reason: 'the token header has no kid' };
      unverified = decodeJwt(token);
    } catch (error) {
      return { ok: false, statusCode: 401, reason: reasonOf(error) };
    }
    // What the claims must satisfy, decided from the unverified claims; jose checks all of it
    // (signature first) before anything is trusted.
    const hasAud = unverified.aud !== undefined;
    const options: JWTVerifyOptions = {
      issuer: config.issuer,
      algorithms: [ALGORITHM],
      requiredClaims: hasAud ? ['exp'] : ['exp', 'client_id'],
      ...(hasAud ? { audience } : {}),
      // `iat` in the future is refused: jose checks it when given a maximum age (here a century).
      ...(unverified.iat !== undefined ? { maxTokenAge: 100 * 365 * 24 * 3600 } : {}),
    };
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, options));
    } catch (error) {
      return { ok: false, statusCode: 401, reason: reasonOf(error) };
    }
    if (!hasAud && (typeof payload['client_id'] !== 'string' || !audience.includes(payload['client_id']))) {
      return { ok: false, statusCode: 401, reason: "the token's client_id is not in the audience list" };
    }
    const scopes = tokenScopes(payload);
    if (routeScopes.length > 0 && !routeScopes.some((scope) => scopes.includes(scope))) {
      return { ok: false, statusCode: 403, reason: `the token has none of the route's scopes (${routeScopes.join(', ')})` };
    }
    return { ok: true, claims: claimsAsStrings(payload), scopes };
  };
}
