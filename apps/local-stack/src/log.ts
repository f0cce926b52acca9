// One readable line per event for a person watching `npm start`.
import type { ApiRequestLog } from './apigw/gateway';
import type { BatchOutcome } from './esm/sqs-event-source';
import type { InvocationReport, LambdaLogLine } from './lambda/runtime';
import type { WorkflowEvent } from './sfn/service';

export interface Output {
  write(text: string): void;
}

export interface LoggerOptions {
  out?: Output;
  /** Per-event lines off (the banner, warnings and errors stay). */
  quiet?: boolean;
  /** Also show every line the handlers log, and a REPORT line per invocation. */
  verbose?: boolean;
  color?: boolean;
}

const CODES = { dim: 2, red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, bold: 1 } as const;
type Color = keyof typeof CODES;

function orderIdOf(record: { body: string; messageAttributes?: Record<string, { stringValue?: string }> }): string {
  const fromAttribute = record.messageAttributes?.['order_id']?.stringValue;
  if (fromAttribute) return fromAttribute;
  try {
    const body = JSON.parse(record.body) as { order_id?: unknown };
    if (typeof body.order_id === 'string') return body.order_id;
  } catch {
    /* not JSON */
  }
  return '(unparseable message)';
}

export class StackLogger {
  private readonly out: Output;
  private readonly color: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;

  constructor(options: LoggerOptions = {}) {
    this.out = options.out ?? process.stdout;
    this.quiet = options.quiet ?? false;
    this.verbose = options.verbose ?? false;
    this.color = options.color ?? (process.stdout.isTTY === true && !process.env['NO_COLOR']);
  }

  paint(text: string, color: Color): string {
    return this.color ? `\u001b[${CODES[color]}m${text}\u001b[0m` : text;
  }

  private time(): string {
    return this.paint(new Date().toISOString().slice(11, 23), 'dim');
  }

  /** Writes raw text (the banner). */
  raw(text: string): void {
    this.out.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  event(tag: string, color: Color, message: string): void {
    if (this.quiet) return;
    this.out.write(`${this.time()} ${this.paint(tag.padEnd(8), color)} ${message}\n`);
  }

  info(message: string): void {
    this.event('stack', 'blue', message);
  }

  warn(message: string): void {
    this.out.write(`${this.time()} ${this.paint('warning'.padEnd(8), 'yellow')} ${message}\n`);
  }

  error(message: string): void {
    this.out.write(`${this.time()} ${this.paint('error'.padEnd(8), 'red')} ${message}\n`);
  }

  api(log: ApiRequestLog): void {
    const ms = `${Math.round(log.durationMs)} ms`;
    if (log.integrationError) {
      this.error(`${log.method} ${log.path} -> ${log.statusCode}: api-handler failed (${log.integrationError})`);
      return;
    }
    if (log.acceptedOrderId) {
      this.event('api', 'cyan', `${log.acceptedOrderId} accepted (${log.method} ${log.path} -> ${log.statusCode}, ${ms})`);
      return;
    }
    const by = log.gatewayResponse ? ` (answered by the gateway: ${log.gatewayResponse}${log.authorizerError ? `, ${log.authorizerError}` : ''})` : '';
    this.event('api', 'cyan', `${log.method} ${log.path} -> ${log.statusCode}${by} (${ms})`);
  }

  workflow(event: WorkflowEvent): void {
    const name = event.execution.name;
    switch (event.type) {
      case 'StateEntered':
        this.event('workflow', 'magenta', `${name} entered ${event.stateName}`);
        break;
      case 'StateFailed':
        this.event('workflow', 'yellow', `${name} ${event.stateName} failed: ${event.error}`);
        break;
      case 'StateRetried':
        this.event('workflow', 'yellow', `${name} retrying ${event.stateName} (retry ${event.attempt})`);
        break;
      case 'ExecutionSucceeded': {
        const ms = (event.execution.stopDate ?? Date.now()) - event.execution.startDate;
        const last = [...event.execution.history].reverse().find((e) => e.type.endsWith('StateEntered'));
        const finalState = (last?.['stateEnteredEventDetails'] as { name?: string } | undefined)?.name;
        this.event('workflow', 'magenta', `${name} workflow succeeded${finalState ? ` in ${finalState}` : ''} (${ms} ms)`);
        break;
      }
      case 'ExecutionFailed':
        this.error(`${name} workflow ${event.execution.status}: ${event.execution.error ?? ''} ${event.execution.cause ?? ''}`.trim());
        break;
      case 'ExecutionResumed':
        this.event('workflow', 'yellow', `${name} resumed (it was running when the stack last stopped)`);
        break;
      default:
        break;
    }
  }

  /** Lines for a fulfill-order / dlq-handler batch. */
  batch(outcome: BatchOutcome, context: { maxReceiveCount: number; visibilityTimeoutSeconds: number; deadLetterQueue: string }): void {
    const { verdict } = outcome;
    const retained = new Set(outcome.retained);
    if (verdict.kind === 'batch-failure') {
      this.error(
        `${outcome.functionName} failed a batch of ${outcome.records.length} (${verdict.reason}); ` +
          `all ${outcome.records.length} messages return to the queue after ${context.visibilityTimeoutSeconds} s`,
      );
    }
    for (const record of outcome.records) {
      const orderId = orderIdOf(record);
      const receive = Number(record.attributes.ApproximateReceiveCount);
      const failed = retained.has(record.messageId);
      if (outcome.functionName === 'dlq-handler') {
        if (!failed) this.event('dlq', 'red', `${orderId} dead-lettered -> FAILED, recorded in failed_orders`);
        else if (verdict.kind !== 'batch-failure') this.warn(`dlq-handler could not record ${orderId}; it stays on ${context.deadLetterQueue} for a retry`);
        continue;
      }
      if (!failed) {
        this.event('fulfil', 'green', `${orderId} fulfilled (attempt ${receive})`);
      } else if (verdict.kind !== 'batch-failure') {
        const next =
          receive >= context.maxReceiveCount
            ? `no attempts left: SQS moves it to ${context.deadLetterQueue}`
            : `retrying in ${context.visibilityTimeoutSeconds} s`;
        this.event('fulfil', 'yellow', `${orderId} attempt ${receive}/${context.maxReceiveCount} failed, ${next}`);
      }
    }
  }

  lambdaLog(line: LambdaLogLine): void {
    if (this.verbose) {
      this.out.write(`${this.time()} ${this.paint(line.functionName.padEnd(8), 'dim')} ${line.line}\n`);
      return;
    }
    // Without --verbose only what a handler reports as an error is shown (the per-event lines
    // already say what happened to each order).
    if (line.stream === 'stderr' || /"level"\s*:\s*"(error|fatal|critical)"/i.test(line.line)) {
      this.out.write(`${this.time()} ${this.paint(line.functionName.padEnd(8), 'yellow')} ${line.line}\n`);
    }
  }

  report(report: InvocationReport): void {
    if (!this.verbose) return;
    const init = report.initDurationMs !== undefined ? ` Init Duration: ${report.initDurationMs.toFixed(2)} ms` : '';
    const status = report.error ? ` Status: error (${report.error.errorType})` : '';
    this.out.write(
      `${this.time()} ${this.paint(report.functionName.padEnd(8), 'dim')} REPORT RequestId: ${report.requestId} Duration: ${report.durationMs.toFixed(2)} ms${init}${status}\n`,
    );
  }
}
