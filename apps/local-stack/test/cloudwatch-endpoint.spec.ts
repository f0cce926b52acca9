// The local CloudWatch endpoint, driven by the real @aws-sdk/client-cloudwatch: GetMetricData of
// AWS/SQS ApproximateAgeOfOldestMessage over known samples (periods, Maximum, ScanBy, paging), the
// refusals, and the whole path from the real local SQS server through the sampler.
import {
  CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
  type GetMetricDataCommandInput,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { CreateQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localSqsClient, QueueAgeSampler, startSqsServer, type AgeSample } from '@dofs/local-aws';
import { startCloudWatchEndpoint, type CloudWatchEndpoint } from '../src/cloudwatch/endpoint';
import type { SampleSource } from '../src/cloudwatch/get-metric-data';
import { must } from './helpers';

const T0 = Date.parse('2026-06-01T10:00:00.000Z');
const seconds = (ms: number) => new Date(ms);

/** Samples of one queue, `order_queue`, taken each second from T0: the ages given. */
function source(ages: number[], queueName = 'order_queue'): SampleSource {
  const samples: AgeSample[] = ages.map((age, i) => ({ at: T0 + i * 1000 + 5, seconds: age }));
  return {
    samples: (name, from, to) => (name === queueName ? samples.filter((s) => s.at >= from && s.at < to) : []),
  };
}

function ageQuery(overrides: Partial<MetricDataQuery> & { queueName?: string; period?: number } = {}): MetricDataQuery {
  const { queueName = 'order_queue', period = 1, ...rest } = overrides;
  return {
    Id: 'age',
    MetricStat: {
      Metric: { Namespace: 'AWS/SQS', MetricName: 'ApproximateAgeOfOldestMessage', Dimensions: [{ Name: 'QueueName', Value: queueName }] },
      Period: period,
      Stat: 'Maximum',
    },
    ...rest,
  };
}

describe('local CloudWatch endpoint: GetMetricData with the real CloudWatch client', () => {
  let endpoint: CloudWatchEndpoint;
  let client: CloudWatchClient;
  let current: SampleSource = source([]);

  beforeAll(async () => {
    endpoint = await startCloudWatchEndpoint({ samples: (...args) => current.samples(...args) }, { host: '127.0.0.1', port: 0 });
    client = new CloudWatchClient({ endpoint: endpoint.url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  });

  afterAll(async () => {
    client?.destroy();
    await endpoint?.close();
  });

  const get = (input: Partial<GetMetricDataCommandInput>) =>
    client.send(new GetMetricDataCommand({ StartTime: seconds(T0), EndTime: seconds(T0 + 10_000), MetricDataQueries: [ageQuery()], ...input }));

  it('answers each period with the Maximum of its samples, newest first by default, as Complete', async () => {
    current = source([0, 3, 1, 4, 2, 9, 7]);
    const out = await get({ MetricDataQueries: [ageQuery({ period: 2 })] });
    expect(out.MetricDataResults).toEqual([
      {
        Id: 'age',
        Label: 'ApproximateAgeOfOldestMessage',
        Timestamps: [seconds(T0 + 6000), seconds(T0 + 4000), seconds(T0 + 2000), seconds(T0)],
        Values: [7, 9, 4, 3],
        StatusCode: 'Complete',
      },
    ]);
    const ascending = await get({ MetricDataQueries: [ageQuery({ period: 2, Label: 'order_queue age' })], ScanBy: 'TimestampAscending' });
    expect(ascending.MetricDataResults?.[0]).toMatchObject({ Label: 'order_queue age', Values: [3, 4, 9, 7] });
  });

  it('rounds StartTime down to the period, leaves out EndTime, and gives no datapoint to a period without samples', async () => {
    current = source([5, 6, 7]);
    const out = await get({ StartTime: seconds(T0 + 30_000), EndTime: seconds(T0 + 60_000), MetricDataQueries: [ageQuery({ period: 60 })] });
    expect(out.MetricDataResults?.[0]).toMatchObject({ Timestamps: [seconds(T0)], Values: [7] });
    const exclusive = await get({ StartTime: seconds(T0), EndTime: seconds(T0 + 2000), ScanBy: 'TimestampAscending' });
    expect(exclusive.MetricDataResults?.[0]?.Values).toEqual([5, 6]);
    const later = await get({ StartTime: seconds(T0 + 3_600_000), EndTime: seconds(T0 + 3_660_000) });
    expect(later.MetricDataResults?.[0]).toMatchObject({ Timestamps: [], Values: [], StatusCode: 'Complete' });
  });

  it('has no data for an unknown queue or another unit, and answers only the queries that return data', async () => {
    current = source([1, 2]);
    const out = await get({
      MetricDataQueries: [
        ageQuery({ Id: 'unknown', queueName: 'no_such_queue' }),
        { ...ageQuery({ Id: 'count' }), MetricStat: { ...must(ageQuery().MetricStat), Unit: 'Count' } },
        { ...ageQuery({ Id: 'secs' }), MetricStat: { ...must(ageQuery().MetricStat), Unit: 'Seconds' } },
        ageQuery({ Id: 'hidden', ReturnData: false }),
      ],
    });
    expect(out.MetricDataResults?.map((r) => [r.Id, r.Values])).toEqual([
      ['unknown', []],
      ['count', []],
      ['secs', [2, 1]],
    ]);
  });

  it('pages by MaxDatapoints: PartialData and a NextToken, then the rest', async () => {
    current = source([1, 2, 3, 4, 5]);
    const first = await get({ MaxDatapoints: 3, ScanBy: 'TimestampAscending', MetricDataQueries: [ageQuery({ Id: 'a' }), ageQuery({ Id: 'b' })] });
    expect(first.MetricDataResults?.map((r) => [r.Id, r.Values, r.StatusCode])).toEqual([
      ['a', [1, 2, 3], 'PartialData'],
      ['b', [], 'PartialData'],
    ]);
    const pages = [first];
    while (pages.at(-1)?.NextToken) {
      pages.push(await get({ MaxDatapoints: 3, ScanBy: 'TimestampAscending', MetricDataQueries: [ageQuery({ Id: 'a' }), ageQuery({ Id: 'b' })], NextToken: pages.at(-1)?.NextToken }));
    }
    expect(pages).toHaveLength(4);
    const all = (id: string) => pages.flatMap((p) => p.MetricDataResults?.find((r) => r.Id === id)?.Values ?? []);
    expect([all('a'), all('b')]).toEqual([
      [1, 2, 3, 4, 5],
      [1, 2, 3, 4, 5],
    ]);
    expect(pages.at(-1)?.MetricDataResults?.every((r) => r.StatusCode === 'Complete')).toBe(true);
    await expect(get({ MaxDatapoints: 2, NextToken: first.NextToken })).rejects.toMatchObject({ name: 'InvalidNextToken' });
  });

  it.each([
    ['a math expression', { MetricDataQueries: [{ Id: 'e', Expression: 'SUM(METRICS())' }] }, /Expression/],
    [
      'another metric',
      { MetricDataQueries: [{ Id: 'cpu', MetricStat: { Metric: { Namespace: 'AWS/EC2', MetricName: 'CPUUtilization' }, Period: 60, Stat: 'Maximum' } }] },
      /AWS\/EC2 CPUUtilization/,
    ],
    ['another statistic', { MetricDataQueries: [{ ...ageQuery(), MetricStat: { ...must(ageQuery().MetricStat), Stat: 'Average' } }] }, /statistic Average/],
    [
      'a second dimension',
      {
        MetricDataQueries: [
          {
            Id: 'two',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/SQS',
                MetricName: 'ApproximateAgeOfOldestMessage',
                Dimensions: [
                  { Name: 'QueueName', Value: 'order_queue' },
                  { Name: 'Other', Value: 'x' },
                ],
              },
              Period: 60,
              Stat: 'Maximum',
            },
          },
        ],
      },
      /exactly one dimension, QueueName/,
    ],
    ['a period of 0.5 s', { MetricDataQueries: [ageQuery({ period: 0.5 })] }, /Period must be a whole number/],
    ['StartTime after EndTime', { StartTime: seconds(T0 + 1000), EndTime: seconds(T0) }, /StartTime must be less than/],
    ['an id with a capital first letter', { MetricDataQueries: [ageQuery({ Id: 'Age' })] }, /must start with a lowercase letter/],
    ['the same id twice', { MetricDataQueries: [ageQuery(), ageQuery()] }, /used more than once/],
  ])('refuses %s with InvalidParameterValue', async (_what, input, message) => {
    await expect(get(input as Partial<GetMetricDataCommandInput>)).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      Code: 'InvalidParameterValue',
      message: expect.stringMatching(message),
      $metadata: expect.objectContaining({ httpStatusCode: 400 }),
    });
  });

  it('refuses a request without queries as a missing parameter', async () => {
    await expect(get({ MetricDataQueries: [] })).rejects.toMatchObject({ name: 'MissingRequiredParameterException', Code: 'MissingParameter' });
  });

  it('refuses another operation, and another protocol, by name', async () => {
    await expect(client.send(new ListMetricsCommand({ Namespace: 'AWS/SQS' }))).rejects.toMatchObject({
      Code: 'UnknownOperation',
      message: 'The local CloudWatch emulation serves GetMetricData only (got ListMetrics)',
    });
    const query = await fetch(endpoint.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetMetricData&Version=2010-08-01',
    });
    expect(query.status).toBe(400);
    expect(((await query.json()) as { message: string }).message).toMatch(/speaks the AWS JSON 1.0 protocol/);
  });
});

