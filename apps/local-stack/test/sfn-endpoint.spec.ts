import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { LambdaService, functionArn } from '../src/lambda/runtime';
import { loadWorkflowDefinition, renderTemplate } from '../src/sfn/definition';
import { handleSfnRequest, startSfnEndpoint, type SfnEndpoint } from '../src/sfn/endpoint';
import { StepFunctionsService } from '../src/sfn/service';
import { buildTaskHandlers } from '../src/sfn/tasks';
import { must } from './helpers';

const fixture = path.join(__dirname, 'fixtures', 'workflow-handler.js');
const QUEUE_URL = 'http://127.0.0.1:1/000000000000/order_queue';

function executionInput(orderId: string, items: unknown[] = [{ sku: 'A', quantity: 1, unit_price_cents: 100 }], extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    order_id: orderId,
    correlation_id: `corr-${orderId}`,
    request_hash: 'h',
    received_at: '2026-01-01T00:00:00.000Z',
    order: { customer_id: 'c-1', items, currency: 'USD' },
    ...extra,
  });
}

async function waitFor<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('templatefile rendering', () => {
  it('substitutes variables, keeps $${ escapes and fails on unknown variables', () => {
    expect(renderTemplate('a ${x} $${y} ${ x }', { x: '1' })).toBe('a 1 ${y} 1');
    expect(() => renderTemplate('${nope}', {})).toThrow(/nope/);
  });

  it('renders the workflow in infra/ with every placeholder filled', () => {
    const definition = loadWorkflowDefinition({
      validate_order_arn: functionArn('validate-order'),
      store_order_arn: functionArn('store-order'),
      order_queue_url: QUEUE_URL,
    });
    expect(JSON.stringify(definition)).not.toContain('${');
    const states = definition['States'] as Record<string, { Resource?: string; Parameters?: Record<string, unknown> }>;
    expect(states['ValidateOrder']?.Resource).toBe(functionArn('validate-order'));
    expect(states['EnqueueOrder']?.Parameters?.['QueueUrl']).toBe(QUEUE_URL);
  });
});

