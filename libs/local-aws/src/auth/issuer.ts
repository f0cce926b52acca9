// The local stack's token issuer: the stand-in for the Cognito user pool the deployed API trusts
// (docs/design.md "Who may place and read an order"). One RSA 2048 key pair and one machine app
// client, kept under `<data-dir>/auth/` (created at the first start, reused afterwards), sign
// access tokens of the shape Cognito issues: RS256 with a `kid`, claims `iss`, `sub`, `client_id`,
// `token_use: "access"`, `scope`, `iat`, `exp`, `jti`, and no `aud`.
//
// Used by the gateway (its JWKS, discovery document and /oauth2/token), `npx dofs token`, the tests
// and the tools. Signing and key handling are jose's; nothing here touches a signature by hand.
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SCOPES } from '@dofs/order-domain';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';

/** A trusted backend's token (client credentials): all three scopes. */
export const BACKEND_SCOPES: readonly string[] = [SCOPES.WRITE, SCOPES.READ, SCOPES.ACT_FOR_CUSTOMERS];
/** A customer's token: place and read their own orders. */
export const CUSTOMER_SCOPES: readonly string[] = [SCOPES.WRITE, SCOPES.READ];

/** The local machine app client; the authorizer's audience list is `[LOCAL_CLIENT_ID]`. */
export const LOCAL_CLIENT_ID = 'dofs-local-backend';
/** Where the issuer lives on the gateway: `http://localhost:<port>/_local/auth`. */
export const ISSUER_PATH = '/_local/auth';
export const DISCOVERY_PATH = `${ISSUER_PATH}/.well-known/openid-configuration`;
export const JWKS_PATH = `${ISSUER_PATH}/.well-known/jwks.json`;
export const TOKEN_PATH = `${ISSUER_PATH}/oauth2/token`;
/** The signing algorithm, the only one the authorizer accepts. */
export const ALGORITHM = 'RS256';
/** Cognito's default access-token lifetime. */
export const DEFAULT_EXPIRES_IN_SECONDS = 3600;

export const AUTH_DIR = 'auth';
export const SIGNING_KEY_FILE = 'signing-key.json';
export const CLIENT_FILE = 'client.json';

/** The issuer of a stack whose gateway listens on `port`. */
export function issuerUrl(port: number): string {
  return `http://localhost:${port}${ISSUER_PATH}`;
}

/** The key pair and the app client under `<data-dir>/auth/`. */
export interface AuthMaterial {
  dir: string;
  /** The private JWK (`kty`, `n`, `e`, `d`, ..., `kid`, `alg`, `use`), as kept in signing-key.json. */
  privateJwk: JWK;
  /** Its public half, the one key of the JWKS. */
  publicJwk: JWK;
  kid: string;
  clientId: string;
  clientSecret: string;
}

export class AuthMaterialError extends Error {
  override name = 'AuthMaterialError';
}

export function authDir(dataDir: string): string {
  return path.join(dataDir, AUTH_DIR);
}

function publicHalf(jwk: JWK): JWK {
  const { kty, n, e, kid, alg, use } = jwk;
  return { kty, n, e, kid, alg, use };
}

/**
 * Writes `content` to `file` unless it exists: written beside it, then hard-linked into place, so a
 * reader never sees half a file and a second writer keeps the first one's. True when written.
 */
function createOnce(file: string, content: string): boolean {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, content, { mode: 0o600 });
  try {
    linkSync(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temp);
  }
}

