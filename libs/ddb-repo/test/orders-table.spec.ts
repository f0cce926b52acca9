import { newOrderId } from '@dofs/order-domain';
import { storedOrder } from '@dofs/handler-kit/testing';
import { OPEN_ORDER_SHARDS, openIndexKey, openShardKey, openShardOf, openShardPartition, orderItem, reopenIndex } from '../src';

describe('the open-orders index layout', () => {
  it('spreads open orders over every index shard and keeps an order on one', () => {
    const shards = new Set(Array.from({ length: 400 }, () => openShardOf(newOrderId())));
    expect([...shards].sort((a, b) => a - b)).toEqual(Array.from({ length: OPEN_ORDER_SHARDS }, (_, i) => i));
    const id = newOrderId();
    expect(openShardKey(id)).toBe(`OPEN#${openShardOf(id)}`);
    expect(openShardKey(id)).toBe(openShardPartition(openShardOf(id)));
  });

  it('keys an open order by its shard and the time it opened, whatever its status', () => {
    const id = newOrderId();
    expect(openIndexKey(id, '2026-01-01T00:00:00.000Z')).toEqual({ open_shard: openShardKey(id), open_since: '2026-01-01T00:00:00.000Z' });
  });

  it('puts an open order in the index since it was received, and a terminal one not at all', () => {
    const open = storedOrder({ status: 'PENDING', received_at: '2026-01-01T00:00:00.000Z' });
    expect(orderItem(open)).toMatchObject(openIndexKey(open.order_id, '2026-01-01T00:00:00.000Z'));
    const ended = { ...storedOrder({ status: 'FULFILLED' }), open_shard: undefined, open_since: undefined };
    expect(orderItem(ended)).toBe(ended);
  });

  it('reopens an order with the same key as it opened with', () => {
    const id = newOrderId();
    const { sets, values } = reopenIndex(id, '2026-01-02T00:00:00.000Z');
    expect(sets).toEqual(['open_shard = :open_shard', 'open_since = :open_since']);
    expect(values).toEqual({ ':open_shard': openShardKey(id), ':open_since': '2026-01-02T00:00:00.000Z' });
  });

});
