import path from 'node:path';
import { GetQueueAttributesCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ensureQueues, localSqsClient, startSqsServer, uniqueName } from '@dofs/local-aws';
import type { SQSRecord } from 'aws-lambda';
import { judgeBatchResponse, SqsEventSource, type BatchOutcome, type Invocable } from '../src/esm/sqs-event-source';
import { LambdaService, type InvokeResult } from '../src/lambda/runtime';
import { must } from './helpers';

const ok = (payload: unknown): InvokeResult => ({ ok: true, payload, requestId: 'r', durationMs: 1 });
const ids = ['m1', 'm2', 'm3'];

describe('ReportBatchItemFailures verdicts', () => {
  it.each([
    ['no response', ok(null)],
    ['an empty response', ok({})],
    ['a null list', ok({ batchItemFailures: null })],
    ['an empty list', ok({ batchItemFailures: [] })],
  ])('treats %s as a full success', (_, result) => {
    expect(judgeBatchResponse(result, ids)).toEqual({ kind: 'success' });
  });

  it('keeps only the listed ids', () => {
    expect(judgeBatchResponse(ok({ batchItemFailures: [{ itemIdentifier: 'm2' }, { itemIdentifier: 'm2' }] }), ids)).toEqual({
      kind: 'partial',
      failed: ['m2'],
    });
  });

  it.each([
    ['an empty itemIdentifier', [{ itemIdentifier: '' }]],
    ['a null itemIdentifier', [{ itemIdentifier: null }]],
    ['a bad key name', [{ itemId: 'm1' }]],
    ['an unknown message id', [{ itemIdentifier: 'other' }]],
    ['a non-object entry', ['m1']],
  ])('fails the whole batch for %s', (_, failures) => {
    expect(judgeBatchResponse(ok({ batchItemFailures: failures }), ids)).toMatchObject({ kind: 'batch-failure' });
  });

  it('fails the whole batch on a function error, and ignores the response without ReportBatchItemFailures', () => {
    const failed: InvokeResult = { ok: false, requestId: 'r', durationMs: 1, error: { errorType: 'Sandbox.Timedout', errorMessage: 't', trace: [] } };
    expect(judgeBatchResponse(failed, ids)).toMatchObject({ kind: 'batch-failure', error: { errorType: 'Sandbox.Timedout' } });
    expect(judgeBatchResponse(ok({ batchItemFailures: [{ itemIdentifier: 'm1' }] }), ids, false)).toEqual({ kind: 'success' });
    expect(judgeBatchResponse(failed, ids, false)).toMatchObject({ kind: 'batch-failure' });
  });
});

