import { TRANSIENT_STORE_ERROR } from '@dofs/order-domain';

/**
 * A DynamoDB failure that goes away by itself (throttling, 5xx, a timeout, a transaction conflict,
 * the network). The workflow retries it with backoff (`Retry: ["TransientStoreError", ...]`).
 */
export class TransientStoreError extends Error {
  override readonly name = TRANSIENT_STORE_ERROR;
}

/** The task input names no action store-order knows. */
export class UnknownStoreAction extends Error {
  override readonly name = 'UnknownStoreAction';
}

/** The order is in a status this task's verdict cannot follow from (e.g. REJECTED when storing as PENDING). */
export class OrderStateConflict extends Error {
  override readonly name = 'OrderStateConflict';
}
