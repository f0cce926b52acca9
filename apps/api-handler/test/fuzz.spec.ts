import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import fc from 'fast-check';
import { IdempotencyConflictError, type IntakeOutcome } from '@dofs/ddb-repo';
import { lambdaContext, storedOrder } from '@dofs/handler-kit/testing';
import { newOrderId, type StoredOrder } from '@dofs/order-domain';
import type { CreateOrderDeps } from '../src/create-order';
import { createHandler } from '../src/handler';
import type { OrderReader } from '../src/get-order';
import type { SfnSender } from '@dofs/queue-client';
import { httpEvent, type PayloadVersion } from './helpers/events';

// Property: nothing a client can put in a request (method, path, headers, content type, body,
// base64 flag) makes api-handler answer 5xx or throw. Step Functions, the intake and the orders
// table are in-memory fakes at the client boundary here, so thousands of requests run in seconds;
// their real behaviour is covered by api-handler.spec.ts against DynamoDB Local.

type SfnMode = 'started' | 'exists' | 'throttled';
type IntakeMode = 'created' | 'replayed' | 'conflict';

function fakeSfn(mode: () => SfnMode): SfnSender {
  const send = async (command: unknown) => {
    if (!(command instanceof StartExecutionCommand)) throw new Error('unexpected command');
    const m = mode();
    if (m === 'started') return { executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:wf:x', startDate: new Date() };
    throw Object.assign(new Error(m), { name: m === 'exists' ? 'ExecutionAlreadyExists' : 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
  };
  return { send } as unknown as SfnSender;
}

const known = storedOrder({ received_at: '2026-11-24T00:00:00.000Z' });
const stored = new Map<string, StoredOrder>([[known.order_id, known]]);
const knownId = known.order_id;
const orders: OrderReader = { get: async (id) => stored.get(id) };

let sfnMode: SfnMode = 'started';
let intakeMode: IntakeMode = 'created';
const intake: CreateOrderDeps['intake'] = {
  accept: async (order): Promise<IntakeOutcome> => {
    if (intakeMode === 'created') return { next: 'start-now', order };
    if (intakeMode === 'conflict') throw new IdempotencyConflictError(knownId);
    // Long RECEIVED: the intake answers start again.
    return { next: 'start-again', record: { idempotency_id: 'x', order_id: knownId, request_hash: order.request_hash, created_at: 'x', expires_at: 0 }, order: known };
  },
  markNotStarted: async () => true,
};
const handler = createHandler({
  sfn: fakeSfn(() => sfnMode),
  orders,
  intake,
  env: { ORDERS_TABLE: 'orders', IDEMPOTENCY_TABLE: 'idempotency_keys', STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:wf', LOG_LEVEL: 'error' },
  logSink: () => undefined,
});

const anyMethod = fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'post', 'get'), fc.string({ maxLength: 10 }));
const anyPath = fc.oneof(
  fc.constantFrom('/order', '/order/', '/orders', '/orders/', `/orders/${knownId}`, `/orders/${newOrderId()}`, '/orders/x/y', '/', '', '/dev/order', '//order', '/ORDER'),
  fc.webPath(),
  fc.string().map((s) => `/orders/${s}`),
  fc.string(),
);
const jsonContentTypes = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON;CHARSET=ISO-8859-1', 'application/problem+json');
const contentTypes = fc.oneof(
  { arbitrary: jsonContentTypes, weight: 3 },
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/JSON;CHARSET=ISO-8859-1',
    'application/json ; charset=utf-8',
    'application/problem+json',
    'text/plain',
    'text/json',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=xyz',
    '',
    ';',
    'application/json;;;',
    'application/+json',
  ),
  fc.string(),
);
const validOrder = fc.record({
  customer_id: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,20}$/),
  items: fc.uniqueArray(
    fc.record({ sku: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,10}$/), quantity: fc.integer({ min: 1, max: 1000 }), unit_price_cents: fc.integer({ min: 0, max: 100_000_000 }) }),
    { minLength: 1, maxLength: 5, selector: (i) => i.sku },
  ),
  currency: fc.constantFrom('USD', 'EUR', 'JPY'),
});
const bodies = fc.oneof(
  { arbitrary: validOrder.map((o) => JSON.stringify(o)), weight: 4 },
  fc.constant(undefined),
  fc.string(),
  fc.json(),
  fc.anything().map((v) => {
    try {
      return JSON.stringify(v);
    } catch {
      return String(v);
    }
  }),
  validOrder.map((o) => JSON.stringify(o)),
  fc.record({ customer_id: fc.anything(), items: fc.anything(), currency: fc.anything() }, { requiredKeys: [] }).map((o) => JSON.stringify(o) ?? ''),
  fc.constantFrom('{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{}}}', '\u0000', '[]', 'null', '1e999', '"x"', '{"a":1}{'),
  fc.constant('x'.repeat(70 * 1024)),
);
const headerRecords = fc.record(
  {
    'content-type': contentTypes,
    'Content-Type': contentTypes,
    'idempotency-key': fc.oneof(fc.string(), fc.constantFrom('', ' ', 'k-1', 'x'.repeat(200))),
    'x-correlation-id': fc.string(),
    other: fc.string(),
  },
  { requiredKeys: [] },
);
// Weighted towards the two real routes, so most requests get past routing into the body checks.
const methodAndPath = fc.oneof(
  { arbitrary: fc.record({ method: fc.constantFrom('POST', 'post'), path: fc.constantFrom('/order', '/order/', '/dev/order') }), weight: 6 },
  { arbitrary: fc.record({ method: fc.constant('GET'), path: fc.oneof(anyPath.map((p) => `/orders${p}`), fc.constant(`/orders/${knownId}`)) }), weight: 2 },
  { arbitrary: fc.record({ method: anyMethod, path: anyPath }), weight: 2 },
);
const requests = fc.record({
  version: fc.constantFrom<PayloadVersion>('v1', 'v2'),
  route: methodAndPath,
  headers: fc.tuple(headerRecords, fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ maxLength: 50 }), { maxKeys: 5 })).map(([a, b]) => ({ ...b, ...a })),
  body: bodies,
  base64: fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, fc.constant(true)),
  sfn: fc.constantFrom<SfnMode>('started', 'exists', 'throttled'),
  intake: fc.constantFrom<IntakeMode>('created', 'replayed', 'conflict'),
  stage: fc.constantFrom(undefined, 'dev', '$default', 'orders'),
});