function readJson(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new AuthMaterialError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Reads `<data-dir>/auth/` (what a stack created at its first start). Throws AuthMaterialError when it is absent or unreadable. */
export function loadAuthMaterial(dataDir: string): AuthMaterial {
  const dir = authDir(dataDir);
  const keyFile = path.join(dir, SIGNING_KEY_FILE);
  const clientFile = path.join(dir, CLIENT_FILE);
  if (!existsSync(keyFile) || !existsSync(clientFile)) {
    throw new AuthMaterialError(`no local issuer key in ${dir}: start the local stack once (npm start) to create it`);
  }
  const privateJwk = readJson(keyFile) as JWK;
  const client = readJson(clientFile);
  if (privateJwk.kty !== 'RSA' || typeof privateJwk.d !== 'string' || typeof privateJwk.kid !== 'string') {
    throw new AuthMaterialError(`${keyFile} is not a private RSA JWK with a kid`);
  }
  if (typeof client['client_id'] !== 'string' || typeof client['client_secret'] !== 'string') {
    throw new AuthMaterialError(`${clientFile} has no client_id and client_secret`);
  }
  return {
    dir,
    privateJwk,
    publicJwk: publicHalf(privateJwk),
    kid: privateJwk.kid,
    clientId: client['client_id'],
    clientSecret: client['client_secret'],
  };
}

/** An RSA 2048 signing key as a private JWK with `kid` (its RFC 7638 thumbprint), `alg` and `use`. */
export async function generateSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(ALGORITHM, { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { ...jwk, kid, alg: ALGORITHM, use: 'sig' };
}

/** The data directory's key pair and app client, created when absent (the first start), else reused. */
export async function ensureAuthMaterial(dataDir: string): Promise<AuthMaterial> {
  const dir = authDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keyFile = path.join(dir, SIGNING_KEY_FILE);
  if (!existsSync(keyFile)) createOnce(keyFile, `${JSON.stringify(await generateSigningKey(), null, 2)}\n`);
  const clientFile = path.join(dir, CLIENT_FILE);
  if (!existsSync(clientFile)) {
    createOnce(clientFile, `${JSON.stringify({ client_id: LOCAL_CLIENT_ID, client_secret: randomBytes(32).toString('base64url') }, null, 2)}\n`);
  }
  return loadAuthMaterial(dataDir);
}

/** The JWKS the gateway serves and verifies against. */
export function jwks(material: Pick<AuthMaterial, 'publicJwk'>): { keys: JWK[] } {
  return { keys: [material.publicJwk] };
}

/** The issuer's OpenID discovery document (the fields Cognito's has that a client of client credentials reads). */
export function discoveryDocument(issuer: string): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    token_endpoint: `${issuer}/oauth2/token`,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    response_types_supported: ['token'],
    scopes_supported: [...BACKEND_SCOPES],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [ALGORITHM],
  };
}

export interface MintOptions {
  /** `iss` (the stack's `issuerUrl(port)`). */
  issuer: string;
  /** The signing key: the data directory's private JWK (`AuthMaterial.privateJwk`) or any other RSA private JWK with a `kid`. */
  privateJwk: JWK;
  /** `client_id` (default LOCAL_CLIENT_ID). */
  clientId?: string;
  /** A customer's token: `sub` = this id, scopes CUSTOMER_SCOPES. Without it, a backend token: `sub` = the client id, scopes BACKEND_SCOPES. */
  customer?: string;
  /** `scope` instead of the default ones (an empty list gives an empty `scope`). */
  scopes?: readonly string[];
  /** `exp` - `iat` (default 3600). Negative values give a token that has already expired. */
  expiresInSeconds?: number;
  /** `nbf`, seconds from now (Cognito's access tokens have none; default none). */
  notBeforeInSeconds?: number;
  /** `aud` (Cognito's access tokens have none; default none). */
  audience?: string | string[];
  /** `kid` of the header (default the key's). */
  kid?: string;
  /** Claims added or replaced last; `undefined` removes one (e.g. `{ exp: undefined }`). */
  claims?: Record<string, unknown>;
  /** The clock (default now). */
  now?: Date;
}

/** Signs an access token of Cognito's shape (RS256, `kid`); resolves the compact JWT. */
export async function mintToken(options: MintOptions): Promise<string> {
  const clientId = options.clientId ?? LOCAL_CLIENT_ID;
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const customer = options.customer;
  const scopes = options.scopes ?? (customer === undefined ? BACKEND_SCOPES : CUSTOMER_SCOPES);
  const kid = options.kid ?? options.privateJwk.kid;
  if (!kid) throw new AuthMaterialError('the signing key has no kid');
  const payload: Record<string, unknown> = {
    sub: customer ?? clientId,
    iss: options.issuer,
    client_id: clientId,
    token_use: 'access',
    scope: scopes.join(' '),
    auth_time: now,
    iat: now,
    exp: now + (options.expiresInSeconds ?? DEFAULT_EXPIRES_IN_SECONDS),
    jti: randomUUID(),
    ...(options.audience === undefined ? {} : { aud: options.audience }),
    ...(options.notBeforeInSeconds === undefined ? {} : { nbf: now + options.notBeforeInSeconds }),
    ...options.claims,
  };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return new SignJWT(payload).setProtectedHeader({ alg: ALGORITHM, kid }).sign(await importJWK(options.privateJwk, ALGORITHM));
}
