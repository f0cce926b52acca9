// Fault injection for the local stack, modelled on AWS Fault Injection Service's Lambda actions
// (aws:lambda:invocation-add-delay, aws:lambda:invocation-error, each at an invocation percentage)
// plus the dependency faults the system must survive (docs/design.md §8):
// - Lambda: invocations of a named function delayed, erroring or timing out at a rate (0..1),
//   drawn from an injectable random source, so a test or a seeded run is deterministic;
// - DynamoDB Local frozen (SIGSTOP) for a while, or killed (SIGKILL; supervision restarts it);
// - the SQS server stalled (requests held unanswered);
// - Step Functions StartExecution failing (ThrottlingException, InternalFailure, ServiceUnavailable).
// The runtime, the Step Functions endpoint and the stack each ask this object one question; nothing
// here knows how they work.
import type { RunningDynamoDbLocal, RunningSqsServer } from '@dofs/local-aws';
import type { LambdaErrorPayload } from './lambda/error-payload';

export type LambdaFaultAction = 'delay' | 'error' | 'timeout';

export interface LambdaFault {
  functionName: string;
  action: LambdaFaultAction;
  /** Share of invocations affected, 0..1 (FIS's invocationPercentage / 100). Default 1. */
  rate?: number;
  /** `delay`: milliseconds added before the handler runs; they count toward the function timeout, as FIS's startup delay does. */
  delayMs?: number;
  /** `error`: errorType of the failed invocation (default `FaultInjectionError`). */
  errorType?: string;
}

/** What one invocation gets: run late, fail without running, or hang until the function timeout. */
export type InjectedLambdaFault = { action: 'delay'; delayMs: number } | { action: 'error'; error: LambdaErrorPayload } | { action: 'timeout' };

/** What the local Lambda runtime asks before each invocation. */
export interface LambdaFaultSource {
  lambdaFaultFor(functionName: string): InjectedLambdaFault | undefined;
}

export const START_EXECUTION_FAULTS = {
  ThrottlingException: { statusCode: 400, message: 'Rate exceeded' },
  InternalFailure: { statusCode: 500, message: 'The request processing has failed because of an unknown error, exception or failure.' },
  ServiceUnavailable: { statusCode: 503, message: 'Service is unavailable' },
} as const;
export type StartExecutionFaultCode = keyof typeof START_EXECUTION_FAULTS;

/** An error answer of the Step Functions endpoint. */
export interface InjectedApiError {
  statusCode: number;
  code: string;
  message: string;
}

/** What the local Step Functions endpoint asks before each StartExecution. */
export interface SfnFaultSource {
  startExecutionFault(): InjectedApiError | undefined;
}

/** A dependency fault of a run, `afterSeconds` after the stack is ready (the `npm start` options). */
export type ScheduledFault =
  | { target: 'dynamodb'; action: 'freeze'; seconds: number; afterSeconds: number }
  | { target: 'dynamodb'; action: 'kill'; afterSeconds: number }
  | { target: 'sqs'; action: 'stall'; seconds: number; afterSeconds: number }
  | { target: 'sfn'; action: 'start-execution'; code: StartExecutionFaultCode; seconds: number; afterSeconds: number };

/** Everything a run injects (what the command line gives `startLocalStack`). */
export interface FaultPlan {
  lambda?: LambdaFault[];
  scheduled?: ScheduledFault[];
  /** Seed of the random source (a run with the same seed draws the same invocations). */
  seed?: number;
  /** The random source itself (tests); wins over `seed`. Default Math.random. */
  random?: () => number;
}

/** A small seeded generator (mulberry32): the same seed gives the same draws. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const INJECTED_ERROR_TYPE = 'FaultInjectionError';


export interface FaultsOptions extends FaultPlan {
  /** One line per injected dependency fault (and per start and end of a window). */
  onEvent?: (message: string) => void;
}

export class Faults implements LambdaFaultSource, SfnFaultSource {
  private readonly lambdaFaults: LambdaFault[] = [];
  private startExecutionUntil = 0;
  private startExecutionCode: StartExecutionFaultCode = 'ThrottlingException';
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();
  private backends: { dynamodb?: RunningDynamoDbLocal; sqs?: RunningSqsServer } = {};
  private closed = false;
  random: () => number;
  /** Invocations that got a fault, by function and action (e.g. `store-order:timeout`). */
  readonly injected = new Map<string, number>();

  constructor(private readonly options: FaultsOptions = {}) {
    this.random = options.random ?? (options.seed !== undefined ? seededRandom(options.seed) : Math.random);
    for (const fault of options.lambda ?? []) this.injectLambda(fault);
  }

  // --- Lambda ---------------------------------------------------------------------------------

