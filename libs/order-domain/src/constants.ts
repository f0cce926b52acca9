/** Limits that are part of the public request contract (and so of the JSON Schema). */
export const LIMITS = {
  /** Largest accepted request body, in bytes (UTF-8). API Gateway caps payloads at 10 MB; we are far stricter. */
  MAX_BODY_BYTES: 64 * 1024,
  CUSTOMER_ID_MAX_LENGTH: 64,
  SKU_MAX_LENGTH: 64,
  MIN_ITEMS: 1,
  MAX_ITEMS: 100,
  MIN_QUANTITY: 1,
  MAX_QUANTITY: 1000,
  /** Unit price upper bound in minor units (1,000,000.00 in a two-decimal currency). */
  MAX_UNIT_PRICE_CENTS: 100_000_000,
  IDEMPOTENCY_KEY_MIN_LENGTH: 1,
  IDEMPOTENCY_KEY_MAX_LENGTH: 128,
} as const;

/** Business rules applied by ValidateOrder; breaking one rejects the order (status REJECTED), not the request. */
export const BUSINESS_RULES = {
  /** Orders above this total (minor units) need a human and are rejected here. */
  MAX_ORDER_TOTAL_CENTS: 5_000_000,
  SUPPORTED_CURRENCIES: ['USD', 'EUR', 'GBP'] as readonly string[],
} as const;

/**
 * The OAuth scopes of the order API (resource server `orders`). A route needs one of its scopes
 * (checked by API Gateway's JWT authorizer); `ACT_FOR_CUSTOMERS` marks a trusted backend, which may
 * name any customer and read any order (checked by api-handler; docs/design.md "Who may place and
 * read an order").
 */
export const SCOPES = {
  WRITE: 'orders/write',
  READ: 'orders/read',
  ACT_FOR_CUSTOMERS: 'orders/act-for-customers',
} as const;

/** Identifier formats. Customer ids and SKUs are opaque but restricted to a safe alphabet. */
export const PATTERNS = {
  CUSTOMER_ID: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$',
  SKU: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$',
  CURRENCY: '^[A-Z]{3}$',
  ORDER_ID: '^ord_[0-9a-f]{32}$',
  /** Printable ASCII without spaces at either end, as HTTP header values should be. */
  IDEMPOTENCY_KEY: '^[\\x21-\\x7E]([\\x20-\\x7E]*[\\x21-\\x7E])?$',
} as const;

/** What GET shows for FAILED and REJECTED orders: stable codes and sentences, never a raw cause. */
export const PUBLIC_REASONS = {
  REJECTED: { code: 'ORDER_REJECTED', message: 'The order breaks one or more order rules; see rejection_reasons.' },
  FULFILMENT_FAILED: { code: 'FULFILMENT_FAILED', message: 'The order could not be fulfilled after repeated attempts.' },
  NOT_PROCESSED: { code: 'PROCESSING_FAILED', message: 'The order could not be processed and will not be fulfilled.' },
} as const;
