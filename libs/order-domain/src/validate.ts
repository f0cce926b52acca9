import { Errors } from 'typebox/schema';
import { BUSINESS_RULES, PATTERNS } from './constants';
// Generated from CreateOrderRequestSchema by tools/generate-order-validator.mjs: the compiled check and
// the schema as plain JSON. Using them instead of typebox/value on the schema object keeps typebox's
// type builder and value module (~100 KB minified) out of the Lambda bundles.
import { Check, CREATE_ORDER_REQUEST_JSON_SCHEMA } from './generated/create-order-request.validator';
import { Check as CheckOrderMessage } from './generated/order-message.validator';
import { formatMinorUnits, orderTotalCents } from './money';
import type { CreateOrderRequest, FieldError, OrderMessage } from './schemas';

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

const PATTERN_HINTS: Record<string, string> = {
  [PATTERNS.CUSTOMER_ID]: 'must start with a letter or digit and use only letters, digits and _ . : -',
  [PATTERNS.CURRENCY]: 'must be a three-letter upper-case ISO 4217 code such as "USD"',
};

interface RawError {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  message: string;
}

function schemaAt(schemaPath: string): Record<string, unknown> | undefined {
  let node: unknown = CREATE_ORDER_REQUEST_JSON_SCHEMA;
  for (const part of schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node !== null && typeof node === 'object' ? (node as Record<string, unknown>) : undefined;
}

function toFieldErrors(error: RawError): FieldError[] {
  const path = error.instancePath;
  const params = error.params;
  switch (error.keyword) {
    case 'required':
      return ((params['requiredProperties'] as string[] | undefined) ?? []).map((name) => ({
        path: `${path}/${name}`,
        message: 'is required',
      }));
    case 'additionalProperties':
      return ((params['additionalProperties'] as string[] | undefined) ?? []).map((name) => ({
        path: `${path}/${name}`,
        message: 'is not an allowed field',
      }));
    case 'boolean':
      // "schema is false": the same fact as the additionalProperties error reported beside it.
      return [];
    case 'type':
      return [{ path, message: `must be ${params['type'] === 'integer' ? 'an integer' : `of type ${String(params['type'])}`}` }];
    case 'minimum':
      return [{ path, message: `must be at least ${String(params['limit'])}` }];
    case 'maximum':
      return [{ path, message: `must be at most ${String(params['limit'])}` }];
    case 'minLength':
      return [{ path, message: `must be at least ${String(params['limit'])} characters long` }];
    case 'maxLength':
      return [{ path, message: `must be at most ${String(params['limit'])} characters long` }];
    case 'minItems':
      return [{ path, message: `must have at least ${String(params['limit'])} item(s)` }];
    case 'maxItems':
      return [{ path, message: `must have at most ${String(params['limit'])} items` }];
    case 'pattern': {
      const pattern = String(schemaAt(error.schemaPath)?.['pattern'] ?? params['pattern'] ?? '');
      return [{ path, message: PATTERN_HINTS[pattern] ?? 'must use only letters, digits and _ . : -, starting with a letter or digit' }];
    }
    default:
      return [{ path, message: error.message }];
  }
}

/** One error per field: the first one found is the one to fix first (e.g. "too short" before "bad format"). */
function onePerPath(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    if (seen.has(e.path)) return false;
    seen.add(e.path);
    return true;
  });
}

function duplicateSkuErrors(request: CreateOrderRequest): FieldError[] {
  const firstIndex = new Map<string, number>();
  const errors: FieldError[] = [];
  request.items.forEach((item, index) => {
    const first = firstIndex.get(item.sku);
    if (first === undefined) firstIndex.set(item.sku, index);
    else errors.push({ path: `/items/${index}/sku`, message: `repeats the sku of /items/${first}; put the whole quantity on one line` });
  });
  return errors;
}

/** A copy holding only the schema's fields, in a stable order. */
function normalise(request: CreateOrderRequest): CreateOrderRequest {
  return {
    customer_id: request.customer_id,
    items: request.items.map((i) => ({ sku: i.sku, quantity: i.quantity, unit_price_cents: i.unit_price_cents })),
    currency: request.currency,
  };
}

/**
 * Validates a create-order request body (already JSON-parsed). Never throws: any input gives either
 * the typed, normalised value or every problem found as `{ path, message }` (JSON Pointer paths).
 */
export function validateCreateOrder(input: unknown): ValidationResult<CreateOrderRequest> {
  try {
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      return { ok: false, errors: [{ path: '', message: 'request body must be a JSON object' }] };
    }
    if (!(Check(input) as boolean)) {
      const raw = Errors(CREATE_ORDER_REQUEST_JSON_SCHEMA, input)[1] as unknown as RawError[];
      const errors = onePerPath(raw.flatMap(toFieldErrors));
      return { ok: false, errors: errors.length > 0 ? errors : [{ path: '', message: 'request body does not match the schema' }] };
    }
    const request = input as CreateOrderRequest;
    const duplicates = duplicateSkuErrors(request);
    if (duplicates.length > 0) return { ok: false, errors: duplicates };
    return { ok: true, value: normalise(request) };
  } catch {
    return { ok: false, errors: [{ path: '', message: 'request body could not be validated' }] };
  }
}

/**
 * Business rules that ValidateOrder applies to a schema-valid order. A breach does not make the
 * request malformed: the order is accepted and then stored as REJECTED with these reasons.
 */
export function evaluateBusinessRules(request: CreateOrderRequest): FieldError[] {
  const reasons: FieldError[] = [];
  if (!BUSINESS_RULES.SUPPORTED_CURRENCIES.includes(request.currency)) {
    reasons.push({
      path: '/currency',
      message: `currency ${request.currency} is not supported; use one of ${BUSINESS_RULES.SUPPORTED_CURRENCIES.join(', ')}`,
    });
  }
  const total = orderTotalCents(request.items);
  if (total > BUSINESS_RULES.MAX_ORDER_TOTAL_CENTS) {
    reasons.push({
      path: '/items',
      message: `order total ${formatMinorUnits(total)} exceeds the limit of ${formatMinorUnits(BUSINESS_RULES.MAX_ORDER_TOTAL_CENTS)}`,
    });
  }
  return reasons;
}

/**
 * True when `value` is an order_queue message body (OrderMessageSchema; extra fields allowed). Same
 * answer as `Value.Check(OrderMessageSchema, value)`, from code generated at build time, so a
 * queue consumer's bundle needs none of typebox's runtime.
 */
export function isOrderMessage(value: unknown): value is OrderMessage {
  return CheckOrderMessage(value) as boolean;
}
