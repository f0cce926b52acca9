import { createDocumentClient } from '@dofs/ddb-repo';
import { ConfigError } from '@dofs/handler-kit';
import { captureLogs, lambdaContext, sampleOrder, tokenClaims } from '@dofs/handler-kit/testing';
import { newOrderId } from '@dofs/order-domain';
import { createHandler } from '../src/handler';
import { ordersOf as ordersOfCustomer, uniqueCustomer } from './helpers/orders';
import { httpEvent, PAYLOAD_VERSIONS, parse, type PayloadVersion } from './helpers/events';
import { useFakeSfn } from './helpers/sfn';

// Who may place and read an order (docs/design.md): api-handler trusts only the claims API Gateway's
// JWT authorizer put in the event. Real DynamoDB Local; Step Functions faked at the client boundary
// (a local server speaking its protocol), as in api-handler.spec.ts.
const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:dofs-order-workflow';

const sfn = useFakeSfn();
const logs = captureLogs();
const ddb = createDocumentClient();
const handlers: Partial<Record<'jwt' | 'none' | 'unset', ReturnType<typeof createHandler>>> = {};

function handlerFor(mode: 'jwt' | 'none' | 'unset') {
  const env: Record<string, string | undefined> = { ...process.env, STATE_MACHINE_ARN, LOG_LEVEL: 'info' };
  if (mode === 'unset') delete env['AUTH_MODE'];
  else env['AUTH_MODE'] = mode;
  return (handlers[mode] ??= createHandler({ sfn: sfn.client, env, logSink: logs.sink }));
}

afterAll(() => {
  ddb.destroy();
});

beforeEach(() => {
  logs.clear();
});

const ordersOf = (customerId: string) => ordersOfCustomer(ddb, customerId);

function post(version: PayloadVersion, customerId: string, claims: Record<string, string> | null, headers: Record<string, string> = {}) {
  return httpEvent(version, {
    method: 'POST',
    path: '/order',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(sampleOrder({ customer_id: customerId })),
    claims,
  });
}

function get(version: PayloadVersion, orderId: string, claims: Record<string, string> | null) {
  return httpEvent(version, { method: 'GET', path: `/orders/${orderId}`, pathParameters: { order_id: orderId }, claims });
}

