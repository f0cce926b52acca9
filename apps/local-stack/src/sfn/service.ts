// Local Step Functions around aws-local-stepfunctions, with the semantics of either workflow type.
//
// - The state machine is constructed once (its validation takes ~0.5 s) and run per execution.
// - STANDARD: execution names are unique per state machine: a second StartExecution with the same
//   name and a different input (or after the first one closed) fails with ExecutionAlreadyExists;
//   the same name and input while it is still running returns the running execution.
// - EXPRESS: every StartExecution starts a new execution, whatever its name (at least once: our
//   tasks must be idempotent); DescribeExecution, GetExecutionHistory, ListExecutions and
//   StopExecution are refused, as AWS refuses them for Express (history lives in CloudWatch Logs).
// - Executions are kept in memory and, when a file is given, appended to a JSON-lines journal, so a
//   restart keeps them (and their names stay taken). Executions a previous run left RUNNING are
//   started again from the beginning by resumeInterrupted() (every task is idempotent).
import '../polyfills';
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { ACCOUNT_ID, REGION } from '../constants';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

export interface Execution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
  /** Settles when the execution ends. */
  done: Promise<void>;
  abort?: () => void;
}

/** What a Task state override receives besides its input. */
export interface TaskContext {
  stateName: string;
  execution: Execution;
}
export type TaskHandler = (input: unknown, context: TaskContext) => Promise<unknown>;

/** One readable event for the stack's log. */
export type WorkflowEvent =
  | { type: 'ExecutionStarted'; execution: Execution }
  | { type: 'StateEntered'; execution: Execution; stateName: string; stateType: string }
  | { type: 'StateFailed'; execution: Execution; stateName: string; error: string; cause: string }
  | { type: 'StateRetried'; execution: Execution; stateName: string; attempt: number }
  | { type: 'StateCaught'; execution: Execution; stateName: string; next: string }
  | { type: 'ExecutionSucceeded'; execution: Execution }
  | { type: 'ExecutionFailed'; execution: Execution }
  | { type: 'ExecutionResumed'; execution: Execution };

/** An error of the Step Functions API (`__type` in the JSON protocol). */
export class SfnApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = code;
  }
}

export type WorkflowType = 'STANDARD' | 'EXPRESS';
export const WORKFLOW_TYPES: readonly WorkflowType[] = ['STANDARD', 'EXPRESS'];

export interface StepFunctionsServiceOptions {
  /** State machine name, e.g. `order-workflow`. */
  name: string;
  /** Default STANDARD. */
  type?: WorkflowType;
  /** The rendered ASL definition (placeholders already substituted). */
  definition: Record<string, unknown>;
  /** Task state name -> local implementation. */
  taskHandlers: Record<string, TaskHandler>;
  /** JSON-lines journal of executions (omit to keep them in memory only). */
  journalFile?: string;
  onEvent?: (event: WorkflowEvent) => void;
  /** Fixed retry intervals per state (ms), e.g. for tests; the ASL's own backoff otherwise. */
  retryIntervalOverrides?: Record<string, number | number[]>;
}

const MAX_INPUT_BYTES = 256 * 1024;
/** Executions whose event history is kept in memory (older ones keep their description only). */
const HISTORY_KEPT = 2000;
// Characters AWS does not allow in execution names (plus control characters, checked separately).
const INVALID_NAME = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;
const hasControlCharacter = (name: string) => [...name].some((ch) => (ch.codePointAt(0) ?? 0) < 0x20 || ((ch.codePointAt(0) ?? 0) >= 0x7f && (ch.codePointAt(0) ?? 0) <= 0x9f));

/** One event of the interpreter's event log (aws-local-stepfunctions `EventLog`). */
interface LibraryEvent {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  Error?: string;
  Cause?: unknown;
  output?: unknown;
  retry?: { attempt?: number };
  catch?: { catcher?: { Next?: string } };
}

interface StateMachineLike {
  run(
    input: unknown,
    options?: Record<string, unknown>,
  ): { abort: () => void; result: Promise<unknown>; eventLogs: AsyncGenerator<LibraryEvent> };
}

