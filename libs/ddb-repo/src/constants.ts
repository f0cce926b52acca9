/** `status` is a DynamoDB reserved word, so expressions name it through this placeholder. */
export const STATUS_NAME = '#status';

/** Prefix of failed_orders keys for messages whose body gave no order id (docs/design.md). */
export const UNPARSEABLE_KEY_PREFIX = 'unparseable#';

/** `ClientRequestToken` is at most 36 characters. */
export const CLIENT_REQUEST_TOKEN_LENGTH = 36;

/** Separates dead-letter tokens from any other token derived from a message id. */
export const DEAD_LETTER_TOKEN_DOMAIN = 'dofs:dead-letter:v1';
