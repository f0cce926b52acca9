// Starts the whole DOFS system on 127.0.0.1 and stops it again. Used by the CLI (main.ts), the
// end-to-end tests and the benchmark.
import { existsSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GetQueueAttributesCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  ensureQueues,
  ensureTables,
  freePort,
  LOCAL_CREDENTIALS,
  localAwsEnv,
  localDynamoDbClient,
  localSqsClient,
  QueueAgeSampler,
  queueAges,
  startDynamoDbLocal,
  startSqsServer,
  type QueueAge,
  type RunningDynamoDbLocal,
  type RunningSqsServer,
} from '@dofs/local-aws';
import { authorizerAudience, STAGE_THROTTLE, startApiGateway, type ApiGateway, type ThrottleSettings } from './apigw/gateway';
import { ensureAuthMaterial, JWKS_PATH, mintToken, TOKEN_PATH, DISCOVERY_PATH, type AuthMaterial, type MintOptions } from '@dofs/local-aws/auth';
import { startCloudWatchEndpoint, type CloudWatchEndpoint } from './cloudwatch/endpoint';
import { DASHBOARD_DATA_PATH, DASHBOARD_PAGE, DASHBOARD_PATH, readDashboardData, startQueueSampling, type DashboardSources } from './dashboard';
import {
  bundlePath,
  effectiveSettings,
  functionEnvironment,
  LOCAL_QUEUE_METRIC_PERIOD_SECONDS,
  type EffectiveSettings,
  type Endpoints,
} from './config';
import { ACCOUNT_ID, DEFAULT_WORKFLOW_TYPE, FUNCTION_NAMES, HOST, REGION, STATE_MACHINE_NAME, type FunctionName } from './constants';
import { SqsEventSource } from './esm/sqs-event-source';
import { Faults, type FaultPlan } from './faults';
import { LambdaService, functionArn } from './lambda/runtime';
import { StackLogger } from './log';
import { isPortFree } from './net';
import { findWorkspaceRoot } from './paths';
import { startReconcileTimer } from './reconciler';
import { recoverUnqueuedOrders } from './recovery';
import { loadWorkflowDefinition } from './sfn/definition';
import { startSfnEndpoint, type SfnEndpoint } from './sfn/endpoint';
import { StepFunctionsService, type WorkflowType } from './sfn/service';
import { buildTaskHandlers } from './sfn/tasks';
import { supervise, supervisedDynamoDb, supervisedSqs, type Supervision } from './supervision';
import { Timeline } from './timeline';

export interface LocalStackOptions {
  /** Workspace root (default: found from this file / the working directory). */
  root?: string;
  /** Folder holding `<function>/main.js` (default `<root>/dist/apps`, where the build targets write). */
  bundleDir?: string;
  /** Where DynamoDB Local and the execution journal persist (default `<root>/.data`). */
  dataDir?: string;
  /** Start with empty tables and no execution history. */
  fresh?: boolean;
  /** API Gateway port (default 3000; 0 = any free port). */
  port?: number;
  /** DynamoDB Local / SQS / Step Functions / CloudWatch ports. Default 8000 / 9324 / 8083 / 4582, or any free port when that one is taken. */
  dynamodbPort?: number;
  sqsPort?: number;
  sfnPort?: number;
  cloudwatchPort?: number;
  successRate?: number;
  visibilityTimeoutSeconds?: number;
  /** LOG_LEVEL given to the handlers (default info). */
  logLevel?: string;
  /** Execution environments per function (default 5). */
  lambdaConcurrency?: number;
  /** Pollers per event source mapping (default 5). */
  pollers?: number;
  /** `--workflow-type`: the Step Functions workflow type and its semantics (default EXPRESS, as dev deploys). */
  workflowType?: WorkflowType;
  /** `--reconcile-interval`: seconds between reconcile-orders runs (default settings.reconciler.intervalSeconds). */
  reconcileIntervalSeconds?: number;
  /** `--reconcile-after`: both reconciler age thresholds, in seconds (default from the settings). */
  reconcileAfterSeconds?: number;
  /** `--throttle-rate` / `--throttle-burst`: the API stage's throttling (default STAGE_THROTTLE, as deployed); false = none. */
  throttle?: ThrottleSettings | false;
  /**
   * The routes' JWT authorizer against the local issuer, and api-handler's AUTH_MODE=jwt (default
   * true, as deployed); false (`--no-auth`): an open API, AUTH_MODE=none.
   */
  auth?: boolean;
  logger?: StackLogger;
  /** Faults to inject (`--lambda-fault`, `--dynamodb-freeze`, ...; faults.ts). More can be added through `LocalStack.faults`. */
  faults?: FaultPlan;
  /** Called when a server died and could not be started again (default: log it). `npm start` then exits non-zero. */
  onFatal?: (error: Error) => void;
}

