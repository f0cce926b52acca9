// Starts the whole DOFS system on 127.0.0.1 and stops it again: one starter per service
// (services/), composed here in start-up order. Used by the CLI (main.ts), the end-to-end tests
// and the benchmark.
import { unlinkSync, writeFileSync } from 'node:fs';
import { freePort, localAwsEnv, queueAges, type QueueUrls } from '@dofs/local-aws';
import { mintToken } from '@dofs/local-aws/auth';
import { startDashboard, type DashboardSources } from './dashboard';
import { HOST } from './constants';
import { Faults } from './faults';
import { isPortFree } from './net';
import { startReconcileTimer } from './reconciler';
import { startQueueMetrics } from './services/cloudwatch';
import { startDynamoDb } from './services/dynamodb';
import { startEventSources } from './services/event-sources';
import { startGateway } from './services/gateway';
import { registerFunctions, startLambda } from './services/lambda';
import { planStack, type StackPlan } from './services/plan';
import { orderRecovery, type PutBack } from './services/recovery';
import { startSqs } from './services/sqs';
import { Started } from './services/started';
import { STATE_MACHINE_ARN, startStepFunctions, stepFunctionsUrl, type StepFunctions } from './services/stepfunctions';
import { startSupervision } from './services/supervision';
import { DEFAULT_PORTS, type LocalAuth, type LocalStack, type LocalStackOptions } from './stack-options';
import { Timeline } from './timeline';

export * from './stack-options';
export { StackStartError, STATE_FILE } from './services/plan';
export { DEFAULT_LAMBDA_CONCURRENCY } from './services/lambda';
export { DEFAULT_POLLERS } from './services/event-sources';

/** What requests wait for: everything up, the workflow's service and the dashboard's sources in place. */
interface Ready {
  sfn: StepFunctions['service'];
  dashboard: DashboardSources;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const started = performance.now();
  const timings: Record<string, number> = {};
  const mark = (name: string) => (timings[name] = Math.round(performance.now() - started));
  const plan = await planStack(options);
  const { logger, settings } = plan;
  const running = new Started();
  const ready = deferred<Ready>();
  try {
    const timeline = new Timeline();
    const faults = new Faults({ ...options.faults, onEvent: (line) => logger.warn(line) });
    const faultInjection = running.add('fault injection', { stop: () => faults.close() });
    const lambdas = running.add('Lambda', startLambda(plan, { timeline, faults })).service;
    const api = running.add('API gateway', await startGateway(plan, { port: options.port ?? DEFAULT_PORTS.api, throttle: options.throttle, lambdas, ready: ready.promise }));
    mark('api-port');

    const ports = await choosePorts(options);
    const dynamodb = running.add('DynamoDB Local', startDynamoDb({ port: ports.dynamodb, dbPath: plan.dbPath, tables: settings.tables }));
    const sqs = running.add('SQS', await startSqs({ port: ports.sqs, queues: settings.queues }));
    mark('sqs');
    const metrics = running.add('CloudWatch', await startQueueMetrics(sqs.server, ports.cloudwatch));
    const endpoints = { dynamodb: dynamodb.endpoint, sqs: sqs.endpoint, sfn: stepFunctionsUrl(ports.sfn), cloudwatch: metrics.url };
    const functions = registerFunctions(plan, lambdas, { endpoints, stateMachineArn: STATE_MACHINE_ARN, queueUrls: sqs.queueUrls, concurrency: options.lambdaConcurrency, reconcileAfterSeconds: options.reconcileAfterSeconds });
    const sfn = running.add('Step Functions', await startStepFunctions(plan, { port: ports.sfn, faults, ready: ready.promise, lambdas, sqs: sqs.client, orderQueueUrl: sqs.queueUrls.orderQueueUrl }));
    // Stopped ahead of the rest: running executions stop where they are (they stay RUNNING in the
    // journal and the next start resumes them; on Ctrl-C DynamoDB Local is already going, so letting
    // them go on would only make them fail). The endpoint is closed with the rest.
    const workflows = running.add('executions', { stop: () => sfn.service.close(0) });
    mark('stepfunctions');

    const jvm = await dynamodb.up();
    mark('dynamodb');
    await dynamodb.createTables();
    mark('tables');
    const { sources } = running.add('dashboard', startDashboard({ ddbEndpoint: dynamodb.endpoint, tables: settings.tables, sqs: sqs.client, queues: queueNames(plan, sqs.queueUrls), executions: () => sfn.service.list(), timeline }));
    for (const { name, error } of await functions.warmed) {
      if (error) logger.warn(`${name} failed to initialise: ${error.errorType}: ${error.errorMessage}`);
    }
    mark('lambdas');

    const putBack = orderRecovery(plan, sqs, dynamodb.endpoint);
    if (!options.fresh) await putBackUnqueued(plan, putBack, new Set(sfn.service.interruptedNames()));
    mark('recovery');

    const eventSources = running.add('event sources', startEventSources(plan, { sqs, lambdas, pollers: options.pollers }));
    const scheduler = running.add('scheduler', startReconcileTimer({ fn: functions.reconciler, intervalSeconds: options.reconcileIntervalSeconds ?? settings.reconciler.intervalSeconds, logger }));
    const runningExecutions = () => new Set(sfn.service.list().flatMap((e) => (e.status === 'RUNNING' ? [e.name] : [])));
    const supervisor = running.add('supervision', startSupervision(plan, { dynamodb: jvm, sqs, putBack, runningExecutions, onFatal: options.onFatal }));
    faults.attach({ dynamodb: jvm, sqs: sqs.server });

    ready.resolve({ sfn: sfn.service, dashboard: sources });
    const resumed = sfn.service.resumeInterrupted();
    if (resumed.length > 0) logger.info(`resumed ${resumed.length} execution(s) interrupted by the last shutdown`);
    faults.schedule();
    mark('ready');

    const stack: LocalStack = {
      apiUrl: api.url,
      auth: { ...api.auth, material: plan.authMaterial, mintToken: (mint = {}) => mintToken({ clientId: plan.authMaterial.clientId, ...mint, issuer: api.auth.issuer, privateJwk: plan.authMaterial.privateJwk }) },
      workflowType: plan.workflowType,
      endpoints,
      clientEnv: localAwsEnv(endpoints),
      settings,
      stateMachineArn: STATE_MACHINE_ARN,
      queueUrls: sqs.queueUrls,
      dataDir: plan.dataDir,
      stateFile: plan.stateFile,
      startupMs: Math.round(performance.now() - started),
      timings: { ...timings, dynamodbJvmMs: jvm.startupMs, stateMachineBuildMs: sfn.buildMs },
      lambdas,
      sfn: sfn.service,
      faults,
      supervision: supervisor.supervision,
      queueAges: () => queueAges(sqs.server.messages),
      stop: async () => {
        ready.reject(new Error('The local stack is stopping'));
        const errors = await running.stop(supervisor, faultInjection, api, scheduler, workflows, eventSources);
        for (const error of [...errors, ...(await running.stopAll())]) logger.warn(error.message);
        removeStateFile(plan);
      },
    };
    writeStateFile(plan, stack, api.auth, jvm.pid);
    return stack;
  } catch (error) {
    for (const stopError of await running.stopAll()) logger.warn(stopError.message);
    throw error;
  }
}

