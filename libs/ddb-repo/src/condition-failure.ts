import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { isOrderStatus, type OrderStatus } from '@dofs/order-domain';

/**
 * What a failed condition tells about the item it was checked against. With
 * `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'` DynamoDB returns the item as it was, in wire
 * format (the document client does not convert error payloads), so the next step needs no read.
 */
export interface OldItemView {
  status?: OrderStatus;
  attempts?: number;
  /** The receive that recorded the last failed attempt. */
  last_attempt_receive?: string;
}

type RawItem = Record<string, AttributeValue> | undefined;

/** By name, not `instanceof`: an error may come from another copy of the SDK (or another realm, as under jest). */
function hasName(err: unknown, name: string): err is Error {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === name;
}

export function isConditionalCheckFailed(err: unknown): err is Error & { Item?: RawItem } {
  return hasName(err, 'ConditionalCheckFailedException');
}

export function isTransactionCanceled(err: unknown): err is Error & { CancellationReasons?: { Code?: string; Item?: RawItem }[] } {
  return hasName(err, 'TransactionCanceledException');
}

/** Reads `status` and `attempts` from a wire-format item; `undefined` when there was no item. */
export function viewOfRawItem(item: RawItem): OldItemView | undefined {
  if (item === undefined || Object.keys(item).length === 0) return undefined;
  const view: OldItemView = {};
  const status = item['status']?.S;
  if (isOrderStatus(status)) view.status = status;
  const attempts = item['attempts']?.N;
  if (attempts !== undefined) view.attempts = Number(attempts);
  const receive = item['last_attempt_receive']?.S;
  if (receive !== undefined) view.last_attempt_receive = receive;
  return view;
}