/** The local issuer, as the stack runs it (and writes it to local-stack.json, `auth`). */
export interface LocalAuth {
  /** `jwt`: the routes verify tokens and api-handler reads their claims; `none`: `--no-auth`. */
  mode: 'jwt' | 'none';
  /** `http://localhost:<port>/_local/auth`: the `iss` the authorizer accepts. */
  issuer: string;
  /** The authorizer's audience list (the local app client's id). */
  audience: string[];
  clientId: string;
  /** The endpoints on the API URL (127.0.0.1). */
  discoveryUrl: string;
  jwksUrl: string;
  tokenEndpoint: string;
  /** `<data-dir>/auth`: signing-key.json (the private JWK) and client.json (the app client's id and secret). */
  dir: string;
}

export interface LocalStack {
  apiUrl: string;
  auth: LocalAuth & {
    material: AuthMaterial;
    /** A token from this stack's issuer (a backend's by default; MintOptions for the rest). */
    mintToken(options?: Partial<Omit<MintOptions, 'issuer' | 'privateJwk'>>): Promise<string>;
  };
  workflowType: WorkflowType;
  endpoints: Endpoints;
  /** Variables that point the aws CLI or an SDK at the stack. */
  clientEnv: Record<string, string>;
  settings: EffectiveSettings;
  stateMachineArn: string;
  queueUrls: { orderQueueUrl: string; deadLetterQueueUrl: string };
  dataDir: string;
  stateFile: string;
  startupMs: number;
  timings: Record<string, number>;
  lambdas: LambdaService;
  sfn: StepFunctionsService;
  /** Fault injection (faults.ts): Lambda faults, DynamoDB freeze / kill, SQS stall, StartExecution errors. */
  faults: Faults;
  /** Restarts of servers that died under the running stack (supervision.ts). */
  supervision: Supervision;
  /** Each queue's ApproximateAgeOfOldestMessage and message counts now (e.g. for the dashboard). */
  queueAges(): QueueAge[];
  stop(): Promise<void>;
}

export const DEFAULT_PORTS = { api: 3000, dynamodb: 8000, sqs: 9324, sfn: 8083, cloudwatch: 4582 } as const;
export const STATE_FILE = 'local-stack.json';
/** Execution environments per function. */
export const DEFAULT_LAMBDA_CONCURRENCY = 5;
/** Concurrent batches per event source mapping (Lambda starts an SQS mapping with five). */
export const DEFAULT_POLLERS = 5;