describe('Step Functions endpoint (JSON 1.0 protocol) running the order workflow', () => {
  const lambdas = new LambdaService();
  const sent: Array<Record<string, unknown>> = [];
  const fakeSqs = {
    send: async (command: { input: Record<string, unknown> }) => {
      sent.push(command.input);
      return { MessageId: `m-${sent.length}`, MD5OfMessageBody: 'x', $metadata: { requestId: 'r-1' } };
    },
  };
  let dir: string;
  let service: StepFunctionsService;
  let endpoint: SfnEndpoint;
  let sfn: SFNClient;
  let definition: Record<string, unknown>;

  const newService = (journalFile: string) => {
    const handlers = buildTaskHandlers(definition, { lambdas, sqs: fakeSqs as never });
    return new StepFunctionsService({ name: 'order-workflow', definition, taskHandlers: handlers, journalFile });
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sfn-spec-'));
    for (const [name, role] of [
      ['validate-order', 'validate'],
      ['store-order', 'store'],
    ] as const) {
      lambdas.register({ name, bundlePath: fixture, timeoutSeconds: 5, memoryMb: 128, environment: { FIXTURE_ROLE: role } });
    }
    definition = loadWorkflowDefinition({
      validate_order_arn: functionArn('validate-order'),
      store_order_arn: functionArn('store-order'),
      order_queue_url: QUEUE_URL,
    });
    service = newService(path.join(dir, 'executions.jsonl'));
    await service.init();
    endpoint = await startSfnEndpoint(service, { host: '127.0.0.1', port: 0 });
    sfn = new SFNClient({
      endpoint: endpoint.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }, 30_000);

  afterAll(async () => {
    sfn?.destroy();
    await endpoint?.close();
    await service?.close(0);
    await lambdas.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const describeUntilDone = (executionArn: string) =>
    waitFor(
      () => sfn.send(new DescribeExecutionCommand({ executionArn })),
      (d) => d.status !== 'RUNNING',
    );

  it('runs an order through ValidateOrder, StoreOrder and the sqs:sendMessage integration', async () => {
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: service.stateMachineArn, name: 'ord_1', input: executionInput('ord_1') }),
    );
    expect(started.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:order-workflow:ord_1');
    expect(started.startDate).toBeInstanceOf(Date);
    const done = await describeUntilDone(must(started.executionArn));
    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(must(done.output));
    expect(output.stored).toEqual({ message: { order_id: 'ord_1', correlation_id: 'corr-ord_1', dispatch: 1 } });
    expect(output.enqueued.MessageId).toMatch(/^m-/);
    const message = must(sent.find((m) => JSON.parse(m['MessageBody'] as string).order_id === 'ord_1'));
    expect(message).toMatchObject({
      QueueUrl: QUEUE_URL,
      MessageAttributes: {
        order_id: { DataType: 'String', StringValue: 'ord_1' },
        correlation_id: { DataType: 'String', StringValue: 'corr-ord_1' },
        dispatch: { DataType: 'Number', StringValue: '1' },
      },
    });
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: must(started.executionArn) }));
    const entered = (history.events ?? []).filter((e) => e.type === 'TaskStateEntered').map((e) => e.stateEnteredEventDetails?.name);
    expect(entered).toEqual(['ValidateOrder', 'StoreOrder', 'EnqueueOrder']);
  });

  it('routes a rejecting verdict through the Choice state to StoreRejectedOrder, and succeeds', async () => {
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: service.stateMachineArn, name: 'ord_rejected', input: executionInput('ord_rejected', []) }),
    );
    const done = await describeUntilDone(must(started.executionArn));
    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(must(done.output));
    expect(output.verdict).toEqual({ valid: false, reasons: [{ path: '/order/items', message: 'must not be empty' }] });
    expect(output.stored).toEqual({ status: 'REJECTED', reasons: [{ path: '/order/items', message: 'must not be empty' }] });
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: must(started.executionArn) }));
    expect((history.events ?? []).filter((e) => e.type === 'TaskStateEntered').map((e) => e.stateEnteredEventDetails?.name)).toEqual(['ValidateOrder', 'StoreRejectedOrder']);
  });

  it('fails the execution through the WorkflowFailed state on an unexpected task error', async () => {
    const input = executionInput('ord_boom', [{ sku: 'A', quantity: 1, unit_price_cents: 1 }]).replace('"currency"', '"boom":true,"currency"');
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: service.stateMachineArn, name: 'ord_boom', input }));
    const done = await describeUntilDone(must(started.executionArn));
    expect(done).toMatchObject({ status: 'FAILED', error: 'OrderWorkflowFailed' });
    expect(done.stopDate).toBeInstanceOf(Date);
  });

  it('has STANDARD name semantics: same name and input while running => same execution; otherwise ExecutionAlreadyExists', async () => {
    const input = executionInput('ord_slow', undefined, { sleep: 400 }).replace('"order":{', '"order":{"_":1,');
    const slowInput = JSON.stringify({ ...JSON.parse(input), sleep: 400 });
    // ValidateOrder sleeps when the *task input* has `sleep`: the whole execution input is the task input.
    const first = await sfn.send(new StartExecutionCommand({ stateMachineArn: service.stateMachineArn, name: 'ord_slow', input: slowInput }));
    const again = await sfn.send(new StartExecutionCommand({ stateMachineArn: service.stateMachineArn, name: 'ord_slow', input: slowInput }));
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate?.getTime()).toBe(first.startDate?.getTime());
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: service.stateMachineArn, name: 'ord_slow', input: executionInput('other') })),
    ).rejects.toMatchObject({ name: 'ExecutionAlreadyExists', $metadata: { httpStatusCode: 400 } });
    await describeUntilDone(must(first.executionArn));
    // Closed: even the same input is now a duplicate.
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: service.stateMachineArn, name: 'ord_slow', input: slowInput })),
    ).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });

  it('answers the JSON protocol error shape for bad requests', async () => {
    await expect(sfn.send(new DescribeExecutionCommand({ executionArn: `${service.stateMachineArn.replace('stateMachine', 'execution')}:nope` }))).rejects.toMatchObject({
      name: 'ExecutionDoesNotExist',
    });
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: service.stateMachineArn.replace('order-workflow', 'other'), input: '{}' })),
    ).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: service.stateMachineArn, input: 'not json' }))).rejects.toMatchObject({
      name: 'InvalidExecutionInput',
    });
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: service.stateMachineArn, name: 'bad name', input: '{}' }))).rejects.toMatchObject({
      name: 'InvalidName',
    });
    expect(await handleSfnRequest(service, 'AWSStepFunctions.CreateActivity', '{}')).toEqual({
      statusCode: 400,
      body: { __type: 'UnknownOperationException', message: expect.any(String) },
    });
    const raw = await fetch(endpoint.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'AWSStepFunctions.DescribeExecution' },
      body: JSON.stringify({ executionArn: 'arn:aws:states:us-east-1:000000000000:execution:order-workflow:missing' }),
    });
    expect(raw.status).toBe(400);
    expect(raw.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(await raw.json()).toEqual({ __type: 'ExecutionDoesNotExist', message: expect.stringContaining('missing') });
  });

  it('lists executions newest first with status filter and paging', async () => {
    const all = await sfn.send(new ListExecutionsCommand({ stateMachineArn: service.stateMachineArn }));
    expect((all.executions ?? []).map((e) => e.name)).toEqual(expect.arrayContaining(['ord_1', 'ord_rejected', 'ord_boom', 'ord_slow']));
    const failed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: service.stateMachineArn, statusFilter: 'FAILED' }));
    expect((failed.executions ?? []).map((e) => e.name)).toEqual(['ord_boom']);
    const page1 = await sfn.send(new ListExecutionsCommand({ stateMachineArn: service.stateMachineArn, maxResults: 2 }));
    expect(page1.executions).toHaveLength(2);
    const page2 = await sfn.send(new ListExecutionsCommand({ stateMachineArn: service.stateMachineArn, maxResults: 2, nextToken: page1.nextToken }));
    expect(page2.executions?.length).toBeGreaterThan(0);
    expect(page2.executions?.[0]?.name).not.toBe(page1.executions?.[0]?.name);
  });

  it('keeps executions (and their names) across a restart through the journal, resuming interrupted ones', async () => {
    const journal = path.join(dir, 'restart.jsonl');
    const first = newService(journal);
    await first.init();
    first.startExecution({ stateMachineArn: first.stateMachineArn, name: 'ord_done', input: executionInput('ord_done') });
    await first.drain(5000);
    first.startExecution({ stateMachineArn: first.stateMachineArn, name: 'ord_cut', input: JSON.stringify({ ...JSON.parse(executionInput('ord_cut')), sleep: 1000 }) });
    await first.close(0); // shut down mid-execution

    const events: string[] = [];
    const second = new StepFunctionsService({
      name: 'order-workflow',
      definition,
      taskHandlers: buildTaskHandlers(definition, { lambdas, sqs: fakeSqs as never }),
      journalFile: journal,
      onEvent: (e) => events.push(`${e.type}:${e.execution.name}`),
    });
    const loaded = await second.init();
    expect(loaded).toMatchObject({ loaded: 2, interrupted: 1 });
    expect(second.describeExecution({ executionArn: `${second.stateMachineArn.replace('stateMachine', 'execution')}:ord_done` })).toMatchObject({
      status: 'SUCCEEDED',
    });
    expect(() => second.startExecution({ stateMachineArn: second.stateMachineArn, name: 'ord_done', input: '{}' })).toThrow(/Already Exists/);
    second.resumeInterrupted();
    expect(await second.drain(8000)).toBe(0);
    expect(second.describeExecution({ executionArn: `${second.stateMachineArn.replace('stateMachine', 'execution')}:ord_cut` })).toMatchObject({
      status: 'SUCCEEDED',
    });
    expect(events).toContain('ExecutionResumed:ord_cut');
    await second.close(0);
  }, 20_000);

  it('has EXPRESS semantics when asked: every start runs, even under a taken name, and no DescribeExecution or ListExecutions', async () => {
    const express = new StepFunctionsService({ name: 'order-workflow', type: 'EXPRESS', definition, taskHandlers: buildTaskHandlers(definition, { lambdas, sqs: fakeSqs as never }) });
    await express.init();
    const input = executionInput('ord_twice');
    const first = express.startExecution({ stateMachineArn: express.stateMachineArn, name: 'ord_twice', input });
    const second = express.startExecution({ stateMachineArn: express.stateMachineArn, name: 'ord_twice', input });
    expect(first.executionArn).toMatch(/^arn:aws:states:us-east-1:000000000000:express:order-workflow:ord_twice:[0-9a-f-]{36}$/);
    expect(second.executionArn).not.toBe(first.executionArn);
    expect(await express.drain(8000)).toBe(0);
    expect(express.list().filter((e) => e.name === 'ord_twice').map((e) => e.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(() => express.describeExecution({ executionArn: first.executionArn })).toThrow(/Resource type not valid in this context: express/);
    expect(() => express.getExecutionHistory({ executionArn: first.executionArn })).toThrow(/express/);
    expect(() => express.listExecutions({ stateMachineArn: express.stateMachineArn })).toThrow(expect.objectContaining({ code: 'StateMachineTypeNotSupported' }));
    expect(express.describeStateMachine({ stateMachineArn: express.stateMachineArn })).toMatchObject({ type: 'EXPRESS' });
    await express.close(0);
  }, 20_000);
});
