// What a caller of startLocalStack gives (LocalStackOptions) and gets back (LocalStack).
import type { QueueAge } from '@dofs/local-aws';
import type { AuthMaterial, MintOptions } from '@dofs/local-aws/auth';
import type { ThrottleSettings } from './apigw/gateway';
import type { EffectiveSettings, Endpoints } from './config';
import type { FaultPlan, Faults } from './faults';
import type { LambdaService } from './lambda/runtime';
import type { StackLogger } from './log';
import type { StepFunctionsService, WorkflowType } from './sfn/service';
import type { Supervision } from './supervision';

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
/** Execution environments per function. */
export const DEFAULT_LAMBDA_CONCURRENCY = 5;
/** Concurrent batches per event source mapping (Lambda starts an SQS mapping with five). */
export const DEFAULT_POLLERS = 5;
