// The whole stack with success rate 1, once per workflow type: every order ends FULFILLED; GET
// right after the 202 answers 200; bad requests get api-handler's field-level errors (gateway body
// validation off, the default), store nothing and start nothing; Idempotency-Key; the SFN endpoint
// through @aws-sdk/client-sfn with each type's semantics (Express: duplicate executions, no
// DescribeExecution); settings drift; a restart on the same data folder keeps the orders.
import { DescribeExecutionCommand, ListExecutionsCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { executionInputFor, type StoredOrder } from '@dofs/order-domain';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { localSqsClient, settings as sharedSettings } from '@dofs/local-aws';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  authHeaders,
  clients,
  countExecutions,
  getOrder,
  launchStack,
  listening,
  postMany,
  postOrder,
  postUntilAccepted,
  removeDir,
  ROOT,
  SAMPLE_ORDER,
  scanAll,
  tempDataDir,
  waitForTerminal,
  type RunningStack,
} from './harness';
import { must } from '../helpers';

// Bounds catch a hang only: several times what a loaded 2-core machine needs.
jest.setTimeout(600_000);

const STATUSES_AFTER_INTAKE = ['RECEIVED', 'PENDING', 'FULFILLED'];

describe.each(['STANDARD', 'EXPRESS'] as const)('local stack end to end, success rate 1, %s workflow', (workflowType) => {
  const dataDir = tempDataDir(`fulfilled-${workflowType.toLowerCase()}`);
  const standard = workflowType === 'STANDARD';
  /** Executions, where the type lets us count them (Express has no ListExecutions). */
  const executions = async () => (standard ? countExecutions(c.sfn, stack.state.stateMachineArn) : 0);
  let stack: RunningStack;
  let c: ReturnType<typeof clients>;
  const accepted: string[] = [];
  const idempotencyKey = `key-${Date.now()}`;
  let idempotentOrderId = '';

  beforeAll(async () => {
    stack = await launchStack(['--success-rate', '1', '--fresh', '--workflow-type', workflowType], dataDir);
    c = clients(stack.state);
  });

  afterAll(async () => {
    c?.destroy();
    await stack?.stop();
    removeDir(dataDir);
  });

  it('prints a banner with the API URL, the endpoint variables and a curl command', () => {
    const out = stack.output();
    expect(out).toContain(`API            ${stack.state.apiUrl}`);
    expect(out).toContain(`Auth           ${stack.state.auth.issuer}   JWT authorizer as deployed`);
    expect(out).toContain('TOKEN=$(npx dofs token --stack-file ');
    expect(out).toContain(`curl -i -X POST ${stack.state.apiUrl}/order -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json'`);
    expect(out).toContain(`curl -s -H "Authorization: Bearer $TOKEN" ${stack.state.apiUrl}/orders/<order_id>`);
    expect(out).toContain(`AWS_ENDPOINT_URL_DYNAMODB=${stack.state.endpoints.dynamodb}`);
    expect(out).toContain(`AWS_ENDPOINT_URL_SFN=${stack.state.endpoints.sfn}`);
    expect(out).toContain(`AWS_ENDPOINT_URL_CLOUDWATCH=${stack.state.endpoints.cloudwatch}`);
    expect(out).toContain(`CloudWatch     ${stack.state.endpoints.cloudwatch}   GetMetricData of AWS/SQS ApproximateAgeOfOldestMessage`);
    expect(out).toContain(`(${workflowType}; --workflow-type STANDARD|EXPRESS)`);
  });

  it('runs with infra/settings.json, changed only by the explicit overrides (no drift)', async () => {
    const fromFile = JSON.parse(readFileSync(path.join(ROOT, 'infra/settings.json'), 'utf8')) as { $comment?: string; fulfillment: { successRate: number } };
    delete fromFile.$comment;
    fromFile.fulfillment.successRate = 1;
    expect(stack.state.settings).toEqual(fromFile);
    // And the queues really have those attributes.
    const sqs = localSqsClient(stack.state.endpoints.sqs);
    try {
      const q = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: stack.state.queueUrls.orderQueueUrl, AttributeNames: ['All'] }));
      expect(q.Attributes).toMatchObject({
        VisibilityTimeout: String(sharedSettings.queues.visibilityTimeoutSeconds),
        MessageRetentionPeriod: String(sharedSettings.queues.messageRetentionSeconds),
      });
      const redrive = JSON.parse(must(q.Attributes?.['RedrivePolicy'], 'RedrivePolicy')) as { maxReceiveCount: number; deadLetterTargetArn: string };
      expect(redrive.maxReceiveCount).toBe(sharedSettings.queues.maxReceiveCount);
      expect(redrive.deadLetterTargetArn).toMatch(new RegExp(`:${sharedSettings.queues.deadLetter}$`));
      const dlq = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: stack.state.queueUrls.deadLetterQueueUrl, AttributeNames: ['All'] }));
      expect(dlq.Attributes).toMatchObject({
        MessageRetentionPeriod: String(sharedSettings.queues.deadLetterRetentionSeconds),
        VisibilityTimeout: String(sharedSettings.queues.visibilityTimeoutSeconds),
      });
    } finally {
      sqs.destroy();
    }
  });

  it('answers GET right after the 202 with the stored order, never 404', async () => {
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => postUntilAccepted(stack.state.apiUrl, SAMPLE_ORDER, `${idempotencyKey}-get-${i}`)));
    for (const response of responses) {
      expect(response).toMatchObject({ status: 202, body: { status: 'RECEIVED' } });
      const read = await getOrder(stack.state.apiUrl, response.body.order_id);
      expect(read.status).toBe(200);
      expect(STATUSES_AFTER_INTAKE).toContain(read.body.status);
    }
    await waitForTerminal(c.ddb, stack.state.settings.tables.orders, responses.map((r) => r.body.order_id), 180_000);
  });

  it('fulfils every order', async () => {
    const ids = await postMany(stack.state.apiUrl, 40, 8);
    accepted.push(...ids);
    const done = await waitForTerminal(c.ddb, stack.state.settings.tables.orders, ids, 180_000);
    for (const order of done.values()) {
      expect(order).toMatchObject({ status: 'FULFILLED', attempts: 1 });
      expect((order['status_history'] as Array<{ to: string }>).map((c) => c.to)).toEqual(['RECEIVED', 'PENDING', 'FULFILLED']);
    }
    const viaApi = await getOrder(stack.state.apiUrl, must(ids[0]));
    expect(viaApi).toMatchObject({ status: 200, body: { order_id: ids[0], status: 'FULFILLED' } });
  });

  it('serves the Step Functions JSON protocol with the semantics of the workflow type', async () => {
    const executionArn = `${stack.state.stateMachineArn.replace(':stateMachine:', ':execution:')}:${accepted[0]}`;
    if (standard) {
      const described = await c.sfn.send(new DescribeExecutionCommand({ executionArn }));
      expect(described.status).toBe('SUCCEEDED');
      expect(JSON.parse(must(described.input))).toMatchObject({ order_id: accepted[0], order: { customer_id: expect.any(String) } });
      await expect(
        c.sfn.send(new StartExecutionCommand({ stateMachineArn: stack.state.stateMachineArn, name: accepted[0], input: '{"other":true}' })),
      ).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
      return;
    }
    await expect(c.sfn.send(new ListExecutionsCommand({ stateMachineArn: stack.state.stateMachineArn }))).rejects.toMatchObject({ name: 'StateMachineTypeNotSupported' });
    // Express runs at least once: duplicate executions of one order must change nothing.
    const order = await waitForTerminal(c.ddb, stack.state.settings.tables.orders, [must(accepted[0])], 180_000);
    const input = JSON.stringify(executionInputFor(must(order.get(must(accepted[0]))) as unknown as StoredOrder));
    const duplicates = await Promise.all(
      [1, 2].map(() => c.sfn.send(new StartExecutionCommand({ stateMachineArn: stack.state.stateMachineArn, name: accepted[0], input }))),
    );
    expect(new Set(duplicates.map((d) => d.executionArn)).size).toBe(2);
    await expect(c.sfn.send(new DescribeExecutionCommand({ executionArn: must(duplicates[0]?.executionArn) }))).rejects.toMatchObject({ name: 'InvalidArn' });
  });

  it('keeps an order at one transition per status under duplicate executions started while it is RECEIVED', async () => {
    if (standard) return;
    const response = await postUntilAccepted(stack.state.apiUrl, SAMPLE_ORDER, `${idempotencyKey}-duplicates`);
    const stored = await scanAll(c.ddb, stack.state.settings.tables.orders);
    const order = must(stored.find((o) => o['order_id'] === response.body.order_id));
    const input = JSON.stringify(executionInputFor(order as unknown as StoredOrder));
    await Promise.all([1, 2, 3].map(() => c.sfn.send(new StartExecutionCommand({ stateMachineArn: stack.state.stateMachineArn, name: response.body.order_id, input }))));
    const done = await waitForTerminal(c.ddb, stack.state.settings.tables.orders, [response.body.order_id], 180_000);
    const history = must(done.get(response.body.order_id))['status_history'] as Array<{ to: string }>;
    expect(history.map((h) => h.to)).toEqual(['RECEIVED', 'PENDING', 'FULFILLED']);
  });

  it('stores a business rejection as REJECTED with the verdict\'s reasons and a public reason', async () => {
    const response = await postUntilAccepted(stack.state.apiUrl, { ...SAMPLE_ORDER, currency: 'JPY' }, `${idempotencyKey}-jpy`);
    expect(response.status).toBe(202);
    const done = await waitForTerminal(c.ddb, stack.state.settings.tables.orders, [response.body.order_id], 180_000);
    const order = must(done.get(response.body.order_id));
    expect(order['status']).toBe('REJECTED');
    expect(JSON.stringify(order['rejection_reasons'])).toMatch(/currency/i);
    const viaApi = await getOrder(stack.state.apiUrl, response.body.order_id);
    expect(viaApi.body).toMatchObject({ status: 'REJECTED', status_reason: { code: 'ORDER_REJECTED' } });
  });

  it('answers bad requests with 4xx and field-level details, stores nothing and starts no execution', async () => {
    const executionsBefore = await executions();
    const ordersBefore = (await scanAll(c.ddb, stack.state.settings.tables.orders)).length;
    const api = stack.state.apiUrl;
    // HTTP APIs validate no body: api-handler answers every bad body, one detail per bad field
    // (JSON Pointer paths).
    const json = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${api}/order`, { method: 'POST', headers: authHeaders(api, { 'Content-Type': 'application/json', ...headers }), body });
    const cases: Array<[string, Promise<Response>, number, string, string[]?]> = [
      ['not JSON', json('{"customer_id":'), 400, 'INVALID_JSON'],
      ['schema', json(JSON.stringify({ ...SAMPLE_ORDER, items: [] })), 400, 'VALIDATION_FAILED', ['/items']],
      ['extra field', json(JSON.stringify({ ...SAMPLE_ORDER, x: 1 })), 400, 'VALIDATION_FAILED', ['/x']],
      [
        'several fields',
        json(JSON.stringify({ customer_id: '', items: [{ sku: 'SKU-1', quantity: 0, unit_price_cents: 1 }], currency: 'usd', x: 1 })),
        400,
        'VALIDATION_FAILED',
        ['/currency', '/customer_id', '/items/0/quantity', '/x'],
      ],
      ['media type', fetch(`${api}/order`, { method: 'POST', headers: authHeaders(api, { 'Content-Type': 'text/plain' }), body: JSON.stringify(SAMPLE_ORDER) }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['too large', json(JSON.stringify({ ...SAMPLE_ORDER, pad: 'x'.repeat(70 * 1024) })), 413, 'PAYLOAD_TOO_LARGE'],
      ['bad key', json(JSON.stringify(SAMPLE_ORDER), { 'Idempotency-Key': ' ' }), 400, 'INVALID_HEADER', ['Idempotency-Key']],
      ['method', fetch(`${api}/order`, { method: 'DELETE', headers: authHeaders(api) }), 405, 'METHOD_NOT_ALLOWED'],
      ['path', fetch(`${api}/nowhere`, { headers: authHeaders(api) }), 404, 'NOT_FOUND'],
      ['unknown order', fetch(`${api}/orders/ord_00000000000000000000000000000000`, { headers: authHeaders(api) }), 404, 'ORDER_NOT_FOUND'],
    ];
    for (const [name, pending, status, code, paths] of cases) {
      const response = await pending;
      const body = (await response.json()) as { error?: { code?: string; message?: string; details?: Array<{ path?: unknown; message?: unknown }> } };
      expect({ name, status: response.status, code: body.error?.code }).toEqual({ name, status, code });
      expect({ name, message: typeof body.error?.message, details: Array.isArray(body.error?.details) }).toEqual({ name, message: 'string', details: true });
      for (const detail of body.error?.details ?? []) {
        expect({ name, path: typeof detail.path, message: typeof detail.message }).toEqual({ name, path: 'string', message: 'string' });
      }
      if (paths) {
        // Exactly one detail per bad field, each naming its field.
        expect({ name, paths: (body.error?.details ?? []).map((d) => d.path).sort() }).toEqual({ name, paths });
      }
    }
    expect(await executions()).toBe(executionsBefore);
    expect((await scanAll(c.ddb, stack.state.settings.tables.orders)).length).toBe(ordersBefore);
  });

  it('answers a repeated Idempotency-Key with the same order and one execution', async () => {
    const executionsBefore = await executions();
    const ordersBefore = (await scanAll(c.ddb, stack.state.settings.tables.orders)).length;
    const headers = { 'Idempotency-Key': idempotencyKey };
    const first = await postUntilAccepted(stack.state.apiUrl, SAMPLE_ORDER, idempotencyKey);
    const second = await postUntilAccepted(stack.state.apiUrl, SAMPLE_ORDER, idempotencyKey);
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body.order_id).toBe(first.body.order_id);
    const conflict = await postOrder(stack.state.apiUrl, { ...SAMPLE_ORDER, currency: 'EUR' }, headers);
    expect(conflict.status).toBe(409);
    if (standard) expect(await executions()).toBe(executionsBefore + 1);
    expect((await scanAll(c.ddb, stack.state.settings.tables.orders)).length).toBe(ordersBefore + 1);
    idempotentOrderId = first.body.order_id;
    await waitForTerminal(c.ddb, stack.state.settings.tables.orders, [first.body.order_id], 180_000);
  });

  it('keeps every order (and execution name) across a restart on the same data folder, and finishes the ones in flight', async () => {
    const before = await scanAll(c.ddb, stack.state.settings.tables.orders);
    // Orders still in the pipeline when the stack stops: accepted, maybe stored, maybe queued.
    const inFlight = await postMany(stack.state.apiUrl, 20, 10);
    c.destroy();
    const dynamodb = stack.state.endpoints.dynamodb;
    expect(await stack.stop()).toBe(0);
    expect(await listening(dynamodb)).toBe(false); // the JVM is gone with the stack

    stack = await launchStack(['--success-rate', '1', '--workflow-type', workflowType], dataDir);
    c = clients(stack.state);
    const after = await scanAll(c.ddb, stack.state.settings.tables.orders);
    const afterById = new Map(after.map((o) => [o['order_id'] as string, o['status'] as string]));
    for (const order of before) {
      const id = String(order['order_id']);
      expect(`${id}:${afterById.get(id)}`).toBe(`${id}:${String(order['status'])}`);
    }
    // Interrupted executions are resumed and lost queue messages put back: all of them end FULFILLED.
    const finished = await waitForTerminal(c.ddb, stack.state.settings.tables.orders, inFlight, 180_000);
    for (const id of inFlight) expect(`${id}:${finished.get(id)?.['status']}`).toBe(`${id}:FULFILLED`);
    expect(await getOrder(stack.state.apiUrl, must(accepted[0]))).toMatchObject({ status: 200, body: { status: 'FULFILLED' } });
    // Same Idempotency-Key after the restart: the idempotency record is kept, same order back, nothing started.
    const executionsBefore = await executions();
    if (standard) expect(executionsBefore).toBeGreaterThanOrEqual(accepted.length + inFlight.length);
    const again = await postUntilAccepted(stack.state.apiUrl, SAMPLE_ORDER, idempotencyKey);
    expect(again).toMatchObject({ status: 202, body: { order_id: idempotentOrderId } });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await executions()).toBe(executionsBefore);
  });
});
