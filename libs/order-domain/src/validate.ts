import { BUSINESS_RULES, PATTERNS } from './constants';
// Generated from CreateOrderRequestSchema by tools/generate-order-validator.mjs: the compiled check and
// the schema as plain JSON. Using them instead of typebox/value (or typebox/schema's error reporter) on
// the schema object keeps typebox's runtime out of the Lambda bundles.
import { Check, CREATE_ORDER_REQUEST_JSON_SCHEMA } from './generated/create-order-request.validator';
import { Check as CheckOrderMessage } from './generated/order-message.validator';
import { formatMinorUnits, orderTotalCents } from './money';
import type { CreateOrderRequest, FieldError, OrderMessage } from './schemas';

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

const PATTERN_HINTS: Record<string, string> = {
  [PATTERNS.CUSTOMER_ID]: 'must start with a letter or digit and use only letters, digits and _ . : -',
  [PATTERNS.CURRENCY]: 'must be a three-letter upper-case ISO 4217 code such as "USD"',
};

/** One schema violation, as typebox/schema `Errors()` reports it (keyword, where, and its parameters). */
interface RawError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
}

type JsonSchema = boolean | Record<string, unknown>;

/** typebox/schema's default `maxErrors`: it stops listing after this many. */
const MAX_RAW_ERRORS = 8;

const encodePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** String length in code points (a surrogate pair is one), as JSON Schema's minLength/maxLength count. */
function codePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit < 0xd800 || unit > 0xdbff || i + 1 >= text.length) count += 1;
    else {
      const next = text.charCodeAt(i + 1);
      count += 1;
      if (next >= 0xdc00 && next <= 0xdfff) i += 1;
    }
  }
  return count;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function hasType(type: unknown, value: unknown): boolean {
  switch (type) {
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    default:
      return false;
  }
}

const patterns = new Map<string, RegExp>();
function regExpOf(pattern: string): RegExp {
  let regExp = patterns.get(pattern);
  if (regExp === undefined) {
    regExp = new RegExp(pattern, 'u');
    patterns.set(pattern, regExp);
  }
  return regExp;
}

/**
 * Lists what is wrong with `value` against the plain JSON Schema, in the order and with the cap of
 * typebox/schema `Errors()` (which the API's 400 details were first built on, and which an
 * equivalence test compares it with). It knows only the keywords CreateOrderRequestSchema uses;
 * tools/generate-order-validator.mjs refuses to generate a schema with any other, so a new keyword
 * cannot be silently ignored. ~2 KB minified instead of ~55 KB for typebox's reporter.
 */
function listErrors(schema: JsonSchema, value: unknown, path: string, out: RawError[]): void {
  if (out.length >= MAX_RAW_ERRORS) return;
  const add = (keyword: string, params: Record<string, unknown> = {}) => {
    if (out.length < MAX_RAW_ERRORS) out.push({ keyword, instancePath: path, params });
  };
  if (typeof schema === 'boolean') {
    if (!schema) add('boolean');
    return;
  }
  if (schema['type'] !== undefined && !hasType(schema['type'], value)) add('type', { type: schema['type'] });
  if (isPlainObject(value)) {
    const required = (schema['required'] as string[] | undefined) ?? [];
    const properties = (schema['properties'] as Record<string, JsonSchema> | undefined) ?? {};
    const missing = required.filter((key) => !(key in value));
    if (missing.length > 0) add('required', { requiredProperties: missing });
    if (schema['additionalProperties'] === false) {
      const extra = Object.getOwnPropertyNames(value).filter((key) => !Object.hasOwn(properties, key));
      for (const key of extra) listErrors(false, value[key], `${path}/${encodePointer(key)}`, out);
      if (extra.length > 0) add('additionalProperties', { additionalProperties: extra });
    }
    for (const [key, propertySchema] of Object.entries(properties)) {
      if (!(key in value) || (!required.includes(key) && value[key] === undefined)) continue;
      listErrors(propertySchema, value[key], `${path}/${encodePointer(key)}`, out);
    }
  }
  if (Array.isArray(value)) {
    const items = schema['items'] as JsonSchema | undefined;
    if (items !== undefined) value.forEach((element, index) => listErrors(items, element, `${path}/${index}`, out));
    if (typeof schema['minItems'] === 'number' && value.length < schema['minItems']) add('minItems', { limit: schema['minItems'] });
    if (typeof schema['maxItems'] === 'number' && value.length > schema['maxItems']) add('maxItems', { limit: schema['maxItems'] });
  }
  if (typeof value === 'string') {
    if (typeof schema['minLength'] === 'number' && codePoints(value) < schema['minLength']) add('minLength', { limit: schema['minLength'] });
    if (typeof schema['maxLength'] === 'number' && codePoints(value) > schema['maxLength']) add('maxLength', { limit: schema['maxLength'] });
    if (typeof schema['pattern'] === 'string' && !regExpOf(schema['pattern']).test(value)) add('pattern', { pattern: schema['pattern'] });
  }
  if (Number.isFinite(value) || typeof value === 'bigint') {
    const n = value as number;
    if (typeof schema['minimum'] === 'number' && !(n >= schema['minimum'])) add('minimum', { limit: schema['minimum'] });
    if (typeof schema['maximum'] === 'number' && !(n <= schema['maximum'])) add('maximum', { limit: schema['maximum'] });
  }
}

function toFieldErrors(error: RawError): FieldError[] {
  const path = error.instancePath;
  const params = error.params;
  switch (error.keyword) {
    case 'required':
      return (params['requiredProperties'] as string[]).map((name) => ({ path: `${path}/${name}`, message: 'is required' }));
    case 'additionalProperties':
      return (params['additionalProperties'] as string[]).map((name) => ({ path: `${path}/${name}`, message: 'is not an allowed field' }));
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
    default: // 'pattern'
      return [{ path, message: PATTERN_HINTS[String(params['pattern'])] ?? 'must use only letters, digits and _ . : -, starting with a letter or digit' }];
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
      const raw: RawError[] = [];
      listErrors(CREATE_ORDER_REQUEST_JSON_SCHEMA as JsonSchema, input, '', raw);
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