const CLIENT_STATUSES = new Set([200, 202, 400, 404, 405, 409, 413, 415]);
const seenStatuses = new Set<number>();

describe('api-handler fuzz', () => {
  it('answers every client request with a JSON 2xx/4xx, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(requests, async (r) => {
        sfnMode = r.sfn;
        intakeMode = r.intake;
        const body = r.body === undefined ? undefined : r.base64 ? Buffer.from(r.body).toString('base64') : r.body;
        const event = httpEvent(r.version, {
          method: r.route.method,
          path: r.route.path,
          headers: r.headers,
          ...(body === undefined ? {} : { body }),
          isBase64Encoded: r.base64,
          ...(r.stage === undefined ? {} : { stage: r.stage }),
        });
        const response = await handler(event, lambdaContext());
        seenStatuses.add(response.statusCode);
        expect(CLIENT_STATUSES.has(response.statusCode)).toBe(true);
        const parsed = JSON.parse(response.body) as { error?: { code: unknown; message: unknown; details: unknown } };
        if (response.statusCode >= 400) {
          expect(typeof parsed.error?.code).toBe('string');
          expect(typeof parsed.error?.message).toBe('string');
          expect(Array.isArray(parsed.error?.details)).toBe(true);
        }
        expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(typeof response.headers['x-correlation-id']).toBe('string');
      }),
      { numRuns: 3000 },
    );
  });

  it('reached every answer a client can get (the generators are not stuck on one path)', () => {
    expect([...seenStatuses].sort()).toEqual([...CLIENT_STATUSES].sort());
  });

  it('never answers 5xx for valid orders, whatever the intake or Step Functions says', async () => {
    await fc.assert(
      fc.asyncProperty(
        validOrder,
        fc.constantFrom<SfnMode>('started', 'exists', 'throttled'),
        fc.constantFrom<IntakeMode>('created', 'replayed', 'conflict'),
        async (order, mode, intakeAnswer) => {
          sfnMode = mode;
          intakeMode = intakeAnswer;
          const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': 'k-1' };
          const response = await handler(httpEvent('v2', { method: 'POST', path: '/order', headers, body: JSON.stringify(order) }), lambdaContext());
          expect(response.statusCode).toBe(intakeAnswer === 'conflict' ? 409 : 202);
        },
      ),
      { numRuns: 500 },
    );
    intakeMode = 'created';
  });

  it('survives events that are not API Gateway events at all', async () => {
    for (const junk of [{}, { httpMethod: 42, path: null, headers: 'x' }, { version: '2.0', requestContext: null }, { version: '2.0', rawPath: '/order', requestContext: { http: { method: 'POST' } }, headers: null, body: 5 }]) {
      const response = await handler(junk as never, lambdaContext());
      expect(response.statusCode).toBeLessThan(500);
    }
  });
});
