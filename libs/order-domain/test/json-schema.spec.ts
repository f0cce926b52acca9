import { LIMITS, createOrderJsonSchema } from '../src';

describe('exported JSON Schema', () => {
  const schema = createOrderJsonSchema() as {
    type: string;
    required: string[];
    additionalProperties: boolean;
    properties: Record<string, Record<string, unknown> & { items?: Record<string, unknown> & { properties?: Record<string, Record<string, unknown>> } }>;
  };

  it('is plain JSON (survives a JSON round trip unchanged)', () => {
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });

  it('carries the request contract: fields, required, no extras, limits', () => {
    expect(schema.type).toBe('object');
    expect([...schema.required].sort()).toEqual(['currency', 'customer_id', 'items']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties['items']).toMatchObject({ type: 'array', minItems: LIMITS.MIN_ITEMS, maxItems: LIMITS.MAX_ITEMS });
    expect(schema.properties['items']?.items?.properties?.['quantity']).toMatchObject({
      type: 'integer',
      minimum: LIMITS.MIN_QUANTITY,
      maximum: LIMITS.MAX_QUANTITY,
    });
  });
});
