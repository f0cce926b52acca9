/**
 * The DynamoDB tables: on demand with point-in-time recovery, SSE and deletion protection; key
 * attribute definitions derived from the table and index keys; the sparse open-orders index the
 * reconciler queries; the idempotency_keys table with TTL on expires_at.
 */
import { type Body, blocks, config, expr, moduleCall, resource, squash } from './support/terraform';

const TABLES = ['orders_table', 'failed_orders_table', 'idempotency_keys_table'];

interface IndexInput {
  name: string;
  hash_key: string;
  hash_key_type?: string;
  range_key?: string;
  range_key_type?: string;
  projection_type: string;
}

/**
 * The attribute definitions the module derives for a call (its locals.key_attributes and
 * attribute_types, with the variables' "S" defaults); `terraform test` evaluates the real ones.
 */
function derivedAttributes(call: Body): Record<string, string[]> {
  const keys: [string, string][] = [[call.hash_key as string, (call.hash_key_type as string | undefined) ?? 'S']];
  for (const index of (call.global_secondary_indexes ?? []) as IndexInput[]) {
    keys.push([index.hash_key, index.hash_key_type ?? 'S']);
    if (index.range_key) keys.push([index.range_key, index.range_key_type ?? 'S']);
  }
  const types: Record<string, string[]> = {};
  for (const [name, type] of keys) types[name] = [...new Set([...(types[name] ?? []), type])];
  return types;
}

