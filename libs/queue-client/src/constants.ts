/** Used when the receive count is absent, which only a hand-made record can be: it is at least the first receive. */
export const DEFAULT_RECEIVE_COUNT = 1;
