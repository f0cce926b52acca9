import { TRANSIENT_STORE_ERROR } from '@dofs/handler-kit';

/**
 * A DynamoDB failure that goes away by itself (throttling, 5xx, a transaction conflict, the
 * network). The workflow retries it with backoff (`Retry: ["TransientStoreError"]`).
 */
export class TransientStoreError extends Error {
  override readonly name = TRANSIENT_STORE_ERROR;
}

/** The task input names no action store-order knows. */
export class UnknownStoreAction extends Error {
  override readonly name = 'UnknownStoreAction';
}
