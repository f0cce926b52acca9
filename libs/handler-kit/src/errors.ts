import type { FieldError } from '@dofs/order-domain';
import { DEFAULT_CODE_BY_STATUS, ERROR_CODES, type ErrorCode } from './constants';

export interface HttpErrorOptions {
  details?: FieldError[];
  /** Extra response headers, e.g. `Allow` on a 405. */
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * An error that knows its HTTP answer: status, a stable machine `code`, a message safe to show the
 * client and field-level `details`. Like middy's `createError`, anything internal goes in `cause`
 * (logged, never sent).
 */
export class HttpError extends Error {
  override readonly name: string = 'HttpError';
  readonly statusCode: number;
  readonly code: string;
  readonly details: FieldError[];
  readonly headers: Record<string, string>;
  /** Whether `message` may be shown to the client; false for our own faults (5xx). */
  readonly expose: boolean;

  constructor(statusCode: number, code: string, message: string, options: HttpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.statusCode = statusCode;
    this.code = code;
    this.details = options.details ?? [];
    this.headers = options.headers ?? {};
    this.expose = statusCode < 500;
  }
}

export function createHttpError(statusCode: number, code: ErrorCode | string, message: string, options?: HttpErrorOptions): HttpError {
  return new HttpError(statusCode, code, message, options);
}

/** The shape of middy's own HttpError (`@middy/util` createError): a status and a `cause.package`. */
interface MiddyLikeError {
  statusCode?: unknown;
  status?: unknown;
  message?: unknown;
  expose?: unknown;
  cause?: { package?: unknown; data?: unknown } | unknown;
}

const JSON_BODY_PARSER = '@middy/http-json-body-parser';

function middyPackageOf(error: MiddyLikeError): string | undefined {
  const cause = error.cause;
  if (cause !== null && typeof cause === 'object' && typeof (cause as { package?: unknown }).package === 'string') {
    return (cause as { package: string }).package;
  }
  return undefined;
}

/**
 * Maps anything thrown to the HttpError that answers it:
 * - our HttpError as is;
 * - middy's errors by status and package: the JSON body parser's 415 and its 422s (not JSON, or a
 *   forbidden `__proto__`/`constructor` key) become our 415 `UNSUPPORTED_MEDIA_TYPE` and 400 `INVALID_JSON`;
 * - any other error with a 4xx status keeps the status with a generic code;
 * - everything else is our fault: 500 `INTERNAL_ERROR`, with the original as `cause` for the log.
 */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error !== null && typeof error === 'object') {
    const e = error as MiddyLikeError;
    const status = typeof e.statusCode === 'number' ? e.statusCode : typeof e.status === 'number' ? e.status : undefined;
    const pkg = middyPackageOf(e);
    if (pkg === JSON_BODY_PARSER && status === 415) {
      return new HttpError(415, ERROR_CODES.UNSUPPORTED_MEDIA_TYPE, 'Content-Type must be application/json', { cause: error });
    }
    if (pkg === JSON_BODY_PARSER && status === 422) {
      const forbidden = typeof e.message === 'string' && e.message.startsWith('Forbidden key');
      return new HttpError(
        400,
        ERROR_CODES.INVALID_JSON,
        forbidden ? 'request body contains a forbidden key (__proto__ or constructor)' : 'request body is not valid JSON',
        { cause: error },
      );
    }
    if (status !== undefined && Number.isInteger(status) && status >= 400 && status < 500) {
      const code = DEFAULT_CODE_BY_STATUS[status] ?? ERROR_CODES.BAD_REQUEST;
      const message = e.expose !== false && typeof e.message === 'string' ? e.message : 'request could not be processed';
      return new HttpError(status, code, message, { cause: error });
    }
  }
  return new HttpError(500, ERROR_CODES.INTERNAL_ERROR, 'internal error', { cause: error });
}

/** The error response body: `{ error: { code, message, details } }` (docs/design.md "HTTP errors"). */
export function errorBody(error: HttpError): { error: { code: string; message: string; details: FieldError[] } } {
  return {
    error: {
      code: error.code,
      message: error.expose ? error.message : error.statusCode === 503 ? 'service unavailable, retry later' : 'internal error',
      details: error.expose ? error.details : [],
    },
  };
}