/** The fields DescribeExecution and ListExecutions share. */
function executionSummary(e: Execution): Record<string, unknown> {
  return {
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: e.startDate,
    ...(e.stopDate !== undefined ? { stopDate: e.stopDate } : {}),
  };
}

export class StepFunctionsService {
  readonly stateMachineArn: string;
  readonly creationDate = Date.now();
  private machine: StateMachineLike | undefined;
  private readonly executions = new Map<string, Execution>();
  private readonly byName = new Map<string, Execution>();
  private journal: WriteStream | undefined;
  private readonly withHistory: Execution[] = [];
  private interrupted: Array<Pick<Execution, 'executionArn' | 'name' | 'input' | 'startDate'>> = [];
  private closing = false;

  /** The definition as rendered (the interpreter annotates the object it is given). */
  private readonly definitionText: string;

  constructor(private readonly options: StepFunctionsServiceOptions) {
    this.stateMachineArn = `arn:aws:states:${REGION}:${ACCOUNT_ID}:stateMachine:${options.name}`;
    this.definitionText = JSON.stringify(options.definition);
  }

  get name(): string {
    return this.options.name;
  }

  get type(): WorkflowType {
    return this.options.type ?? 'STANDARD';
  }

  /** AWS answers these APIs for Standard executions only. */
  private refuseForExpress(operation: string): void {
    if (this.type === 'EXPRESS') throw new SfnApiError('StateMachineTypeNotSupported', `${operation} is not supported by EXPRESS state machines`);
  }

  get definition(): Record<string, unknown> {
    return this.options.definition;
  }

  /** Loads the library (after the polyfill), builds the state machine once and reads the journal. */
  async init(): Promise<{ buildMs: number; loaded: number; interrupted: number }> {
    const started = performance.now();
    const { StateMachine } = await import('aws-local-stepfunctions');
    this.machine = new StateMachine(JSON.parse(this.definitionText) as never, {
      validationOptions: { checkArn: true, checkPaths: true },
    }) as unknown as StateMachineLike;
    const buildMs = performance.now() - started;
    const loaded = this.loadJournal();
    return { buildMs, loaded, interrupted: this.interrupted.length };
  }

