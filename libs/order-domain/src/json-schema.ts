import { CreateOrderRequestSchema } from './schemas';

/** A plain JSON value copy: drops typebox's symbol-keyed metadata. */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The create-order request as plain JSON Schema (for OpenAPI documents and other generators). */
export function createOrderJsonSchema(): Record<string, unknown> {
  return plain(CreateOrderRequestSchema) as unknown as Record<string, unknown>;
}

