// Who may place and read an order, on the real local stack: the gateway verifies tokens as the
// deployed HTTP API's JWT authorizer (401/403 with API Gateway's own body, api-handler not
// invoked, nothing stored, no workflow started), api-handler applies the backend and customer rules
// to the claims it is given, and `--no-auth` opens the API.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateSigningKey, issuerUrl, loadAuthMaterial } from '@dofs/local-aws/auth';
import {
  clients,
  countExecutions,
  getOrder,
  launchStack,
  mintFor,
  postOrder,
  removeDir,
  ROOT,
  SAMPLE_ORDER,
  scanAll,
  tempDataDir,
  type ApiBody,
  type RunningStack,
} from './harness';
import { must } from '../helpers';

// Bounds catch a hang only: several times what a loaded 2-core machine needs.
jest.setTimeout(300_000);

const run = promisify(execFile);
const BIN = path.join(ROOT, 'tools/dofs-cli/bin/dofs.cjs');
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const order = (customer: string) => ({ ...SAMPLE_ORDER, customer_id: customer });

describe('the local stack with the JWT authorizer (the default)', () => {
  const dataDir = tempDataDir('auth');
  let stack: RunningStack;
  let c: ReturnType<typeof clients>;

  beforeAll(async () => {
    stack = await launchStack(['--fresh', '--success-rate', '1', '--workflow-type', 'STANDARD', '--quiet'], dataDir);
    c = clients(stack.state);
  });

  afterAll(async () => {
    c?.destroy();
    await stack?.stop();
    removeDir(dataDir);
  });

  /** What a request could have left behind: orders, idempotency keys, executions. */
  const stored = async () => ({
    orders: (await scanAll(c.ddb, stack.state.settings.tables.orders)).length,
    idempotencyKeys: (await scanAll(c.ddb, stack.state.settings.tables.idempotencyKeys)).length,
    executions: await countExecutions(c.sfn, stack.state.stateMachineArn),
  });

  it('runs api-handler with AUTH_MODE=jwt and names its issuer and audience in local-stack.json', () => {
    expect(stack.state.auth).toEqual({
      mode: 'jwt',
      issuer: issuerUrl(Number(new URL(stack.state.apiUrl).port)),
      audience: ['dofs-local-backend'],
      clientId: 'dofs-local-backend',
      discoveryUrl: `${stack.state.apiUrl}/_local/auth/.well-known/openid-configuration`,
      jwksUrl: `${stack.state.apiUrl}/_local/auth/.well-known/jwks.json`,
      tokenEndpoint: `${stack.state.apiUrl}/_local/auth/oauth2/token`,
      dir: path.join(dataDir, 'auth'),
    });
  });

  type Refusal = [name: string, authorization: () => Promise<Record<string, string>>, method: 'POST' | 'GET', status: 401 | 403];
  it.each<Refusal>([
    ['no token', async () => ({ Authorization: '' }), 'POST', 401],
    ['a token signed by another key', async () => bearer(await mintFor(stack, { privateJwk: await generateSigningKey(), kid: loadAuthMaterial(dataDir).kid })), 'POST', 401],
    ['a token of another issuer', async () => bearer(await mintFor(stack, { issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other' })), 'POST', 401],
    ['an audience (aud) not in the list', async () => bearer(await mintFor(stack, { audience: 'someone-else' })), 'POST', 401],
    ['a client_id not in the audience list', async () => bearer(await mintFor(stack, { clientId: 'someone-else' })), 'POST', 401],
    ['an expired token', async () => bearer(await mintFor(stack, { expiresInSeconds: -60 })), 'POST', 401],
    ['a token not valid yet (nbf)', async () => bearer(await mintFor(stack, { notBeforeInSeconds: 3600 })), 'POST', 401],
    ['a token without orders/write on POST /order', async () => bearer(await mintFor(stack, { scopes: ['orders/read', 'orders/act-for-customers'] })), 'POST', 403],
    ['a token without orders/read on GET /orders/{id}', async () => bearer(await mintFor(stack, { scopes: ['orders/write'] })), 'GET', 403],
  ])('answers %s with API Gateway\'s own body; nothing is stored and no workflow starts', async (_name, authorization, method, status) => {
    const before = await stored();
    const headers = { ...(await authorization()), 'Idempotency-Key': `refused-${Date.now()}` };
    const response = method === 'POST' ? await postOrder(stack.state.apiUrl, order('c-refused'), headers) : await getOrder(stack.state.apiUrl, 'ord_00000000000000000000000000000000', headers);
    expect({ status: response.status, body: response.body }).toEqual({ status, body: { message: status === 401 ? 'Unauthorized' : 'Forbidden' } });
    expect(await stored()).toEqual(before);
  });

  it('accepts a trusted backend\'s token for any customer, and lets it read any order', async () => {
    const backend = bearer(await mintFor(stack));
    const first = await postOrder(stack.state.apiUrl, order('c-a'), backend);
    const second = await postOrder(stack.state.apiUrl, order('c-b'), backend);
    expect([first.status, second.status]).toEqual([202, 202]);
    for (const placed of [first, second]) {
      expect((await getOrder(stack.state.apiUrl, placed.body.order_id, backend)).status).toBe(200);
    }
    const items = await scanAll(c.ddb, stack.state.settings.tables.orders);
    expect(items.filter((i) => i['order_id'] === first.body.order_id || i['order_id'] === second.body.order_id).map((i) => i['customer_id']).sort()).toEqual(['c-a', 'c-b']);
  });

  describe('a customer\'s token (the rules api-handler applies to the claims)', () => {
    let ownOrderId = '';

    it('places and reads the customer\'s own order (202, then 200)', async () => {
      const customer = bearer(await mintFor(stack, { customer: 'c-own' }));
      const placed = await postOrder(stack.state.apiUrl, order('c-own'), customer);
      expect(placed.status).toBe(202);
      ownOrderId = placed.body.order_id;
      const read = await getOrder(stack.state.apiUrl, ownOrderId, customer);
      expect(read).toMatchObject({ status: 200, body: { order_id: ownOrderId, customer_id: 'c-own' } });
    });

    it('refuses a body naming another customer: 403 CUSTOMER_MISMATCH on /customer_id, nothing stored, no workflow', async () => {
      const before = await stored();
      const response = await postOrder(stack.state.apiUrl, order('c-victim'), { ...bearer(await mintFor(stack, { customer: 'c-own' })), 'Idempotency-Key': `mismatch-${Date.now()}` });
      expect(response.status).toBe(403);
      expect(response.body.error).toMatchObject({ code: 'CUSTOMER_MISMATCH', details: [{ path: '/customer_id', message: expect.any(String) }] });
      expect(await stored()).toEqual(before);
    });

    it('answers 404 for another customer\'s order, exactly as for an id that does not exist', async () => {
      const other = bearer(await mintFor(stack, { customer: 'c-other' }));
      const theirs = await getOrder(stack.state.apiUrl, must(ownOrderId, 'the own order'), other);
      const unknown = await getOrder(stack.state.apiUrl, 'ord_00000000000000000000000000000000', other);
      const shape = (r: { status: number; body: ApiBody }) => ({ status: r.status, code: r.body.error?.code, message: r.body.error?.message, details: r.body.error?.details });
      expect(shape(theirs)).toEqual({ status: 404, code: 'ORDER_NOT_FOUND', message: expect.any(String), details: expect.any(Array) });
      expect(shape(theirs)).toEqual(shape(unknown));
      expect(Object.keys(theirs.body).sort()).toEqual(Object.keys(unknown.body).sort());
    });
  });

  it('takes the token the banner\'s command prints (npx dofs token), and one from the token endpoint (client credentials)', async () => {
    const command = must(/TOKEN=\$\(npx dofs (token --stack-file \S+)\)/.exec(stack.output())?.[1], 'the banner\'s token command').split(' ');
    const printed = await run(process.execPath, [BIN, ...command], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '' } });
    expect(printed.stderr).toBe('');
    expect((await postOrder(stack.state.apiUrl, order('c-banner'), bearer(printed.stdout.trim()))).status).toBe(202);
    const customer = await run(process.execPath, [BIN, ...command, '--customer', 'c-banner'], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '' } });
    expect((await postOrder(stack.state.apiUrl, order('c-someone-else'), bearer(customer.stdout.trim()))).status).toBe(403);

    const client = JSON.parse(readFileSync(path.join(stack.state.auth.dir, 'client.json'), 'utf8')) as { client_id: string; client_secret: string };
    const issued = await fetch(stack.state.auth.tokenEndpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    const { access_token: accessToken } = (await issued.json()) as { access_token: string };
    expect((await postOrder(stack.state.apiUrl, order('c-cc'), bearer(accessToken))).status).toBe(202);
  });
});

describe('the local stack with --no-auth', () => {
  const dataDir = tempDataDir('no-auth');
  let stack: RunningStack;

  beforeAll(async () => {
    stack = await launchStack(['--fresh', '--success-rate', '1', '--no-auth', '--quiet'], dataDir);
  });

  afterAll(async () => {
    await stack?.stop();
    removeDir(dataDir);
  });

  it('says in the banner that the API is open, and answers without a token (api-handler runs with AUTH_MODE=none)', async () => {
    expect(stack.state.auth.mode).toBe('none');
    expect(stack.output()).toContain('the API is open (--no-auth)');
    expect(stack.output()).toContain(`curl -i -X POST ${stack.state.apiUrl}/order -H 'Content-Type: application/json'`);
    const placed = await postOrder(stack.state.apiUrl, order('c-open'), { Authorization: '' });
    expect(placed.status).toBe(202);
    // No claims reach api-handler: under AUTH_MODE=jwt this read would be a 401 UNAUTHENTICATED.
    expect((await getOrder(stack.state.apiUrl, placed.body.order_id, { Authorization: '' })).status).toBe(200);
    expect((await postOrder(stack.state.apiUrl, order('c-open'), { Authorization: 'Bearer junk' })).status).toBe(202);
  });
});