describe.each(PAYLOAD_VERSIONS)('who may place and read an order (%s event)', (version) => {
  const jwt = () => handlerFor('jwt');

  it('a customer places an order for themselves: 202, stored under the token\'s subject', async () => {
    const me = uniqueCustomer();
    const response = parse(await jwt()(post(version, me, tokenClaims({ customer: me })), lambdaContext()));
    expect(response.statusCode).toBe(202);
    expect((await ordersOf(me)).map((o) => o.order_id)).toEqual([response.body['order_id']]);
    expect(logs.lines()).toContainEqual(expect.objectContaining({ message: 'order accepted', caller: 'customer' }));
  });

  it('a customer naming another customer in the body: 403 CUSTOMER_MISMATCH naming the field; nothing stored, no workflow', async () => {
    const me = uniqueCustomer();
    const other = uniqueCustomer();
    const response = parse(await jwt()(post(version, other, tokenClaims({ customer: me }), { 'Idempotency-Key': 'k-1' }), lambdaContext()));
    expect(response.statusCode).toBe(403);
    expect(response.body.error).toEqual({
      code: 'CUSTOMER_MISMATCH',
      message: 'a customer may place orders only for themselves',
      details: [{ path: '/customer_id', message: 'must be the customer the token was issued to' }],
    });
    expect(await ordersOf(other)).toEqual([]);
    expect(await ordersOf(me)).toEqual([]);
    expect(sfn.server.calls).toEqual([]);
  });

  it('a customer reads their own order (200) and gets 404 for another customer\'s, exactly as for an id that does not exist', async () => {
    const me = uniqueCustomer();
    const other = uniqueCustomer();
    const mine = parse(await jwt()(post(version, me, tokenClaims({ customer: me })), lambdaContext())).body['order_id'] as string;
    const theirs = parse(await jwt()(post(version, other, tokenClaims({ customer: other })), lambdaContext())).body['order_id'] as string;

    expect(parse(await jwt()(get(version, mine, tokenClaims({ customer: me })), lambdaContext()))).toMatchObject({ statusCode: 200, body: { order_id: mine, customer_id: me } });
    const foreign = parse(await jwt()(get(version, theirs, tokenClaims({ customer: me })), lambdaContext()));
    const unknown = parse(await jwt()(get(version, newOrderId(), tokenClaims({ customer: me })), lambdaContext()));
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).toEqual(unknown.body);
    expect(unknown.statusCode).toBe(404);
  });

  it('a trusted backend (orders/act-for-customers) places orders for any customer and reads any order', async () => {
    const backend = tokenClaims();
    const customers = [uniqueCustomer(), uniqueCustomer()];
    for (const customer of customers) {
      const accepted = parse(await jwt()(post(version, customer, backend), lambdaContext()));
      expect(accepted.statusCode).toBe(202);
      const read = parse(await jwt()(get(version, accepted.body['order_id'] as string, backend), lambdaContext()));
      expect(read).toMatchObject({ statusCode: 200, body: { customer_id: customer } });
    }
    expect(logs.lines()).toContainEqual(expect.objectContaining({ message: 'order accepted', caller: 'backend', client_id: backend['client_id'] }));
  });

  it('a route without the authorizer does not fall open: no claims, or claims without a subject, are a 401; nothing stored', async () => {
    const customer = uniqueCustomer();
    const noSubject = tokenClaims();
    delete noSubject['sub'];
    // Headers are the client's to forge: an Authorization header the gateway did not verify counts for nothing.
    for (const claims of [null, noSubject]) {
      for (const handler of [jwt(), handlerFor('unset')]) {
        const response = parse(await handler(post(version, customer, claims, { Authorization: 'Bearer forged' }), lambdaContext()));
        expect(response.statusCode).toBe(401);
        expect(response.body.error).toMatchObject({ code: 'UNAUTHENTICATED' });
        const read = parse(await handler(get(version, newOrderId(), claims), lambdaContext()));
        expect(read.statusCode).toBe(401);
      }
    }
    expect(await ordersOf(customer)).toEqual([]);
    expect(sfn.server.calls).toEqual([]);
  });

  it('the token\'s scope claim decides the caller kind, not a claim a customer could choose', async () => {
    const me = uniqueCustomer();
    const other = uniqueCustomer();
    // A customer token whose other claims look like a backend's is still a customer's.
    const claims = { ...tokenClaims({ customer: me }), client_id: 'dofs-test-client', token_use: 'access', 'custom:role': 'backend' };
    expect(parse(await jwt()(post(version, other, claims), lambdaContext())).statusCode).toBe(403);
    // `scp` (other issuers) counts like `scope`.
    const scp = { ...tokenClaims({ customer: me }), scope: '', scp: '[orders/write orders/act-for-customers]' };
    expect(parse(await jwt()(post(version, other, scp), lambdaContext())).statusCode).toBe(202);
  });

  it('AUTH_MODE=none (the open local API): the body names the customer, no claims needed', async () => {
    const customer = uniqueCustomer();
    const response = parse(await handlerFor('none')(post(version, customer, null), lambdaContext()));
    expect(response.statusCode).toBe(202);
    expect(await ordersOf(customer)).toHaveLength(1);
  });
});

it('refuses to start with an AUTH_MODE it does not know, naming it', () => {
  let error: unknown;
  try {
    createHandler({ sfn: sfn.client, env: { ...process.env, STATE_MACHINE_ARN, AUTH_MODE: 'open' } });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).variables).toEqual(['AUTH_MODE']);
});