  private loadJournal(): number {
    const file = this.options.journalFile;
    if (!file) return 0;
    mkdirSync(path.dirname(file), { recursive: true });
    const records = new Map<string, Record<string, unknown>>();
    if (existsSync(file)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          const arn = entry['executionArn'] as string;
          records.set(arn, { ...(records.get(arn) ?? {}), ...entry });
        } catch {
          // A torn last line after a hard kill: ignore it.
        }
      }
    }
    for (const record of records.values()) {
      const execution: Execution = {
        executionArn: record['executionArn'] as string,
        stateMachineArn: this.stateMachineArn,
        name: record['name'] as string,
        status: record['status'] as ExecutionStatus,
        startDate: record['startDate'] as number,
        stopDate: record['stopDate'] as number | undefined,
        input: record['input'] as string,
        output: record['output'] as string | undefined,
        error: record['error'] as string | undefined,
        cause: record['cause'] as string | undefined,
        history: [],
        done: Promise.resolve(),
      };
      if (execution.status === 'RUNNING') {
        this.interrupted.push(execution);
        continue;
      }
      this.remember(execution);
    }
    // Compact: one line per execution.
    const lines = [...this.executions.values()].map((e) => JSON.stringify(this.journalRecord(e)));
    lines.push(...this.interrupted.map((e) => JSON.stringify({ ...e, status: 'RUNNING' })));
    writeFileSync(file, lines.length ? lines.join('\n') + '\n' : '');
    this.journal = createWriteStream(file, { flags: 'a' });
    return this.executions.size + this.interrupted.length;
  }

  /** Names of the executions a previous run left RUNNING (not resumed yet). */
  interruptedNames(): string[] {
    return this.interrupted.map((e) => e.name);
  }

  /** Starts again the executions a previous run left RUNNING (their tasks are idempotent). */
  resumeInterrupted(): Execution[] {
    const resumed: Execution[] = [];
    for (const old of this.interrupted) {
      const execution = this.launch(old.name, old.input, old);
      this.options.onEvent?.({ type: 'ExecutionResumed', execution });
      resumed.push(execution);
    }
    this.interrupted = [];
    return resumed;
  }

  private remember(execution: Execution): void {
    this.executions.set(execution.executionArn, execution);
    this.byName.set(execution.name, execution);
  }

  private journalRecord(e: Execution): Record<string, unknown> {
    return {
      executionArn: e.executionArn,
      name: e.name,
      status: e.status,
      startDate: e.startDate,
      stopDate: e.stopDate,
      input: e.input,
      output: e.output,
      error: e.error,
      cause: e.cause,
    };
  }

  private write(entry: Record<string, unknown>): void {
    this.journal?.write(JSON.stringify(entry) + '\n');
  }

  // ---- API operations -------------------------------------------------------------------------

  startExecution(request: { stateMachineArn?: unknown; name?: unknown; input?: unknown }): {
    executionArn: string;
    startDate: number;
  } {
    this.checkStateMachineArn(request.stateMachineArn);
    if (this.closing) throw new SfnApiError('ServiceUnavailable', 'The local stack is shutting down', 503);
    const name = request.name === undefined || request.name === null ? randomUUID() : request.name;
    if (typeof name !== 'string' || name.length < 1 || name.length > 80 || INVALID_NAME.test(name) || hasControlCharacter(name)) {
      throw new SfnApiError('InvalidName', `Invalid Name: '${String(name)}'`);
    }
    const input = request.input === undefined || request.input === null ? '{}' : request.input;
    if (typeof input !== 'string') throw new SfnApiError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not a string');
    if (Buffer.byteLength(input) > MAX_INPUT_BYTES) {
      throw new SfnApiError('InvalidExecutionInput', `Invalid State Machine Execution Input: larger than ${MAX_INPUT_BYTES} bytes`);
    }
    try {
      JSON.parse(input);
    } catch (error) {
      throw new SfnApiError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${(error as Error).message}'`);
    }
    if (this.type === 'EXPRESS') {
      const execution = this.launch(name, input, undefined, `arn:aws:states:${REGION}:${ACCOUNT_ID}:express:${this.name}:${name}:${randomUUID()}`);
      return { executionArn: execution.executionArn, startDate: execution.startDate };
    }
    const existing = this.byName.get(name) ?? this.interrupted.find((e) => e.name === name);
    if (existing) {
      if ('status' in existing && existing.status === 'RUNNING' && existing.input === input) {
        return { executionArn: existing.executionArn, startDate: existing.startDate };
      }
      throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${existing.executionArn}'`);
    }
    const execution = this.launch(name, input);
    return { executionArn: execution.executionArn, startDate: execution.startDate };
  }

  describeExecution(request: { executionArn?: unknown }): Record<string, unknown> {
    this.refuseExpressArn(request.executionArn);
    const e = this.getExecution(request.executionArn);
    return {
      ...executionSummary(e),
      input: e.input,
      inputDetails: { included: true },
      ...(e.output !== undefined ? { output: e.output, outputDetails: { included: true } } : {}),
      ...(e.error !== undefined ? { error: e.error } : {}),
      ...(e.cause !== undefined ? { cause: e.cause } : {}),
      redriveCount: 0,
      redriveStatus: 'NOT_REDRIVABLE',
    };
  }

  listExecutions(request: { stateMachineArn?: unknown; statusFilter?: unknown; maxResults?: unknown; nextToken?: unknown }): {
    executions: Array<Record<string, unknown>>;
    nextToken?: string;
  } {
    this.checkStateMachineArn(request.stateMachineArn);
    this.refuseForExpress('ListExecutions');
    const maxResults = request.maxResults === undefined || request.maxResults === 0 ? 100 : Number(request.maxResults);
    if (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > 1000) {
      throw new SfnApiError('ValidationException', 'maxResults must be between 0 and 1000');
    }
    let offset = 0;
    if (request.nextToken !== undefined && request.nextToken !== null) {
      offset = Number.parseInt(Buffer.from(String(request.nextToken), 'base64url').toString(), 10);
      if (!Number.isInteger(offset) || offset < 0) throw new SfnApiError('InvalidToken', 'Invalid Token');
    }
    const all = [...this.executions.values()]
      .filter((e) => request.statusFilter === undefined || request.statusFilter === null || e.status === request.statusFilter)
      .sort((a, b) => b.startDate - a.startDate || (a.name < b.name ? -1 : 1));
    const page = all.slice(offset, offset + maxResults);
    const next = offset + maxResults < all.length ? Buffer.from(String(offset + maxResults)).toString('base64url') : undefined;
    return {
      executions: page.map(executionSummary),
      ...(next ? { nextToken: next } : {}),
    };
  }

  getExecutionHistory(request: { executionArn?: unknown; reverseOrder?: unknown }): { events: HistoryEvent[] } {
    this.refuseExpressArn(request.executionArn);
    const e = this.getExecution(request.executionArn);
    const events = [...e.history];
    return { events: request.reverseOrder ? events.reverse() : events };
  }

  stopExecution(request: { executionArn?: unknown; error?: unknown; cause?: unknown }): { stopDate: number } {
    this.refuseExpressArn(request.executionArn);
    const e = this.getExecution(request.executionArn);
    if (e.status === 'RUNNING') {
      e.error = typeof request.error === 'string' ? request.error : undefined;
      e.cause = typeof request.cause === 'string' ? request.cause : undefined;
      this.finish(e, 'ABORTED');
      e.abort?.();
    }
    return { stopDate: e.stopDate ?? Date.now() };
  }

  describeStateMachine(request: { stateMachineArn?: unknown }): Record<string, unknown> {
    this.checkStateMachineArn(request.stateMachineArn);
    return {
      stateMachineArn: this.stateMachineArn,
      name: this.name,
      status: 'ACTIVE',
      definition: this.definitionText,
      roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/${this.name}-local`,
      type: this.type,
      creationDate: this.creationDate,
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
    };
  }

  listStateMachines(): { stateMachines: Array<Record<string, unknown>> } {
    return {
      stateMachines: [
        { stateMachineArn: this.stateMachineArn, name: this.name, type: this.type, creationDate: this.creationDate },
      ],
    };
  }

  /** Executions in memory (for tests and the shutdown summary). */
  list(): Execution[] {
    return [...this.executions.values()];
  }

  get running(): number {
    let n = 0;
    for (const e of this.executions.values()) if (e.status === 'RUNNING') n += 1;
    return n;
  }

  /** Waits until no execution runs (or the timeout passes); returns how many still run. */
  async drain(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const running = [...this.executions.values()].filter((e) => e.status === 'RUNNING');
      if (running.length === 0 || Date.now() >= deadline) return running.length;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(running.map((e) => e.done)),
        new Promise((r) => (timer = setTimeout(r, Math.max(0, deadline - Date.now())))),
      ]);
      clearTimeout(timer);
    }
  }

  /**
   * Stops accepting executions, waits up to `graceMs` for running ones, then abandons the rest.
   * Abandoned executions stay RUNNING in the journal and are resumed by the next start.
   */
  async close(graceMs = 3000): Promise<void> {
    this.closing = true;
    await this.drain(graceMs);
    for (const e of this.executions.values()) {
      if (e.status === 'RUNNING') e.abort?.();
    }
    const journal = this.journal;
    this.journal = undefined;
    if (journal) await new Promise<void>((resolve) => journal.end(resolve));
  }

  // ---- internals ------------------------------------------------------------------------------

  private checkStateMachineArn(arn: unknown): void {
    if (typeof arn !== 'string' || !/^arn:aws[a-z-]*:states:[^:]*:[^:]*:stateMachine:[^:]+$/.test(arn)) {
      throw new SfnApiError('InvalidArn', `Invalid Arn: '${String(arn)}'`);
    }
    if (arn !== this.stateMachineArn) {
      throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    }
  }

  /** An Express execution ARN (`...:express:<machine>:<name>:<id>`) is not valid for the Standard-only APIs. */
  private refuseExpressArn(arn: unknown): void {
    if (typeof arn === 'string' && /^arn:aws[a-z-]*:states:[^:]*:[^:]*:express:/.test(arn)) {
      throw new SfnApiError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: express'`);
    }
  }

  private getExecution(arn: unknown): Execution {
    if (typeof arn !== 'string' || !/^arn:aws[a-z-]*:states:[^:]*:[^:]*:execution:[^:]+:[^:]+$/.test(arn)) {
      throw new SfnApiError('InvalidArn', `Invalid Arn: '${String(arn)}'`);
    }
    const execution = this.executions.get(arn);
    if (!execution) throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  private finish(e: Execution, status: ExecutionStatus, output?: unknown): void {
    if (e.status !== 'RUNNING') return;
    e.status = status;
    e.stopDate = Date.now();
    if (output !== undefined) e.output = JSON.stringify(output);
    this.write({
      executionArn: e.executionArn,
      status: e.status,
      stopDate: e.stopDate,
      output: e.output,
      error: e.error,
      cause: e.cause,
    });
  }

  /** Runs an execution: a new one (journalled), or `resumed`, one a previous run left RUNNING. */
  private launch(name: string, input: string, resumed?: { executionArn: string; startDate: number }, newArn?: string): Execution {
    if (!this.machine) throw new SfnApiError('ServiceUnavailable', 'The state machine is not built yet', 503);
    const executionArn = resumed?.executionArn ?? newArn ?? `arn:aws:states:${REGION}:${ACCOUNT_ID}:execution:${this.name}:${name}`;
    const startDate = resumed?.startDate;
    let resolveDone!: () => void;
    const execution: Execution = {
      executionArn,
      stateMachineArn: this.stateMachineArn,
      name,
      status: 'RUNNING',
      startDate: startDate ?? Date.now(),
      input,
      history: [],
      done: new Promise<void>((resolve) => (resolveDone = resolve)),
    };
    this.remember(execution);
    this.withHistory.push(execution);
    if (this.withHistory.length > HISTORY_KEPT) {
      const oldest = this.withHistory.shift();
      if (oldest && oldest.status !== 'RUNNING') oldest.history = [];
      else if (oldest) this.withHistory.push(oldest);
    }
    if (!resumed) {
      this.write({ executionArn, name, status: 'RUNNING', startDate: execution.startDate, input });
    }
    let aborted = false;
    // After an abort the interpreter still finishes the state in progress, and its retries no
    // longer wait (their sleep is cut short): no task may run any more, or an execution stopped
    // at shutdown would burn through its retries and take its Catch path.
    const stopped = () => {
      const error = new Error(`Execution ${executionArn} was stopped`) as Error & { isRetryable: boolean; isCatchable: boolean };
      error.name = 'States.Runtime';
      error.isRetryable = false;
      error.isCatchable = false;
      return error;
    };
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, handler] of Object.entries(this.options.taskHandlers)) {
      handlers[stateName] = async (taskInput) => {
        if (aborted) throw stopped();
        const result = await handler(taskInput, { stateName, execution });
        if (aborted) throw stopped();
        return result;
      };
    }
    const run = this.machine.run(JSON.parse(input), {
      overrides: {
        taskResourceLocalHandlers: handlers,
        ...(this.options.retryIntervalOverrides ? { retryIntervalOverrides: this.options.retryIntervalOverrides } : {}),
      },
      noThrowOnAbort: true,
      context: {
        Execution: {
          Id: executionArn,
          Name: name,
          RoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/${this.name}-local`,
          RedriveCount: 0,
        },
        StateMachine: { Id: this.stateMachineArn, Name: this.name },
      },
    });
    execution.abort = () => {
      aborted = true;
      run.abort();
    };
    void this.consumeEvents(execution, run.eventLogs);
    run.result.then(
      (output) => {
        // An abort resolves with null (noThrowOnAbort): StopExecution already closed the execution,
        // and one abandoned at shutdown stays RUNNING so that the next start resumes it.
        if (!aborted) this.finish(execution, 'SUCCEEDED', output);
        resolveDone();
      },
      (error: Error & { cause?: Error }) => {
        const cause = error.cause ?? error;
        if (error.name === 'ExecutionTimeoutError') {
          execution.error = 'States.Timeout';
          this.finish(execution, 'TIMED_OUT');
        } else {
          execution.error = cause.name;
          execution.cause = cause.message;
          this.finish(execution, 'FAILED');
        }
        resolveDone();
      },
    );
    return execution;
  }

  private async consumeEvents(execution: Execution, events: AsyncGenerator<LibraryEvent>): Promise<void> {
    const push = (type: string, timestamp: number, details: Record<string, unknown>) => {
      const id = execution.history.length + 1;
      execution.history.push({ id, previousEventId: id - 1, timestamp, type, ...details });
    };
    const emit = this.options.onEvent ?? (() => undefined);
    const roleArn = `arn:aws:iam::${ACCOUNT_ID}:role/${this.name}-local`;
    try {
      for await (const event of events) {
        const ts = event.timestamp;
        const state = event.state ?? { name: '?', type: 'Task' };
        switch (event.type) {
          case 'ExecutionStarted':
            push('ExecutionStarted', ts, { executionStartedEventDetails: { input: execution.input, inputDetails: { truncated: false }, roleArn } });
            emit({ type: 'ExecutionStarted', execution });
            break;
          case 'StateEntered':
            push(`${state.type}StateEntered`, ts, {
              stateEnteredEventDetails: { name: state.name, input: JSON.stringify(state.input ?? null), inputDetails: { truncated: false } },
            });
            emit({ type: 'StateEntered', execution, stateName: state.name, stateType: state.type });
            break;
          case 'StateExited':
            push(`${state.type}StateExited`, ts, {
              stateExitedEventDetails: { name: state.name, output: JSON.stringify(state.output ?? null), outputDetails: { truncated: false } },
            });
            break;
          case 'StateFailed': {
            const error = String(event.Error);
            const cause = typeof event.Cause === 'string' ? event.Cause : JSON.stringify(event.Cause ?? '');
            push(state.type === 'Task' ? 'TaskFailed' : `${state.type}StateFailed`, ts, {
              taskFailedEventDetails: { resourceType: 'lambda', resource: state.name, error, cause },
            });
            emit({ type: 'StateFailed', execution, stateName: state.name, error, cause });
            break;
          }
          case 'StateRetried':
            emit({ type: 'StateRetried', execution, stateName: state.name, attempt: event.retry?.attempt ?? 0 });
            break;
          case 'StateCaught':
            emit({ type: 'StateCaught', execution, stateName: state.name, next: event.catch?.catcher?.Next ?? '' });
            break;
          case 'ExecutionSucceeded':
            push('ExecutionSucceeded', ts, {
              executionSucceededEventDetails: { output: JSON.stringify(event.output ?? null), outputDetails: { truncated: false } },
            });
            break;
          case 'ExecutionFailed':
            push('ExecutionFailed', ts, { executionFailedEventDetails: { error: String(event.Error), cause: String(event.Cause ?? '') } });
            break;
          case 'ExecutionAborted':
            push('ExecutionAborted', ts, { executionAbortedEventDetails: {} });
            break;
          case 'ExecutionTimeout':
            push('ExecutionTimedOut', ts, { executionTimedOutEventDetails: {} });
            break;
          default:
            break;
        }
      }
    } finally {
      await execution.done;
      if (execution.status === 'SUCCEEDED') emit({ type: 'ExecutionSucceeded', execution });
      else if (execution.status === 'FAILED' || execution.status === 'TIMED_OUT') emit({ type: 'ExecutionFailed', execution });
    }
  }
}