  /** Adds a fault to a function's invocations; returns a function that removes it again. */
  injectLambda(fault: LambdaFault): () => void {
    const rate = fault.rate ?? 1;
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`rate must be from 0 to 1 (got ${rate})`);
    if (fault.action === 'delay' && !(Number(fault.delayMs) >= 0)) throw new RangeError('a delay fault needs delayMs >= 0');
    const entry = { ...fault, rate };
    this.lambdaFaults.push(entry);
    return () => {
      const index = this.lambdaFaults.indexOf(entry);
      if (index >= 0) this.lambdaFaults.splice(index, 1);
    };
  }

  /** Removes the Lambda faults of one function, or all. */
  clearLambda(functionName?: string): void {
    for (let i = this.lambdaFaults.length - 1; i >= 0; i -= 1) {
      if (functionName === undefined || this.lambdaFaults[i]?.functionName === functionName) this.lambdaFaults.splice(i, 1);
    }
  }

  /** One draw per fault of the function, in the order they were added; the first hit applies. */
  lambdaFaultFor(functionName: string): InjectedLambdaFault | undefined {
    for (const fault of this.lambdaFaults) {
      if (fault.functionName !== functionName) continue;
      if (!(this.random() < (fault.rate ?? 1))) continue;
      const key = `${functionName}:${fault.action}`;
      this.injected.set(key, (this.injected.get(key) ?? 0) + 1);
      switch (fault.action) {
        case 'delay':
          return { action: 'delay', delayMs: fault.delayMs ?? 0 };
        case 'timeout':
          return { action: 'timeout' };
        case 'error':
          return {
            action: 'error',
            error: { errorType: fault.errorType ?? INJECTED_ERROR_TYPE, errorMessage: `Fault injected by the local stack into ${functionName}`, trace: [] },
          };
      }
    }
    return undefined;
  }

  // --- Step Functions -------------------------------------------------------------------------

  /** StartExecution answers `code` for the next `ms` milliseconds. */
  failStartExecution(ms: number, code: StartExecutionFaultCode = 'ThrottlingException'): void {
    if (!(code in START_EXECUTION_FAULTS)) throw new RangeError(`unknown StartExecution fault ${code}`);
    this.startExecutionCode = code;
    this.startExecutionUntil = performance.now() + ms;
    this.options.onEvent?.(`fault: StartExecution answers ${code} for ${ms / 1000} s`);
  }

  /** Ends a StartExecution fault early. */
  clearStartExecution(): void {
    this.startExecutionUntil = 0;
  }

  startExecutionFault(): InjectedApiError | undefined {
    if (performance.now() >= this.startExecutionUntil) return undefined;
    const fault = START_EXECUTION_FAULTS[this.startExecutionCode];
    this.injected.set(`StartExecution:${this.startExecutionCode}`, (this.injected.get(`StartExecution:${this.startExecutionCode}`) ?? 0) + 1);
    return { statusCode: fault.statusCode, code: this.startExecutionCode, message: fault.message };
  }

  // --- Dependencies ---------------------------------------------------------------------------

  /** Gives the servers the dependency faults act on (the stack does, once they are up). */
  attach(backends: { dynamodb: RunningDynamoDbLocal; sqs: RunningSqsServer }): void {
    this.backends = backends;
  }

  get dynamodb(): RunningDynamoDbLocal {
    if (!this.backends.dynamodb) throw new Error('DynamoDB Local is not up yet');
    return this.backends.dynamodb;
  }

  get sqs(): RunningSqsServer {
    if (!this.backends.sqs) throw new Error('the SQS server is not up yet');
    return this.backends.sqs;
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    void work.then(
      () => this.running.delete(work),
      () => this.running.delete(work),
    );
    return work;
  }

  /** SIGSTOP of DynamoDB Local's JVM for `ms`, then SIGCONT (always; also when the stack stops first). */
  freezeDynamoDb(ms: number): Promise<void> {
    this.options.onEvent?.(`fault: DynamoDB Local frozen (SIGSTOP of pid ${this.dynamodb.pid}) for ${ms / 1000} s`);
    return this.track(this.dynamodb.freeze(ms).then(() => this.options.onEvent?.('fault: DynamoDB Local resumed')));
  }

  /** SIGKILL of DynamoDB Local's JVM: supervision notices and starts it again on its data. */
  killDynamoDb(): Promise<void> {
    this.options.onEvent?.(`fault: DynamoDB Local killed (SIGKILL of pid ${this.dynamodb.pid})`);
    return this.track(this.dynamodb.kill());
  }

  /** The SQS server holds every request for `ms`, then answers them. */
  stallSqs(ms: number): Promise<void> {
    this.options.onEvent?.(`fault: SQS stalled for ${ms / 1000} s`);
    return this.track(this.sqs.freeze(ms).then(() => this.options.onEvent?.('fault: SQS answers again')));
  }

  /** The SQS server dies with its messages; supervision starts it again and re-creates the queues. */
  killSqs(): Promise<void> {
    this.options.onEvent?.('fault: SQS server killed (its messages are lost with it)');
    return this.track(this.sqs.kill());
  }

  /** Runs one scheduled fault now. */
  run(fault: ScheduledFault): Promise<void> {
    switch (fault.target) {
      case 'dynamodb':
        return fault.action === 'freeze' ? this.freezeDynamoDb(fault.seconds * 1000) : this.killDynamoDb();
      case 'sqs':
        return this.stallSqs(fault.seconds * 1000);
      case 'sfn':
        this.failStartExecution(fault.seconds * 1000, fault.code);
        return Promise.resolve();
    }
  }

  /** Starts the plan's dependency faults, each `afterSeconds` from now. */
  schedule(faults: ScheduledFault[] = this.options.scheduled ?? []): void {
    for (const fault of faults) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (this.closed) return;
        this.run(fault).catch((error: Error) => this.options.onEvent?.(`fault ${fault.target} ${fault.action} failed: ${error.message}`));
      }, fault.afterSeconds * 1000);
      this.timers.add(timer);
    }
  }

  /** Cancels what is scheduled and ends what runs: a frozen JVM or a stalled SQS resumes now. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.clearLambda();
    this.clearStartExecution();
    if (this.backends.dynamodb?.paused) this.backends.dynamodb.resume();
    if (this.backends.sqs?.paused) this.backends.sqs.resume();
    await Promise.allSettled([...this.running]);
  }
}

