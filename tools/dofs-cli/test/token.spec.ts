// `dofs token`: a token of the running local stack's issuer, signed with its data directory's key,
// checked here with jose against that key's public half, and against the gateway's own authorizer.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { createJwtAuthorizer, ensureAuthMaterial, issuerUrl, jwks, type AuthMaterial } from '@dofs/local-aws/auth';
import { main } from '../src/main';

const ISSUER = issuerUrl(43210);
let dir: string;
let stackFile: string;
let material: AuthMaterial;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dofs-cli-token-'));
  material = await ensureAuthMaterial(dir);
  stackFile = join(dir, 'local-stack.json');
  writeFileSync(stackFile, JSON.stringify({ pid: process.pid, auth: { mode: 'jwt', issuer: ISSUER, clientId: material.clientId, dir: material.dir } }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[], cwd = dir) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['token', ...args], { out: (t) => out.push(t), err: (t) => err.push(t), env: {}, cwd });
  return { code, out, err };
}

async function verified(token: string) {
  const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks(material)), { issuer: ISSUER, algorithms: ['RS256'] });
  return { payload, protectedHeader };
}

describe('dofs token', () => {
  it('prints a backend token by default: sub = client_id = the local app client, all three scopes, 1 h', async () => {
    const { code, out, err } = await run(['--stack-file', stackFile]);
    expect({ code, err, lines: out.length }).toEqual({ code: 0, err: [], lines: 1 });
    const token = out[0] ?? '';
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', kid: material.kid });
    const { payload } = await verified(token);
    expect(payload).toMatchObject({
      iss: ISSUER,
      sub: 'dofs-local-backend',
      client_id: 'dofs-local-backend',
      token_use: 'access',
      scope: 'orders/write orders/read orders/act-for-customers',
    });
    expect(payload.aud).toBeUndefined(); // as Cognito's access tokens
    expect(Number(payload.exp) - Number(payload.iat)).toBe(3600);
    // The gateway's authorizer takes it on both routes.
    const authorize = createJwtAuthorizer({ issuer: ISSUER, audience: [material.clientId], jwks: jwks(material) });
    expect(await authorize(`Bearer ${token}`, ['orders/write'])).toMatchObject({ ok: true });
    expect(await authorize(`Bearer ${token}`, ['orders/read'])).toMatchObject({ ok: true });
  });

  it('--customer gives that customer\'s token; --scope and --expires-in change the scopes and the lifetime', async () => {
    const customer = await run(['--stack-file', stackFile, '--customer', 'c-123']);
    expect(customer.code).toBe(0);
    expect((await verified(customer.out[0] ?? '')).payload).toMatchObject({ sub: 'c-123', client_id: 'dofs-local-backend', scope: 'orders/write orders/read' });

    const narrow = await run(['--stack-file', stackFile, '--customer', 'c-9', '--scope', 'orders/read', '--expires-in', '120']);
    const { payload } = await verified(narrow.out[0] ?? '');
    expect(payload).toMatchObject({ sub: 'c-9', scope: 'orders/read' });
    expect(Number(payload.exp) - Number(payload.iat)).toBe(120);
    const authorize = createJwtAuthorizer({ issuer: ISSUER, audience: [material.clientId], jwks: jwks(material) });
    expect(await authorize(narrow.out[0], ['orders/write'])).toMatchObject({ ok: false, statusCode: 403 });

    const several = await run(['--stack-file', stackFile, '--scope', 'orders/write orders/read']);
    expect((await verified(several.out[0] ?? '')).payload['scope']).toBe('orders/write orders/read');
  });

  it('finds the workspace\'s .data/local-stack.json when no --stack-file is given, and says when no stack runs', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'dofs-cli-ws-'));
    try {
      writeFileSync(join(workspace, 'nx.json'), '{}');
      mkdirSync(join(workspace, 'infra'));
      writeFileSync(join(workspace, 'infra', 'settings.json'), '{}');
      const missing = await run([], workspace);
      expect(missing.code).toBe(1);
      expect(missing.err).toEqual([expect.stringMatching(/^dofs: no local stack running \(.*\.data\/local-stack\.json is missing\): start it with npm start/)]);

      mkdirSync(join(workspace, '.data'));
      await ensureAuthMaterial(join(workspace, '.data'));
      writeFileSync(join(workspace, '.data', 'local-stack.json'), JSON.stringify({ pid: process.pid, auth: { mode: 'jwt', issuer: issuerUrl(3000) } }));
      const found = await run([], join(workspace, 'infra'));
      expect(found.code).toBe(0);
      expect(found.out).toHaveLength(1);
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it('refuses a stack that is gone, a state file without an issuer, and bad flags', async () => {
    const gone = join(dir, 'gone.json');
    writeFileSync(gone, JSON.stringify({ pid: 2 ** 22 + 12345, auth: { issuer: ISSUER } }));
    expect(await run(['--stack-file', gone])).toEqual({ code: 1, out: [], err: [`dofs: the local stack that wrote ${gone} is not running (pid ${2 ** 22 + 12345}): start it with npm start`] });
    const old = join(dir, 'old.json');
    writeFileSync(old, JSON.stringify({ pid: process.pid }));
    expect((await run(['--stack-file', old])).err).toEqual([expect.stringContaining('names no issuer')]);

    expect((await run(['--stack-file', stackFile, '--expires-in', '0'])).code).toBe(2);
    expect((await run(['--stack-file', stackFile, '--expires-in', '1h'])).err).toEqual([expect.stringContaining('--expires-in takes seconds')]);
    expect((await run(['--stack-file', stackFile, '--customer', ' '])).code).toBe(2);
    expect((await run(['--stack-file', stackFile, 'extra'])).code).toBe(2);
    const misplaced: string[] = [];
    expect(await main(['failed', 'list', '--customer', 'c-1'], { out: () => undefined, err: (t) => misplaced.push(t), env: {}, cwd: dir })).toBe(2);
    expect(misplaced).toEqual([expect.stringContaining('--customer is an option of dofs token')]);
  });

  it('warns on stderr when the stack runs with --no-auth (and still prints a token)', async () => {
    const open = join(dir, 'open.json');
    writeFileSync(open, JSON.stringify({ pid: process.pid, auth: { mode: 'none', issuer: ISSUER } }));
    const { code, out, err } = await run(['--stack-file', open]);
    expect({ code, lines: out.length }).toEqual({ code: 0, lines: 1 });
    expect(err).toEqual([expect.stringContaining('--no-auth')]);
  });
});