describe('SQS event source mapping against a real local SQS', () => {
  let server: Awaited<ReturnType<typeof startSqsServer>>;
  let sqs: SQSClient;
  const sources: SqsEventSource[] = [];
  const lambdas = new LambdaService();

  beforeAll(async () => {
    server = await startSqsServer();
    sqs = localSqsClient(server.endpoint);
  });

  afterAll(async () => {
    await Promise.all(sources.map((s) => s.stop()));
    await lambdas.close();
    sqs?.destroy();
    await server?.stop();
  });

  async function queues(maxReceiveCount = 3) {
    const urls = await ensureQueues(sqs, {
      orders: uniqueName('q'),
      deadLetter: uniqueName('dlq'),
      maxReceiveCount,
      visibilityTimeoutSeconds: 1,
    });
    const arn = async (url: string) =>
      must((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn);
    return { ...urls, orderQueueArn: await arn(urls.orderQueueUrl), deadLetterQueueArn: await arn(urls.deadLetterQueueUrl) };
  }

  function source(options: {
    queueUrl: string;
    queueArn: string;
    fn: Invocable;
    batchSize?: number;
    window?: number;
    pollers?: number;
  }): { outcomes: BatchOutcome[] } {
    const outcomes: BatchOutcome[] = [];
    const s = new SqsEventSource({
      sqs,
      queueUrl: options.queueUrl,
      queueArn: options.queueArn,
      fn: options.fn,
      batchSize: options.batchSize ?? 10,
      maximumBatchingWindowSeconds: options.window ?? 0,
      pollers: options.pollers ?? 1,
      visibilityTimeoutSeconds: 1,
      onBatch: (o) => outcomes.push(o),
    });
    sources.push(s);
    s.start();
    return { outcomes };
  }

  const send = (queueUrl: string, body: unknown, attributes = true) =>
    sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(body),
        ...(attributes
          ? {
              MessageAttributes: {
                order_id: { DataType: 'String', StringValue: String((body as { id?: string }).id ?? 'x') },
                correlation_id: { DataType: 'String', StringValue: 'corr-1' },
              },
            }
          : {}),
      }),
    );

  async function until(check: () => boolean, timeoutMs = 8000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('timed out waiting');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** A function double that records every event and answers with `respond`. */
  function fake(name: string, respond: (records: SQSRecord[], call: number) => InvokeResult | Promise<InvokeResult>) {
    const calls: SQSRecord[][] = [];
    const fn: Invocable = {
      name,
      invoke: async (event) => {
        const records = (event as { Records: SQSRecord[] }).Records;
        calls.push(records);
        return respond(records, calls.length);
      },
    };
    return { fn, calls };
  }

  it('delivers proper SQS event records, within one batching window', async () => {
    const q = await queues();
    const { fn, calls } = fake('fn', () => ok(null));
    await send(q.orderQueueUrl, { id: 'a' });
    source({ queueUrl: q.orderQueueUrl, queueArn: q.orderQueueArn, fn, window: 1 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await send(q.orderQueueUrl, { id: 'b' });
    await send(q.orderQueueUrl, { id: 'c' });
    await until(() => calls.flat().length === 3);
    expect(calls).toHaveLength(1); // gathered in one window
    const record = must(calls[0]?.[0]);
    expect(record).toMatchObject({
      messageId: expect.any(String),
      receiptHandle: expect.any(String),
      body: JSON.stringify({ id: 'a' }),
      eventSource: 'aws:sqs',
      eventSourceARN: q.orderQueueArn,
      awsRegion: 'us-east-1',
      md5OfBody: expect.any(String),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: expect.stringMatching(/^\d+$/) },
      messageAttributes: {
        order_id: { stringValue: 'a', dataType: 'String', stringListValues: [], binaryListValues: [] },
        correlation_id: { stringValue: 'corr-1', dataType: 'String' },
      },
    });
  });

  it('deletes the successes and redelivers only the listed failures after the visibility timeout', async () => {
    const q = await queues();
    // The first delivery of "bad" is reported as failed; every other record succeeds. SQS may
    // spread the three messages over more than one receive, so nothing here assumes batch shapes:
    // it waits for the batches to settle (their outcomes), not merely to start.
    const { fn, calls } = fake('fn', (records) =>
      ok({
        batchItemFailures: records.filter((r) => JSON.parse(r.body).id === 'bad' && r.attributes.ApproximateReceiveCount === '1').map((r) => ({ itemIdentifier: r.messageId })),
      }),
    );
    for (const id of ['good1', 'bad', 'good2']) await send(q.orderQueueUrl, { id });
    const { outcomes } = source({ queueUrl: q.orderQueueUrl, queueArn: q.orderQueueArn, fn, window: 1 });
    const deleted = () => outcomes.flatMap((o) => o.deleted);
    await until(() => deleted().length >= 3, 30_000);
    const delivered = calls.flat().map((r) => `${JSON.parse(r.body).id}#${r.attributes.ApproximateReceiveCount}`).sort();
    expect(delivered).toEqual(['bad#1', 'bad#2', 'good1#1', 'good2#1']);
    expect(outcomes.find((o) => o.records.some((r) => JSON.parse(r.body).id === 'bad' && r.attributes.ApproximateReceiveCount === '1'))?.verdict).toMatchObject({ kind: 'partial' });
    expect(outcomes.flatMap((o) => o.retained)).toHaveLength(1);
  });

  it('returns the whole batch for an invalid itemIdentifier', async () => {
    const q = await queues();
    const { fn, calls } = fake('fn', (_records, call) => ok(call === 1 ? { batchItemFailures: [{ itemIdentifier: '' }] } : {}));
    for (const id of ['x', 'y']) await send(q.orderQueueUrl, { id });
    source({ queueUrl: q.orderQueueUrl, queueArn: q.orderQueueArn, fn, window: 1 });
    await until(() => calls.flat().length >= 4);
    expect(calls[0]).toHaveLength(2);
    expect(calls.slice(1).flat().map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['2', '2']);
  });

  it('returns the whole batch when the handler throws or times out, then SQS dead-letters it after maxReceiveCount', async () => {
    const q = await queues(2);
    const fn = lambdas.register({
      name: 'batch-fixture',
      bundlePath: path.join(__dirname, 'fixtures', 'batch-handler.js'),
      timeoutSeconds: 1,
      memoryMb: 128,
      environment: {},
    });
    await send(q.orderQueueUrl, { id: 't', throw: true });
    await send(q.orderQueueUrl, { id: 's', sleep: 3000 });
    const main = source({ queueUrl: q.orderQueueUrl, queueArn: q.orderQueueArn, fn, batchSize: 1 });
    const dead = fake('dlq', () => ok(null));
    source({ queueUrl: q.deadLetterQueueUrl, queueArn: q.deadLetterQueueArn, fn: dead.fn });
    await until(() => dead.calls.flat().length === 2, 15_000);
    const failures = main.outcomes.map((o) => o.verdict);
    expect(failures.every((v) => v.kind === 'batch-failure')).toBe(true);
    const reasons = main.outcomes.map((o) => (o.verdict.kind === 'batch-failure' ? o.verdict.error?.errorType : ''));
    expect(reasons).toEqual(expect.arrayContaining(['Error', 'Sandbox.Timedout']));
    // Each message was received exactly maxReceiveCount times by the function.
    const receives = new Map<string, number>();
    for (const o of main.outcomes) for (const r of o.records) receives.set(JSON.parse(r.body).id, (receives.get(JSON.parse(r.body).id) ?? 0) + 1);
    expect(Object.fromEntries(receives)).toEqual({ t: 2, s: 2 });
    expect(dead.calls.flat()[0]?.eventSourceARN).toBe(q.deadLetterQueueArn);
  }, 20_000);

  it('caps batches at batchSize', async () => {
    const q = await queues();
    const { fn, calls } = fake('fn', () => ok(null));
    for (let i = 0; i < 7; i += 1) await send(q.orderQueueUrl, { id: `n${i}` }, false);
    source({ queueUrl: q.orderQueueUrl, queueArn: q.orderQueueArn, fn, batchSize: 3, window: 1 });
    await until(() => calls.flat().length === 7);
    expect(Math.max(...calls.map((c) => c.length))).toBeLessThanOrEqual(3);
    expect(calls[0]?.[0]?.messageAttributes).toEqual({});
  });
});
