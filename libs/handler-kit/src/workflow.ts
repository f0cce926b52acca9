/**
 * The order workflow's data contracts (docs/design.md "Workflow execution input"), shared by the
 * producer (api-handler) and the task Lambdas (validate-order, store-order), which cannot import
 * each other.
 */
import { PATTERNS, type CreateOrderRequest, type FieldError } from '@dofs/order-domain';

/** The error name ValidateOrder throws; the workflow routes it to StoreRejectedOrder. */
export const ORDER_REJECTED_ERROR = 'OrderRejected';
/** The error name store-order throws for retryable DynamoDB failures; the workflow retries it. */
export const TRANSIENT_STORE_ERROR = 'TransientStoreError';

/** What api-handler passes to StartExecution. */
export interface OrderExecutionInput {
  order_id: string;
  correlation_id: string;
  request_hash: string;
  /** Always present (null without the header): JSONPath parameters fail on missing paths. */
  idempotency_key: string | null;
  received_at: string;
  order: CreateOrderRequest;
}

/** What ValidateOrder returns (at `$.validated`). */
export interface ValidatedOrder {
  order: CreateOrderRequest;
  total_cents: number;
}

/** `{ Error, Cause }` that a Catch puts at its ResultPath. */
export interface CaughtError {
  Error?: string;
  Cause?: string;
}

/** The execution state as it reaches StoreOrder / StoreRejectedOrder / MarkOrderFailed. */
export interface OrderExecutionState extends OrderExecutionInput {
  validated?: ValidatedOrder;
  rejection?: CaughtError;
  error?: CaughtError;
}

/** An execution input that no DOFS producer would send (the workflow started by hand, or a bug). */
export class InvalidExecutionInput extends Error {
  override readonly name = 'InvalidExecutionInput';
}

const ORDER_ID = new RegExp(PATTERNS.ORDER_ID);

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Checks the envelope of an execution input (ids, hash, timestamps). The `order` itself is
 * checked by ValidateOrder with the request schema; a bad order is a rejection, not a bad input.
 */
export function readExecutionState(value: unknown): OrderExecutionState {
  if (!isObject(value)) throw new InvalidExecutionInput('execution input must be an object');
  const problems: string[] = [];
  if (typeof value['order_id'] !== 'string' || !ORDER_ID.test(value['order_id'])) problems.push('order_id must be an order id');
  if (typeof value['request_hash'] !== 'string' || value['request_hash'] === '') problems.push('request_hash must be a non-empty string');
  if (typeof value['correlation_id'] !== 'string') problems.push('correlation_id must be a string');
  if (typeof value['received_at'] !== 'string') problems.push('received_at must be a string');
  if (value['idempotency_key'] !== null && value['idempotency_key'] !== undefined && typeof value['idempotency_key'] !== 'string') {
    problems.push('idempotency_key must be a string or null');
  }
  if (problems.length > 0) throw new InvalidExecutionInput(`invalid execution input: ${problems.join('; ')}`);
  return value as unknown as OrderExecutionState;
}

function isFieldError(value: unknown): value is FieldError {
  return isObject(value) && typeof value['path'] === 'string' && typeof value['message'] === 'string';
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function reasonsOf(value: unknown): FieldError[] | undefined {
  if (!isObject(value) || !Array.isArray(value['reasons'])) return undefined;
  const reasons = value['reasons'].filter(isFieldError).map((r) => ({ path: r.path, message: r.message }));
  return reasons.length > 0 ? reasons : undefined;
}

/** The reason stored when a rejection's cause cannot be read. */
export const UNREADABLE_REJECTION: FieldError = { path: '', message: 'the order was rejected by validation' };

/**
 * The rejection reasons from a caught OrderRejected error. `Cause` is the Lambda error JSON
 * `{"errorType":"OrderRejected","errorMessage":"{\"reasons\":[...]}",...}`; a Cause that is the
 * message itself (`{"reasons":[...]}`) is accepted too. Never throws.
 */
export function rejectionReasons(rejection: CaughtError | undefined): FieldError[] {
  const cause = parseJson(rejection?.Cause);
  const direct = reasonsOf(cause);
  if (direct) return direct;
  if (isObject(cause)) {
    const fromMessage = reasonsOf(parseJson(cause['errorMessage']));
    if (fromMessage) return fromMessage;
  }
  return [UNREADABLE_REJECTION];
}

/** A short, human-readable description of a caught error, for `failure_reason`. */
export function describeCaughtError(caught: CaughtError | undefined): string {
  if (!caught) return 'unknown error';
  const cause = parseJson(caught.Cause);
  const message = isObject(cause) && typeof cause['errorMessage'] === 'string' ? cause['errorMessage'] : caught.Cause;
  const text = [caught.Error, message].filter((part) => typeof part === 'string' && part !== '').join(': ');
  return (text || 'unknown error').slice(0, 1000);
}