/** A problem a person can fix; main.ts prints its message as is (one line). */
export class StackStartError extends Error {
  override name = 'StackStartError';
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A port for a backing service: the one asked for, else the default when free, else any free port. */
async function choosePort(requested: number | undefined, fallback: number): Promise<number> {
  if (requested !== undefined) return requested === 0 ? freePort() : requested;
  return (await isPortFree(fallback, HOST)) ? fallback : freePort();
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const started = performance.now();
  const timings: Record<string, number> = {};
  const mark = (name: string) => (timings[name] = Math.round(performance.now() - started));
  const logger = options.logger ?? new StackLogger();
  const root = options.root ?? findWorkspaceRoot();
  const dataDir = path.resolve(options.dataDir ?? path.join(root, '.data'));
  const bundleDir = path.resolve(options.bundleDir ?? path.join(root, 'dist', 'apps'));
  const dbPath = path.join(dataDir, 'dynamodb');
  const journalFile = path.join(dataDir, 'stepfunctions', 'executions.jsonl');
  const stateFile = path.join(dataDir, STATE_FILE);
  const settings = effectiveSettings({ successRate: options.successRate, visibilityTimeoutSeconds: options.visibilityTimeoutSeconds });
  const logLevel = options.logLevel ?? 'info';
  const workflowType: WorkflowType = options.workflowType ?? DEFAULT_WORKFLOW_TYPE;
  // The SDK's "Node 20 is going away" notice is about this machine, not about the Lambda runtime (nodejs22.x).
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

  const missing = FUNCTION_NAMES.filter((name) => !existsSync(bundlePath(bundleDir, name)));
  if (missing.length > 0) {
    throw new StackStartError(
      `missing bundles ${missing.map((n) => `dist/apps/${n}/main.js`).join(', ')}: build them with "npx nx run-many -t build -p ${FUNCTION_NAMES.join(',')}" (npm start does it for you)`,
    );
  }
  if (existsSync(stateFile)) {
    try {
      const previous = JSON.parse(readFileSync(stateFile, 'utf8')) as { pid?: number };
      if (previous.pid && previous.pid !== process.pid && pidAlive(previous.pid)) {
        throw new StackStartError(
          `another local stack (pid ${previous.pid}) is using ${dataDir}: stop it first, or give this one its own --data-dir`,
        );
      }
    } catch (error) {
      if (error instanceof StackStartError) throw error;
    }
  }
  if (options.fresh) {
    rmSync(dbPath, { recursive: true, force: true });
    rmSync(path.dirname(journalFile), { recursive: true, force: true });
  }
  mkdirSync(dataDir, { recursive: true });
  // The local issuer's key pair and app client: created at the first start, reused afterwards.
  const authMaterial = await ensureAuthMaterial(dataDir);
  const authMode: LocalAuth['mode'] = options.auth === false ? 'none' : 'jwt';

  // Everything started so far, stopped in reverse order if start-up fails or on stop().
  const cleanups: Array<() => Promise<void> | void> = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch {
        /* keep stopping the rest */
      }
    }
    cleanups.length = 0;
  };

  try {
    // 1. The API port first: a taken port should fail in milliseconds, before Java starts.
    let resolveReady!: () => void;
    let rejectReady!: (error: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      resolveReady = resolve;
      rejectReady = reject;
    });
    ready.catch(() => undefined);
    // The dashboard's last 15 minutes: counts from the functions' metric lines (timeline.ts).
    const timeline = new Timeline();
    const lambdas = new LambdaService({
      onLog: (line) => {
        timeline.ingestLogLine(line.line);
        logger.lambdaLog(line);
      },
      onReport: (r) => logger.report(r),
    });
    cleanups.push(() => lambdas.close());
    const faults = new Faults({ ...options.faults, onEvent: (line) => logger.warn(line) });
    lambdas.setFaults(faults);
    cleanups.push(() => faults.close());
    const apiPort = options.port ?? DEFAULT_PORTS.api;
    // The dashboard's data sources, set once DynamoDB Local is up (its data path waits for `ready`).
    const dashboard: { sources?: DashboardSources } = {};
    let api: ApiGateway;
    try {
      api = await startApiGateway({
        host: HOST,
        port: apiPort,
        throttle: options.throttle === false ? undefined : (options.throttle ?? STAGE_THROTTLE),
        auth: { material: authMaterial, enforce: authMode === 'jwt' },
        invoke: async (event) => {
          await ready;
          return lambdas.get('api-handler').invoke(event);
        },
        // The dashboard polls every 2 s: its successful reads are not logged.
        onRequest: (log) => (log.path === DASHBOARD_DATA_PATH && log.statusCode === 200 ? undefined : logger.api(log)),
        localPages: {
          [DASHBOARD_PATH]: async () => ({ contentType: 'text/html; charset=utf-8', body: DASHBOARD_PAGE }),
          [DASHBOARD_DATA_PATH]: async () => {
            await ready;
            if (!dashboard.sources) throw new Error('the dashboard has no data sources');
            return { contentType: 'application/json; charset=utf-8', body: JSON.stringify(await readDashboardData(dashboard.sources)) };
          },
        },
      });
    } catch (error) {
      if ((error as Error).name === 'PortUnavailableError') {
        throw new StackStartError(`${(error as Error).message}: stop whatever uses it or start with --port <n> (or PORT=<n>)`);
      }
      throw error;
    }
    cleanups.push(() => api.close());
    mark('api-port');

    // 2. Backing services. DynamoDB Local (a JVM, 3-10 s) starts first and everything else is
    //    prepared while it boots: the endpoints are known from the chosen ports.
    const [dynamodbPort, sqsPort, sfnPort, cloudwatchPort] = await Promise.all([
      choosePort(options.dynamodbPort, DEFAULT_PORTS.dynamodb),
      choosePort(options.sqsPort, DEFAULT_PORTS.sqs),
      choosePort(options.sfnPort, DEFAULT_PORTS.sfn),
      choosePort(options.cloudwatchPort, DEFAULT_PORTS.cloudwatch),
    ]);
    const dynamodbStarting: Promise<RunningDynamoDbLocal> = startDynamoDbLocal({ port: dynamodbPort, dbPath });
    dynamodbStarting.catch(() => undefined);
    cleanups.push(async () => {
      const ddb = await dynamodbStarting.catch(() => undefined);
      await ddb?.stop();
    });

    let sqsServer: RunningSqsServer;
    try {
      sqsServer = await startSqsServer({ port: sqsPort });
    } catch (error) {
      throw new StackStartError(`SQS could not listen on ${HOST}:${sqsPort} (${(error as Error).message}); try --sqs-port 0`);
    }
    cleanups.push(() => sqsServer.stop());
    // SQS's ApproximateAgeOfOldestMessage, sampled every second and served by GetMetricData (cloudwatch/).
    const queueAgeSampler = new QueueAgeSampler(sqsServer.messages);
    queueAgeSampler.start();
    cleanups.push(() => queueAgeSampler.stop());
    let cloudwatch: CloudWatchEndpoint;
    try {
      cloudwatch = await startCloudWatchEndpoint(queueAgeSampler, { host: HOST, port: cloudwatchPort });
    } catch (error) {
      throw new StackStartError(`${(error as Error).message}: try --cloudwatch-port 0`);
    }
    cleanups.push(() => cloudwatch.close());
    const backdate = (queueUrl: string, messageId: string, at: number) => void sqsServer.messages.backdate(queueUrl, messageId, at);

    let resolveService!: (service: StepFunctionsService) => void;
    const servicePromise = new Promise<StepFunctionsService>((resolve) => (resolveService = resolve));
    let sfnEndpoint: SfnEndpoint;
    try {
      sfnEndpoint = await startSfnEndpoint(
        ready.then(() => servicePromise),
        { host: HOST, port: sfnPort, faults },
      );
    } catch (error) {
      throw new StackStartError(`${(error as Error).message}: try --sfn-port 0`);
    }
    cleanups.push(() => sfnEndpoint.close());

    const endpoints: Endpoints = {
      dynamodb: `http://${HOST}:${dynamodbPort}`,
      sqs: sqsServer.endpoint,
      sfn: sfnEndpoint.url,
      cloudwatch: cloudwatch.url,
    };
    const awsEnv = localAwsEnv(endpoints);
    const stateMachineArn = `arn:aws:states:${REGION}:${ACCOUNT_ID}:stateMachine:${STATE_MACHINE_NAME}`;

    // 3. Queues from the shared settings (the DLQ's visibility timeout as Terraform sets it).
    const sqs: SQSClient = localSqsClient(sqsServer.endpoint);
    cleanups.push(() => sqs.destroy());
    // Also after a restart of the SQS server (supervision), which comes back without queues.
    const createQueues = async () => {
      const urls = await ensureQueues(sqs, {
        orders: settings.queues.orders,
        deadLetter: settings.queues.deadLetter,
        maxReceiveCount: settings.queues.maxReceiveCount,
        visibilityTimeoutSeconds: settings.queues.visibilityTimeoutSeconds,
      });
      await sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: urls.deadLetterQueueUrl,
          Attributes: { VisibilityTimeout: String(settings.queues.visibilityTimeoutSeconds) },
        }),
      );
      return urls;
    };
    const queueUrls = await createQueues();
    // 4. Functions: the bundles in dist/, each with its own environment; one environment of each
    //    is started now (cold start while the JVM boots).
    for (const name of FUNCTION_NAMES) {
      if (name === 'reconcile-orders') continue; // registered once order_queue exists (its URL is in its environment)
      lambdas.register({
        name,
        bundlePath: bundlePath(bundleDir, name),
        timeoutSeconds: settings.functions[name].timeoutSeconds,
        memoryMb: settings.functions[name].memoryMb,
        maxConcurrency: options.lambdaConcurrency ?? DEFAULT_LAMBDA_CONCURRENCY,
        environment: {
          ...functionEnvironment(name, settings, { stateMachineArn, logLevel, orderQueueUrl: queueUrls.orderQueueUrl, authMode }),
          ...awsEnv,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
      });
    }
    const warming = Promise.all(
      lambdas.all().map(async (fn) => ({ name: fn.name as FunctionName, ...(await fn.warm()) })),
    );

    const queueArn = async (url: string): Promise<string> => {
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
      const arn = Attributes?.['QueueArn'];
      if (!arn) throw new Error(`SQS returned no ARN for ${url}`);
      return arn;
    };
    const [orderQueueArn, deadLetterQueueArn] = await Promise.all([queueArn(queueUrls.orderQueueUrl), queueArn(queueUrls.deadLetterQueueUrl)]);
    mark('sqs');

    // 4b. The reconciler, now that ORDER_QUEUE_URL is known (its timer starts with the mappings).
    const reconciler = lambdas.register({
      name: 'reconcile-orders',
      bundlePath: bundlePath(bundleDir, 'reconcile-orders'),
      timeoutSeconds: settings.functions['reconcile-orders'].timeoutSeconds,
      memoryMb: settings.functions['reconcile-orders'].memoryMb,
      maxConcurrency: 1,
      environment: {
        ...functionEnvironment('reconcile-orders', settings, {
          stateMachineArn,
          logLevel,
          orderQueueUrl: queueUrls.orderQueueUrl,
          deadLetterQueueUrl: queueUrls.deadLetterQueueUrl,
          queueMetricPeriodSeconds: LOCAL_QUEUE_METRIC_PERIOD_SECONDS,
          reconcileAfterSeconds: options.reconcileAfterSeconds,
        }),
        ...awsEnv,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    });

    // 5. The workflow: the ASL file from infra/, placeholders filled like templatefile(), built once.
    const definition = loadWorkflowDefinition({
      validate_order_arn: functionArn('validate-order'),
      store_order_arn: functionArn('store-order'),
      order_queue_url: queueUrls.orderQueueUrl,
    });
    const sfn = new StepFunctionsService({
      name: STATE_MACHINE_NAME,
      type: workflowType,
      definition,
      taskHandlers: buildTaskHandlers(definition, { lambdas, sqs }),
      journalFile,
      onEvent: (event) => logger.workflow(event),
    });
    if (sfn.stateMachineArn !== stateMachineArn) throw new Error('state machine ARN mismatch');
    const sfnInit = await sfn.init();
    cleanups.push(() => sfn.close(0));
    resolveService(sfn);
    mark('stepfunctions');

    // 6. DynamoDB Local up: tables if absent.
    let dynamodb: RunningDynamoDbLocal;
    try {
      dynamodb = await dynamodbStarting;
    } catch (error) {
      const e = error as Error;
      if (e.name === 'JavaNotFoundError') throw new StackStartError(e.message);
      throw new StackStartError(`DynamoDB Local did not start: ${e.message.split('\n')[0]}`);
    }
    mark('dynamodb');
    const ddb = localDynamoDbClient(dynamodb.endpoint);
    try {
      await ensureTables(ddb, settings.tables);
    } finally {
      ddb.destroy();
    }
    mark('tables');
    const dashboardDdb = DynamoDBDocumentClient.from(localDynamoDbClient(dynamodb.endpoint));
    cleanups.push(() => dashboardDdb.destroy());
    dashboard.sources = {
      ddb: dashboardDdb,
      tables: settings.tables,
      sqs,
      queues: {
        [settings.queues.orders]: queueUrls.orderQueueUrl,
        [settings.queues.deadLetter]: queueUrls.deadLetterQueueUrl,
        [settings.queues.parking]: queueUrls.parkingQueueUrl,
      },
      executions: () => sfn.list(),
      timeline,
    };
    const queueSampling = startQueueSampling(timeline, dashboard.sources);
    cleanups.push(() => queueSampling.stop());

    for (const warmed of await warming) {
      if (warmed.error) logger.warn(`${warmed.name} failed to initialise: ${warmed.error.errorType}: ${warmed.error.errorMessage}`);
    }
    mark('lambdas');

    // 7. What the previous run left unfinished. Orders whose queue message was lost with the
    //    in-memory SQS are queued again (before the pollers start, while the queues are empty);
    //    executions that were running are started again once everything is up.
    const interrupted = sfn.interruptedNames();
    if (!options.fresh) {
      const recovered = await recoverUnqueuedOrders({
        ddbEndpoint: dynamodb.endpoint,
        sqs,
        ordersTable: settings.tables.orders,
        queueUrl: queueUrls.orderQueueUrl,
        deadLetterQueueUrl: queueUrls.deadLetterQueueUrl,
        maxReceiveCount: settings.queues.maxReceiveCount,
        skip: new Set(interrupted),
        backdate,
      });
      if (recovered.queued + recovered.deadLettered > 0) {
        logger.info(
          `put back ${recovered.queued} unfinished order(s) on ${settings.queues.orders} and ${recovered.deadLettered} on ${settings.queues.deadLetter} ` +
            '(the local SQS keeps messages in memory only)',
        );
      }
    }
    mark('recovery');

    // 8. Event source mappings.
    const mappings = [
      { fn: 'fulfill-order' as const, url: queueUrls.orderQueueUrl, arn: orderQueueArn, source: settings.eventSources.fulfillOrder },
      { fn: 'dlq-handler' as const, url: queueUrls.deadLetterQueueUrl, arn: deadLetterQueueArn, source: settings.eventSources.dlqHandler },
    ].map(
      (m) =>
        new SqsEventSource({
          sqs,
          queueUrl: m.url,
          queueArn: m.arn,
          fn: lambdas.get(m.fn),
          batchSize: m.source.batchSize,
          maximumBatchingWindowSeconds: m.source.maximumBatchingWindowSeconds,
          visibilityTimeoutSeconds: settings.queues.visibilityTimeoutSeconds,
          reportBatchItemFailures: true,
          pollers: options.pollers ?? DEFAULT_POLLERS,
          onBatch: (outcome) =>
            logger.batch(outcome, {
              maxReceiveCount: settings.queues.maxReceiveCount,
              visibilityTimeoutSeconds: settings.queues.visibilityTimeoutSeconds,
              deadLetterQueue: settings.queues.deadLetter,
            }),
          onPollError: (error) => logger.warn(`polling ${m.fn === 'fulfill-order' ? settings.queues.orders : settings.queues.deadLetter}: ${error.message}`),
        }),
    );
    for (const mapping of mappings) mapping.start();
    // Stopped before the functions and the SQS server (cleanups run in reverse order).
    cleanups.push(() => Promise.all(mappings.map((m) => m.stop())).then(() => undefined));
    // The EventBridge Scheduler schedule's stand-in; stopped (its run awaited) before the rest.
    const reconcileTimer = startReconcileTimer({ fn: reconciler, intervalSeconds: options.reconcileIntervalSeconds ?? settings.reconciler.intervalSeconds, logger });
    cleanups.push(() => reconcileTimer.stop());

    // 9. Supervision and faults. A dead server is started again on its port and data; an SQS
    //    restart loses every message, so the queues are re-created and the unfinished orders put
    //    back from the table, as after a restart of the stack (recovery.ts).
    const supervision = supervise({
      servers: [
        supervisedDynamoDb(dynamodb),
        supervisedSqs(sqsServer, async () => {
          await createQueues();
          const running = new Set(sfn.list().flatMap((e) => (e.status === 'RUNNING' ? [e.name] : [])));
          const put = await recoverUnqueuedOrders({
            ddbEndpoint: dynamodb.endpoint,
            sqs,
            ordersTable: settings.tables.orders,
            queueUrl: queueUrls.orderQueueUrl,
            deadLetterQueueUrl: queueUrls.deadLetterQueueUrl,
            maxReceiveCount: settings.queues.maxReceiveCount,
            skip: running,
            backdate,
          });
          return `queues re-created; ${put.queued} unfinished order(s) put back on ${settings.queues.orders}, ${put.deadLettered} on ${settings.queues.deadLetter}`;
        }),
      ],
      log: (line) => logger.warn(line),
      onFatal: options.onFatal ?? ((error) => logger.error(error.message)),
    });
    cleanups.push(() => supervision.close());
    faults.attach({ dynamodb, sqs: sqsServer });

    resolveReady();
    const resumed = sfn.resumeInterrupted();
    if (resumed.length > 0) logger.info(`resumed ${resumed.length} execution(s) interrupted by the last shutdown`);
    faults.schedule();
    mark('ready');

    const clientEnv: Record<string, string> = {
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
      AWS_ENDPOINT_URL_SQS: endpoints.sqs,
      AWS_ENDPOINT_URL_SFN: endpoints.sfn,
      AWS_ENDPOINT_URL_CLOUDWATCH: endpoints.cloudwatch,
    };
    const startupMs = Math.round(performance.now() - started);
    const issuer = api.issuer;
    if (!issuer) throw new Error('the gateway has no issuer');
    const auth: LocalAuth = {
      mode: authMode,
      issuer,
      audience: authorizerAudience(authMaterial),
      clientId: authMaterial.clientId,
      discoveryUrl: `${api.url}${DISCOVERY_PATH}`,
      jwksUrl: `${api.url}${JWKS_PATH}`,
      tokenEndpoint: `${api.url}${TOKEN_PATH}`,
      dir: authMaterial.dir,
    };
    const stack: LocalStack = {
      apiUrl: api.url,
      auth: {
        ...auth,
        material: authMaterial,
        mintToken: (mint = {}) => mintToken({ clientId: authMaterial.clientId, ...mint, issuer, privateJwk: authMaterial.privateJwk }),
      },
      workflowType,
      endpoints,
      clientEnv,
      settings,
      stateMachineArn,
      queueUrls,
      dataDir,
      stateFile,
      startupMs,
      timings: { ...timings, dynamodbJvmMs: dynamodb.startupMs, stateMachineBuildMs: Math.round(sfnInit.buildMs) },
      lambdas,
      sfn,
      faults,
      supervision,
      queueAges: () => queueAges(sqsServer.messages),
      stop: async () => {
        rejectReady(new Error('The local stack is stopping'));
        // No new requests; running executions stop where they are (they stay RUNNING in the
        // journal and the next start resumes them: on Ctrl-C DynamoDB Local is already going, so
        // letting them go on would only make them fail); pollers finish or abandon their batch
        // (its messages come back, or are put back by the next start); then everything else.
        supervision.close();
        await faults.close();
        await api.close();
        await reconcileTimer.stop();
        await sfn.close(0);
        await Promise.race([Promise.all(mappings.map((m) => m.stop())), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
        await cleanup();
        try {
          unlinkSync(stateFile);
        } catch {
          /* already gone */
        }
      },
    };
    writeFileSync(
      stateFile,
      JSON.stringify(
        {
          pid: process.pid,
          startedAt: new Date().toISOString(),
          apiUrl: stack.apiUrl,
          auth,
          workflowType,
          dynamodbPid: dynamodb.pid,
          endpoints,
          clientEnv,
          stateMachineArn,
          queueUrls,
          settings,
          startupMs,
          timings: stack.timings,
        },
        null,
        2,
      ),
    );
    return stack;
  } catch (error) {
    await cleanup();
    throw error;
  }
}
