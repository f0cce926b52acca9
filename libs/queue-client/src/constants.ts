/** Message attribute names on order_queue messages (docs/design.md), readable without parsing the body. */
export const ORDER_ID_ATTRIBUTE = 'order_id';
export const CORRELATION_ID_ATTRIBUTE = 'correlation_id';
/** Attempts already made before this message was sent again (see `SendOptions.attemptOffset`). */
export const ATTEMPT_OFFSET_ATTRIBUTE = 'attempt_offset';
/** How often dlq-handler sent the order's message back to order_queue. */
export const DLQ_REDRIVES_ATTRIBUTE = 'dlq_redrives';

/** Used when the receive count is absent, which only a hand-made record can be: it is at least the first receive. */
export const DEFAULT_RECEIVE_COUNT = 1;