describe('ApproximateAgeOfOldestMessage from the real local SQS server through the sampler and the endpoint', () => {
  it('reads 0 for an empty queue and the oldest message\'s age once one waits, with the client found through AWS_ENDPOINT_URL_CLOUDWATCH', async () => {
    const sqsServer = await startSqsServer();
    const sqs = localSqsClient(sqsServer.endpoint);
    const sampler = new QueueAgeSampler(sqsServer.messages);
    const endpoint = await startCloudWatchEndpoint(sampler, { host: '127.0.0.1', port: 0 });
    const saved = process.env['AWS_ENDPOINT_URL_CLOUDWATCH'];
    process.env['AWS_ENDPOINT_URL_CLOUDWATCH'] = endpoint.url;
    const client = new CloudWatchClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    try {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'order_queue' }));
      const emptyAt = Date.now();
      sampler.sample(emptyAt);
      const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"order_id":"o-1"}' }));
      sqsServer.messages.backdate(String(QueueUrl), String(MessageId), emptyAt - 90_000);
      sampler.sample(emptyAt + 1000);
      const out = await client.send(
        new GetMetricDataCommand({
          StartTime: new Date(emptyAt - 60_000),
          EndTime: new Date(emptyAt + 60_000),
          ScanBy: 'TimestampAscending',
          MetricDataQueries: [ageQuery()],
        }),
      );
      expect(out.MetricDataResults?.[0]).toMatchObject({
        Timestamps: [new Date(Math.floor(emptyAt / 1000) * 1000), new Date(Math.floor(emptyAt / 1000) * 1000 + 1000)],
        Values: [0, 91],
        StatusCode: 'Complete',
      });
    } finally {
      if (saved === undefined) delete process.env['AWS_ENDPOINT_URL_CLOUDWATCH'];
      else process.env['AWS_ENDPOINT_URL_CLOUDWATCH'] = saved;
      client.destroy();
      sqs.destroy();
      sampler.stop();
      await endpoint.close();
      await sqsServer.stop();
    }
  });
});
