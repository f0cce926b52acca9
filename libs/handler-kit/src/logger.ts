import { LOG_LEVELS, type LogLevel } from './constants';

export type LogFields = Record<string, unknown>;
/** Where a finished log line goes. Lambda ships stdout to CloudWatch as is, one line per write. */
export type LogSink = (line: string) => void;

export interface LoggerOptions {
  /** The function name, written as `service` on every line. */
  service: string;
  /** Lines below this level are dropped. Default `info`. */
  level?: LogLevel;
  sink?: LogSink;
  now?: () => Date;
}

const SEVERITY: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * Writes straight to stdout rather than through `console`: on Lambda, `console.*` prefixes every
 * line with a timestamp, request id and level, which breaks the one-JSON-object-per-line format.
 */
const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/** A plain, JSON-safe description of anything thrown. */
export function serializeError(error: unknown): LogFields {
  if (!(error instanceof Error)) return { name: typeof error, message: String(error) };
  const fields: LogFields = { name: error.name, message: error.message };
  const extra = error as Error & { code?: unknown; statusCode?: unknown; $metadata?: unknown };
  if (typeof extra.code === 'string') fields['code'] = extra.code;
  if (typeof extra.statusCode === 'number') fields['status_code'] = extra.statusCode;
  if (error.stack) fields['stack'] = error.stack;
  if (error.cause !== undefined && error.cause !== error) {
    fields['cause'] = error.cause instanceof Error ? serializeError(error.cause) : safeValue(error.cause);
  }
  return fields;
}

function safeValue(value: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(value) ?? 'null');
  } catch {
    return String(value);
  }
}

/**
 * A structured JSON logger: one object per line with `level`, `timestamp`, `service`, the
 * invocation keys (`request_id`, `cold_start`, `correlation_id`, `order_id`, ... set by
 * `injectLambdaContext` and `appendKeys`) and the line's own fields.
 */
export class Logger {
  readonly service: string;
  private readonly threshold: number;
  private readonly sink: LogSink;
  private readonly now: () => Date;
  private keys: LogFields = {};

  constructor(options: LoggerOptions) {
    this.service = options.service;
    this.threshold = SEVERITY[options.level ?? 'info'];
    this.sink = options.sink ?? stdoutSink;
    this.now = options.now ?? (() => new Date());
  }

  /** Adds keys written on every following line until `resetKeys` (end of invocation). */
  appendKeys(keys: LogFields): void {
    for (const [key, value] of Object.entries(keys)) {
      if (value === undefined) delete this.keys[key];
      else this.keys[key] = value;
    }
  }

  resetKeys(): void {
    this.keys = {};
  }

  /** A logger sharing this one's sink and invocation keys, adding its own (e.g. one SQS record's `order_id`). */
  child(keys: LogFields): ChildLogger {
    return new ChildLogger(this, keys);
  }

  debug(message: string, fields?: LogFields): void {
    this.write('debug', message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.write('info', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.write('warn', message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.write('error', message, fields);
  }

  /** Writes a finished line (e.g. an Embedded Metric Format object) to the sink as is, whatever the level. */
  writeLine(line: string): void {
    this.sink(line);
  }

  /** @internal used by ChildLogger */
  write(level: LogLevel, message: string, fields?: LogFields, extraKeys?: LogFields): void {
    if (SEVERITY[level] < this.threshold) return;
    const line: LogFields = {
      level: level.toUpperCase(),
      timestamp: this.now().toISOString(),
      service: this.service,
      message,
      ...this.keys,
      ...extraKeys,
    };
    if (fields) {
      for (const [key, value] of Object.entries(fields)) {
        if (value === undefined) continue;
        line[key] = value instanceof Error ? serializeError(value) : value;
      }
    }
    let text: string;
    try {
      text = JSON.stringify(line);
    } catch {
      text = JSON.stringify({ level: line['level'], timestamp: line['timestamp'], service: this.service, message, unserializable_fields: true });
    }
    this.sink(text);
  }
}

export class ChildLogger {
  constructor(
    private readonly parent: Logger,
    private readonly keys: LogFields,
  ) {}

  debug(message: string, fields?: LogFields): void {
    this.parent.write('debug', message, fields, this.keys);
  }

  info(message: string, fields?: LogFields): void {
    this.parent.write('info', message, fields, this.keys);
  }

  warn(message: string, fields?: LogFields): void {
    this.parent.write('warn', message, fields, this.keys);
  }

  error(message: string, fields?: LogFields): void {
    this.parent.write('error', message, fields, this.keys);
  }
}

export type LoggerLike = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
