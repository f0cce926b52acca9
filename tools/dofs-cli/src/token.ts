// `dofs token`: an access token of the running local stack's issuer, signed with its data
// directory's key (`<data-dir>/auth/signing-key.json`), for curl and scripts:
//   TOKEN=$(npx dofs token)                       a trusted backend's: all three scopes
//   npx dofs token --customer c-123               that customer's: sub c-123, orders/write orders/read
//   npx dofs token --scope "orders/read" --expires-in 600
// The issuer names the stack's port, so the stack must be running (its local-stack.json says where).
import { existsSync } from 'node:fs';
import path from 'node:path';
// The local issuer (@dofs/local-aws/auth) is the one the local stack serves: the CLI signs exactly as it does.
import { AuthMaterialError, loadAuthMaterial, mintToken } from '@dofs/local-aws/auth';
import { CliError, UsageError } from './errors';
import { findWorkspaceRoot, readLiveStackState, STACK_STATE_FILE } from './target';

export interface TokenFlags {
  stackFile?: string;
  customer?: string;
  scope?: string;
  expiresIn?: string;
}

/** What `local-stack.json` says about the issuer (apps/local-stack/src/stack.ts, `LocalAuth`). */
interface StackAuthState {
  pid?: number;
  auth?: { mode?: string; issuer?: string; clientId?: string; dir?: string };
}

/** Cognito's bounds of an access token's validity: 5 minutes to 1 day (shorter ones are allowed here, for tests). */
const MAX_EXPIRES_IN_SECONDS = 86_400;

function expiresIn(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1 || n > MAX_EXPIRES_IN_SECONDS) {
    throw new UsageError(`--expires-in takes seconds from 1 to ${MAX_EXPIRES_IN_SECONDS}, not "${text}"`);
  }
  return n;
}

/** The token, and a warning for stderr when the stack takes none (`--no-auth`). */
export async function localToken(flags: TokenFlags, cwd: string): Promise<{ token: string; warning?: string }> {
  const expiresInSeconds = expiresIn(flags.expiresIn);
  if (flags.customer !== undefined && flags.customer.trim() === '') throw new UsageError('--customer takes a customer id, e.g. c-123');
  const scopes = flags.scope === undefined ? undefined : flags.scope.split(/[\s,]+/).filter(Boolean);
  const root = findWorkspaceRoot(cwd);
  const file = flags.stackFile ? path.resolve(cwd, flags.stackFile) : root ? path.join(root, STACK_STATE_FILE) : undefined;
  if (!file || !existsSync(file)) {
    throw new CliError(`no local stack running (${file ?? STACK_STATE_FILE} is missing): start it with npm start (a token names the issuer at the stack's port), or pass --stack-file <data-dir>/local-stack.json`);
  }
  const state = readLiveStackState<StackAuthState>(file);
  const issuer = state.auth?.issuer;
  if (!issuer) throw new CliError(`${file} names no issuer: is the local stack older than its authorizer? Restart it`);
  let material;
  try {
    material = loadAuthMaterial(path.dirname(file));
  } catch (error) {
    throw new CliError(error instanceof AuthMaterialError ? error.message : `cannot read the issuer's key: ${(error as Error).message}`);
  }
  const token = await mintToken({
    issuer,
    privateJwk: material.privateJwk,
    clientId: material.clientId,
    ...(flags.customer === undefined ? {} : { customer: flags.customer.trim() }),
    ...(scopes === undefined ? {} : { scopes }),
    ...(expiresInSeconds === undefined ? {} : { expiresInSeconds }),
  });
  const warning = state.auth?.mode === 'none' ? 'the local stack runs with --no-auth: its API takes no token (this one is valid once it runs with the authorizer again, on the same port)' : undefined;
  return { token, ...(warning ? { warning } : {}) };
}
