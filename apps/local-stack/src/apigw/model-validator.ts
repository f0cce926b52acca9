// Request body validation as API Gateway does it for a method with a request model (JSON Schema
// draft 4). Only the keywords our generated model uses are supported; anything else is refused
// when the model is loaded, so a model change can never be silently ignored locally.
// Messages follow the wording of API Gateway's validator ("object has missing required properties …").

type Schema = Record<string, unknown>;

const SUPPORTED = new Set([
  '$schema',
  'title',
  'description',
  'type',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'enum',
  'format',
  'default',
  'examples',
]);

export function assertSupportedSchema(schema: unknown, where = '#'): void {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) throw new Error(`${where}: a schema must be an object`);
  for (const [key, value] of Object.entries(schema)) {
    if (!SUPPORTED.has(key)) throw new Error(`${where}: JSON Schema keyword "${key}" is not supported by the local request validator`);
    if (key === 'properties') {
      for (const [name, sub] of Object.entries(value as Schema)) assertSupportedSchema(sub, `${where}/properties/${name}`);
    }
    if (key === 'items' || (key === 'additionalProperties' && typeof value === 'object')) assertSupportedSchema(value, `${where}/${key}`);
  }
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

/** Validates `value`; returns API Gateway-style messages (empty when valid). */
export function validateAgainstModel(schema: Schema, value: unknown, pointer = ''): string[] {
  const errors: string[] = [];
  const at = pointer === '' ? '' : ` (at ${pointer})`;
  if (schema['type'] !== undefined) {
    const types = Array.isArray(schema['type']) ? (schema['type'] as string[]) : [schema['type'] as string];
    if (!types.some((t) => matchesType(value, t))) {
      errors.push(`instance type (${typeOf(value)}) does not match any allowed primitive type (allowed: ${JSON.stringify(types)})${at}`);
      return errors;
    }
  }
  if (schema['enum'] !== undefined && !(schema['enum'] as unknown[]).some((v) => JSON.stringify(v) === JSON.stringify(value))) {
    errors.push(`instance value (${JSON.stringify(value)}) not found in enum (possible values: ${JSON.stringify(schema['enum'])})${at}`);
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof schema['minLength'] === 'number' && length < schema['minLength']) {
      errors.push(`string ${JSON.stringify(value)} is too short (length: ${length}, required minimum: ${schema['minLength']})${at}`);
    }
    if (typeof schema['maxLength'] === 'number' && length > schema['maxLength']) {
      errors.push(`string ${JSON.stringify(value)} is too long (length: ${length}, maximum allowed: ${schema['maxLength']})${at}`);
    }
    if (typeof schema['pattern'] === 'string' && !new RegExp(schema['pattern'], 'u').test(value)) {
      errors.push(`ECMA 262 regex ${JSON.stringify(schema['pattern'])} does not match input string ${JSON.stringify(value)}${at}`);
    }
  }
  if (typeof value === 'number') {
    const min = schema['minimum'];
    const max = schema['maximum'];
    if (typeof min === 'number' && (schema['exclusiveMinimum'] === true ? value <= min : value < min)) {
      errors.push(`numeric instance is lower than the required minimum (minimum: ${min}, found: ${value})${at}`);
    }
    if (typeof max === 'number' && (schema['exclusiveMaximum'] === true ? value >= max : value > max)) {
      errors.push(`numeric instance is greater than the required maximum (maximum: ${max}, found: ${value})${at}`);
    }
  }
  if (Array.isArray(value)) {
    if (typeof schema['minItems'] === 'number' && value.length < schema['minItems']) {
      errors.push(`array is too short: must have at least ${schema['minItems']} elements but instance has ${value.length} elements${at}`);
    }
    if (typeof schema['maxItems'] === 'number' && value.length > schema['maxItems']) {
      errors.push(`array is too long: must have at most ${schema['maxItems']} elements but instance has ${value.length} elements${at}`);
    }
    if (schema['items'] && typeof schema['items'] === 'object') {
      value.forEach((item, index) => errors.push(...validateAgainstModel(schema['items'] as Schema, item, `${pointer}/${index}`)));
    }
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    const required = (schema['required'] as string[] | undefined) ?? [];
    const missing = required.filter((name) => !(name in object));
    if (missing.length > 0) errors.push(`object has missing required properties (${JSON.stringify(missing)})${at}`);
    const properties = (schema['properties'] as Record<string, Schema> | undefined) ?? {};
    if (schema['additionalProperties'] === false) {
      const extra = Object.keys(object).filter((name) => !(name in properties));
      if (extra.length > 0) errors.push(`object instance has properties which are not allowed by the schema: ${JSON.stringify(extra)}${at}`);
    }
    for (const [name, sub] of Object.entries(properties)) {
      if (name in object) errors.push(...validateAgainstModel(sub, object[name], `${pointer}/${name}`));
    }
    if (schema['additionalProperties'] && typeof schema['additionalProperties'] === 'object') {
      for (const name of Object.keys(object).filter((n) => !(n in properties))) {
        errors.push(...validateAgainstModel(schema['additionalProperties'] as Schema, object[name], `${pointer}/${name}`));
      }
    }
  }
  return errors;
}
