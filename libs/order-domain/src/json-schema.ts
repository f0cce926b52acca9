import { CreateOrderRequestSchema } from './schemas';

/** A plain JSON value copy: drops typebox's symbol-keyed metadata. */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The create-order request as plain JSON Schema (for OpenAPI documents and other generators). */
export function createOrderJsonSchema(): Record<string, unknown> {
  return plain(CreateOrderRequestSchema) as unknown as Record<string, unknown>;
}

/**
 * The create-order request as an API Gateway REST model: JSON Schema draft 4, which is what
 * API Gateway models accept. Only keywords valid in draft 4 are used by the schema.
 */
export function createOrderApiGatewayModel(): Record<string, unknown> {
  return { $schema: 'http://json-schema.org/draft-04/schema#', ...createOrderJsonSchema() };
}
