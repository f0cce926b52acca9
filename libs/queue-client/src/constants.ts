/** Message attribute names on order_queue messages (docs/design.md), readable without parsing the body. */
export const ORDER_ID_ATTRIBUTE = 'order_id';
export const CORRELATION_ID_ATTRIBUTE = 'correlation_id';
/** The dispatch seq the message carries (also in the body), for operators reading a queue. */
export const DISPATCH_ATTRIBUTE = 'dispatch';

/** Used when the receive count is absent, which only a hand-made record can be: it is at least the first receive. */
export const DEFAULT_RECEIVE_COUNT = 1;