/** A port for a backing service: the one asked for, else the default when free, else any free port. */
async function choosePort(requested: number | undefined, fallback: number): Promise<number> {
  if (requested !== undefined) return requested === 0 ? freePort() : requested;
  return (await isPortFree(fallback, HOST)) ? fallback : freePort();
}

async function choosePorts(options: LocalStackOptions) {
  const [dynamodb, sqs, sfn, cloudwatch] = await Promise.all([
    choosePort(options.dynamodbPort, DEFAULT_PORTS.dynamodb),
    choosePort(options.sqsPort, DEFAULT_PORTS.sqs),
    choosePort(options.sfnPort, DEFAULT_PORTS.sfn),
    choosePort(options.cloudwatchPort, DEFAULT_PORTS.cloudwatch),
  ]);
  return { dynamodb, sqs, sfn, cloudwatch };
}

/** Queue name -> URL, in the order the dashboard shows them. */
function queueNames({ settings }: StackPlan, urls: QueueUrls): Record<string, string> {
  return { [settings.queues.orders]: urls.orderQueueUrl, [settings.queues.deadLetter]: urls.deadLetterQueueUrl, [settings.queues.parking]: urls.parkingQueueUrl };
}

/**
 * What the previous run left unfinished. Orders whose queue message was lost with the in-memory
 * SQS are queued again (before the pollers start, while the queues are empty); executions that
 * were running (`interrupted`) are resumed once everything is up, and queue their orders themselves.
 */
async function putBackUnqueued(plan: StackPlan, putBack: PutBack, interrupted: Set<string>): Promise<void> {
  const recovered = await putBack(interrupted);
  if (recovered.queued + recovered.deadLettered > 0) {
    plan.logger.info(
      `put back ${recovered.queued} unfinished order(s) on ${plan.settings.queues.orders} and ${recovered.deadLettered} on ${plan.settings.queues.deadLetter} ` +
        '(the local SQS keeps messages in memory only)',
    );
  }
}

/** local-stack.json: how the CLI, the tests and the benchmark find the running stack. */
function writeStateFile(plan: StackPlan, stack: LocalStack, auth: LocalAuth, dynamodbPid: number): void {
  const { apiUrl, workflowType, endpoints, clientEnv, stateMachineArn, queueUrls, settings, startupMs, timings } = stack;
  const state = { pid: process.pid, startedAt: new Date().toISOString(), apiUrl, auth, workflowType, dynamodbPid, endpoints, clientEnv, stateMachineArn, queueUrls, settings, startupMs, timings };
  writeFileSync(plan.stateFile, JSON.stringify(state, null, 2));
}

/** A promise and its settlers (Promise.withResolvers, which Node 20 lacks). */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: Error) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  promise.catch(() => undefined); // a stop before the stack was ready has no one waiting
  return { promise, resolve, reject };
}

function removeStateFile(plan: StackPlan): void {
  try {
    unlinkSync(plan.stateFile);
  } catch {
    /* already gone */
  }
}