describe('tables', () => {
  it('are on demand, with point-in-time recovery, SSE and deletion protection from a variable', async () => {
    const ddb = await config('modules/dynamodb-table');
    const table = resource(ddb, 'aws_dynamodb_table', 'this');
    expect(table.billing_mode).toBe('PAY_PER_REQUEST');
    expect(table.read_capacity).toBeUndefined();
    expect(expr(blocks(table, 'point_in_time_recovery')[0]?.enabled)).toBe('var.point_in_time_recovery_enabled');
    expect(ddb.variables.point_in_time_recovery_enabled?.default).toBe(true);
    expect(blocks(table, 'server_side_encryption')[0]?.enabled).toBe(true);
    expect(expr(table.deletion_protection_enabled)).toBe('var.deletion_protection_enabled');
    expect(ddb.variables.deletion_protection_enabled?.type).toBe('${bool}');
  });

  it('are orders, failed_orders and idempotency_keys, named from the settings, protected by the environment variable', async () => {
    const dev = await config('envs/dev');
    const names: Record<string, string> = {
      orders_table: 'orders',
      failed_orders_table: 'failedOrders',
      idempotency_keys_table: 'idempotencyKeys',
    };
    for (const name of TABLES) {
      const call = moduleCall(dev, name);
      expect(call.source).toBe('../../modules/dynamodb-table');
      expect(expr(call.name)).toBe(`\${local.name_prefix}-\${local.settings.tables.${names[name]}}`);
      expect(call.hash_key_type).toBeUndefined(); // S, the module default
      expect(expr(call.deletion_protection_enabled)).toBe('var.deletion_protection');
      expect(call.point_in_time_recovery_enabled).toBeUndefined(); // on, the module default
    }
    expect(moduleCall(dev, 'orders_table').hash_key).toBe('order_id');
    expect(moduleCall(dev, 'failed_orders_table').hash_key).toBe('order_id');
    expect(moduleCall(dev, 'idempotency_keys_table').hash_key).toBe('idempotency_id');
    expect(dev.variables.deletion_protection?.default).toBe(true);
  });

  it('declare exactly the key attributes of the table and its indexes, derived, each with one type', async () => {
    const ddb = await config('modules/dynamodb-table');
    const table = resource(ddb, 'aws_dynamodb_table', 'this');
    expect(table.attribute).toBeUndefined(); // no hand-written attribute blocks
    const attribute = (table.dynamic?.attribute ?? []) as Body[];
    expect(attribute).toHaveLength(1);
    expect(expr(attribute[0]?.for_each)).toBe('local.attributes');
    expect(attribute[0]?.content).toEqual([{ name: '${attribute.key}', type: '${attribute.value}' }]);
    const keyAttributes = squash(ddb.locals.key_attributes);
    for (const key of ['var.hash_key', 'index.hash_key', 'index.range_key']) expect(keyAttributes).toContain(`name = ${key}`);
    expect(squash(ddb.locals.key_attribute_types)).toBe('{ for a in local.key_attributes : a.name => a.type... }');
    const precondition = blocks(blocks(table, 'lifecycle')[0] ?? {}, 'precondition')[0];
    expect(squash(precondition?.condition)).toBe(
      'alltrue([for name, types in local.key_attribute_types : length(distinct(types)) == 1])',
    );
    const type = squash(ddb.variables.global_secondary_indexes?.type);
    expect(type).toContain('hash_key_type = optional(string, "S")');
    expect(type).toContain('range_key_type = optional(string, "S")');
    expect(type).toContain('range_key = optional(string)');

    const dev = await config('envs/dev');
    const derived = Object.fromEntries(TABLES.map((name) => [name, derivedAttributes(moduleCall(dev, name))]));
    expect(derived).toEqual({
      orders_table: { order_id: ['S'], open_shard: ['S'], open_since: ['S'] },
      failed_orders_table: { order_id: ['S'] },
      idempotency_keys_table: { idempotency_id: ['S'] },
    });
  });

  it('create each global secondary index given, on demand like the table', async () => {
    const ddb = await config('modules/dynamodb-table');
    const table = resource(ddb, 'aws_dynamodb_table', 'this');
    const index = ((table.dynamic?.global_secondary_index ?? []) as Body[])[0];
    expect(squash(index?.for_each)).toBe('{ for index in var.global_secondary_indexes : index.name => index }');
    expect(index?.content).toEqual([
      {
        name: '${global_secondary_index.value.name}',
        hash_key: '${global_secondary_index.value.hash_key}',
        range_key: '${global_secondary_index.value.range_key}',
        projection_type: '${global_secondary_index.value.projection_type}',
      },
    ]);
    expect(ddb.variables.global_secondary_indexes?.default).toEqual([]);
    // Names unique and valid, projections KEYS_ONLY or ALL, key types S/N/B, range key not the hash key.
    expect(((ddb.variables.global_secondary_indexes?.validation ?? []) as Body[]).length).toBe(5);
    expect(squash(ddb.outputs.index_arns?.value)).toBe(
      '{ for index in var.global_secondary_indexes : index.name => "${aws_dynamodb_table.this.arn}/index/${index.name}" }',
    );
  });

  it('index open orders in orders by open_shard and open_since, keys only', async () => {
    const dev = await config('envs/dev');
    expect(moduleCall(dev, 'orders_table').global_secondary_indexes).toEqual([
      { name: 'open-orders', hash_key: 'open_shard', range_key: 'open_since', projection_type: 'KEYS_ONLY' },
    ]);
    expect(moduleCall(dev, 'failed_orders_table').global_secondary_indexes).toBeUndefined();
    expect(moduleCall(dev, 'idempotency_keys_table').global_secondary_indexes).toBeUndefined();
  });

  it('expire idempotency keys with DynamoDB TTL on expires_at, and nothing else', async () => {
    const ddb = await config('modules/dynamodb-table');
    const ttl = ((resource(ddb, 'aws_dynamodb_table', 'this').dynamic?.ttl ?? []) as Body[])[0];
    expect(squash(ttl?.for_each)).toBe('var.ttl_attribute_name == null ? [] : [var.ttl_attribute_name]');
    expect(ttl?.content).toEqual([{ attribute_name: '${ttl.value}', enabled: true }]);
    expect(ddb.variables.ttl_attribute_name?.default).toBeNull();
    const dev = await config('envs/dev');
    expect(moduleCall(dev, 'idempotency_keys_table').ttl_attribute_name).toBe('expires_at');
    // Orders and failed orders are records: never deleted by TTL.
    expect(moduleCall(dev, 'orders_table').ttl_attribute_name).toBeUndefined();
    expect(moduleCall(dev, 'failed_orders_table').ttl_attribute_name).toBeUndefined();
  });

  it('output the idempotency_keys table name', async () => {
    const dev = await config('envs/dev');
    expect(expr(dev.outputs.idempotency_keys_table_name?.value)).toBe('module.idempotency_keys_table.name');
  });
});
