/** SQS accepts at most 10 entries per SendMessageBatch. */
export const SQS_MAX_BATCH_ENTRIES = 10;

/** Attempts per batch entry (the first send included) before it is reported as failed. */
export const DEFAULT_MAX_SEND_ATTEMPTS = 3;

/** First retry waits about this long; each further retry doubles it, up to BACKOFF_MAX_MS. */
export const BACKOFF_BASE_MS = 100;
export const BACKOFF_MAX_MS = 2_000;

/** Message attribute names on order_queue messages (docs/design.md), readable without parsing the body. */
export const ORDER_ID_ATTRIBUTE = 'order_id';
export const CORRELATION_ID_ATTRIBUTE = 'correlation_id';

/** Used when the receive count is absent, which only a hand-made record can be: it is at least the first receive. */
export const DEFAULT_RECEIVE_COUNT = 1;
