import Type from 'typebox';
import { LIMITS, PATTERNS } from './constants';
import type { OrderStatus } from './status';

export const OrderItemSchema = Type.Object(
  {
    sku: Type.String({ minLength: 1, maxLength: LIMITS.SKU_MAX_LENGTH, pattern: PATTERNS.SKU }),
    quantity: Type.Integer({ minimum: LIMITS.MIN_QUANTITY, maximum: LIMITS.MAX_QUANTITY }),
    unit_price_cents: Type.Integer({ minimum: 0, maximum: LIMITS.MAX_UNIT_PRICE_CENTS }),
  },
  { additionalProperties: false },
);

/** The body of `POST /order`. The one definition the API model and the OpenAPI document come from. */
export const CreateOrderRequestSchema = Type.Object(
  {
    customer_id: Type.String({
      minLength: 1,
      maxLength: LIMITS.CUSTOMER_ID_MAX_LENGTH,
      pattern: PATTERNS.CUSTOMER_ID,
    }),
    items: Type.Array(OrderItemSchema, { minItems: LIMITS.MIN_ITEMS, maxItems: LIMITS.MAX_ITEMS }),
    currency: Type.String({ pattern: PATTERNS.CURRENCY }),
  },
  { additionalProperties: false, title: 'CreateOrderRequest' },
);

export const OrderStatusSchema = Type.Union([
  Type.Literal('RECEIVED'),
  Type.Literal('PENDING'),
  Type.Literal('RETRYING'),
  Type.Literal('FULFILLED'),
  Type.Literal('FAILED'),
  Type.Literal('REJECTED'),
]);

export const FieldErrorSchema = Type.Object({ path: Type.String(), message: Type.String() });

/** A reason a person may read (GET shows it): a stable code and one sentence, never a raw cause. */
export const PublicReasonSchema = Type.Object({ code: Type.String(), message: Type.String() });

/** One status change, appended in the same conditional write as the status itself. */
export const StatusChangeSchema = Type.Object({
  /** Absent for the intake entry (the order was created in `to`). */
  from: Type.Optional(OrderStatusSchema),
  to: OrderStatusSchema,
  at: Type.String(),
  /** The function that wrote it (`api-handler`, `store-order`, ...). */
  by: Type.String(),
  /** The fulfilment attempt (the order's attempts counting this one) for fulfilment writes. */
  attempt: Type.Optional(Type.Integer({ minimum: 1 })),
});

/**
 * The carrier of a queued order: its latest message on order_queue. Written before the message is
 * sent (so the message can never exist without it) by whoever sends one: store-order (seq 1, for
 * the workflow's EnqueueOrder), the reconciler, dlq-handler (a send-back) and an operator's redrive.
 * The message body carries `seq` (`OrderMessage.dispatch`). The reconciler decides from it whether
 * the message can still be queued: a message sent by `sent_by` cannot be in a queue whose oldest
 * message was sent later.
 */
export const DispatchSchema = Type.Object({
  /** 1 for the workflow's message, +1 for each message sent again. */
  seq: Type.Integer({ minimum: 1 }),
  /** When the dispatch was recorded (just before the send). */
  at: Type.String(),
  /** The latest time the message can have been sent: the sender's own deadline. */
  sent_by: Type.String(),
  /** When the message becomes receivable: later than `at` for a delayed send-back. */
  visible_at: Type.String(),
  /** Who sent it: store-order (via the workflow), reconcile-orders, dlq-handler, dofs-cli. */
  by: Type.String(),
  /** dlq-handler: the dead letter this send-back replaces, so a retried send-back resends the same dispatch. */
  source: Type.Optional(Type.String()),
});

/** An order as stored (what every function reads and writes; the table's own index attributes are ddb-repo's). */
export const StoredOrderSchema = Type.Object({
  order_id: Type.String({ pattern: PATTERNS.ORDER_ID }),
  customer_id: Type.String(),
  items: Type.Array(OrderItemSchema),
  currency: Type.String(),
  total_cents: Type.Integer({ minimum: 0 }),
  status: OrderStatusSchema,
  /** Fulfilment attempts made so far (failed or successful). */
  attempts: Type.Integer({ minimum: 0 }),
  last_error: Type.Optional(Type.String()),
  rejection_reasons: Type.Optional(Type.Array(FieldErrorSchema)),
  /** Why the order is FAILED or REJECTED, for the client. */
  status_reason: Type.Optional(PublicReasonSchema),
  /** Why the order is FAILED, for operators: may name queues, errors and causes. Never shown by GET. */
  failure_reason: Type.Optional(Type.String()),
  /** sha256 of the canonical request body; tells a repeated request from a conflicting one. */
  request_hash: Type.String(),
  /** The idempotency record's key (a hash of customer and `Idempotency-Key`) when the request had one. */
  idempotency_key_hash: Type.Optional(Type.String()),
  correlation_id: Type.Optional(Type.String()),
  /** When api-handler accepted the order (the 202). */
  received_at: Type.String(),
  /** Every status the order had, oldest first. */
  status_history: Type.Array(StatusChangeSchema),
  /** How often the reconciler re-drove the order (re-drives delivered: a start or a send that succeeded). */
  redrives: Type.Optional(Type.Integer({ minimum: 0 })),
  /** The current carrier of a PENDING / RETRYING order: its last queue message (see `DispatchSchema`). */
  dispatch: Type.Optional(DispatchSchema),
  /** Fulfilment attempts made before the current round began (an operator's redrive starts a round). */
  attempts_base: Type.Optional(Type.Integer({ minimum: 0 })),
  /** The receive (`<message id>#<receive count>`) that recorded the last failed attempt: a retried write recognises itself. */
  last_attempt_receive: Type.Optional(Type.String()),
  /** dlq-handler's send-backs in the current round (processing failed, not the order). */
  dlq_redrives: Type.Optional(Type.Integer({ minimum: 0 })),
  /**
   * A RECEIVED order: no workflow execution of it can be alive after this time (ISO 8601). Absent:
   * its first start, bounded by the intake (see `workflowLiveUntil`). Set to the start time by
   * api-handler when StartExecution definitely failed, and by the reconciler when it starts one.
   */
  workflow_until: Type.Optional(Type.String()),
  /** The reconciler's last re-drive that failed for a permanent reason (internal, never shown). */
  last_redrive_error: Type.Optional(Type.String()),
  created_at: Type.String(),
  updated_at: Type.String(),
});

/** The body of a message on `order_queue`. Kept small: the order itself lives in DynamoDB. */
export const OrderMessageSchema = Type.Object({
  order_id: Type.String({ pattern: PATTERNS.ORDER_ID }),
  correlation_id: Type.Optional(Type.String()),
  /** The order's `dispatch.seq` when this message was sent: an older one has been superseded. */
  dispatch: Type.Optional(Type.Integer({ minimum: 1 })),
});

/** A note in a failed_orders item: an operator re-opened the order (FAILED -> RETRYING) and queued it again. */
export const OperatorRedriveSchema = Type.Object({
  at: Type.String(),
  /** Who redrove it (`dofs-cli`). */
  by: Type.String(),
  /** The order's fulfilment attempts then: the new round counts its attempts from here (`attempts_base`). */
  attempts: Type.Integer({ minimum: 0 }),
});

/** An item in the `failed_orders` table: one dead-lettered message. */
export const FailedOrderRecordSchema = Type.Object({
  /** The order id, or `unparseable#<message_id>` when the body could not be read. */
  order_id: Type.String(),
  message_id: Type.String(),
  /** The dead-lettered message body as received (cut to 256 KiB if larger: see the two fields below). */
  original_message: Type.String(),
  /** Set with `original_message_truncated`: the size of the whole body in bytes. */
  original_message_bytes: Type.Optional(Type.Integer({ minimum: 0 })),
  original_message_truncated: Type.Optional(Type.Boolean()),
  attempts: Type.Integer({ minimum: 0 }),
  reason: Type.String(),
  /** Each time an operator gave the order another fulfilment round (`dofs failed redrive`), oldest first. */
  operator_redrives: Type.Optional(Type.Array(OperatorRedriveSchema)),
  correlation_id: Type.Optional(Type.String()),
  /** When the message was first sent to order_queue (SQS SentTimestamp), ISO 8601. */
  first_sent_at: Type.Optional(Type.String()),
  failed_at: Type.String(),
  /** The order's status history up to and including its move to FAILED (written by the reconciler's give-up). */
  status_history: Type.Optional(Type.Array(StatusChangeSchema)),
});

export type OrderItem = Type.Static<typeof OrderItemSchema>;
export type CreateOrderRequest = Type.Static<typeof CreateOrderRequestSchema>;
export type FieldError = Type.Static<typeof FieldErrorSchema>;
export type StoredOrder = Type.Static<typeof StoredOrderSchema>;
export type StatusChange = Type.Static<typeof StatusChangeSchema>;
export type PublicReason = Type.Static<typeof PublicReasonSchema>;

// Compile-time proof that the schema and the status model list the same statuses.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const statusesAgree: Same<Type.Static<typeof OrderStatusSchema>, OrderStatus> = true;
void statusesAgree;
export type OrderMessage = Type.Static<typeof OrderMessageSchema>;
export type FailedOrderRecord = Type.Static<typeof FailedOrderRecordSchema>;
export type OperatorRedrive = Type.Static<typeof OperatorRedriveSchema>;
export type Dispatch = Type.Static<typeof DispatchSchema>;

/** The body of `202 Accepted` from `POST /order`: `status` is the status at acceptance, always RECEIVED. */
export const OrderAcceptedSchema = Type.Object(
  {
    order_id: Type.String({ pattern: PATTERNS.ORDER_ID }),
    status: Type.Literal('RECEIVED'),
    links: Type.Object({ self: Type.String({ description: 'The order, relative to the API root: /orders/{order_id}.' }) }, { additionalProperties: false }),
  },
  { additionalProperties: false, title: 'OrderAccepted' },
);

/**
 * What `GET /orders/{order_id}` shows of a stored order (api-handler's `toOrderView`): no internal
 * bookkeeping (`request_hash`, `idempotency_key_hash`, `correlation_id`, `redrives`, the table's index attributes)
 * and no `failure_reason`; a FAILED or REJECTED order shows its public `status_reason` instead.
 */
export const OrderViewSchema = Type.Object(
  {
    order_id: Type.String({ pattern: PATTERNS.ORDER_ID }),
    status: OrderStatusSchema,
    customer_id: Type.String(),
    items: Type.Array(OrderItemSchema),
    currency: Type.String(),
    total_cents: Type.Integer({ minimum: 0 }),
    attempts: Type.Integer({ minimum: 0, description: 'Fulfilment attempts made so far (failed or successful).' }),
    last_error: Type.Optional(Type.String({ description: 'The last failed fulfilment attempt.' })),
    status_reason: Type.Optional(PublicReasonSchema),
    rejection_reasons: Type.Optional(Type.Array(FieldErrorSchema)),
    status_history: Type.Array(StatusChangeSchema, { description: 'Every status the order had, oldest first.' }),
    received_at: Type.String({ description: 'When the order was accepted (the 202), ISO 8601.' }),
    created_at: Type.String(),
    updated_at: Type.String(),
    links: Type.Object({ self: Type.String() }, { additionalProperties: false }),
  },
  { additionalProperties: false, title: 'OrderView' },
);

/** Every error response: a stable `code`, a sentence, and one `details` entry per bad field (JSON Pointer `path`). */
export const ErrorBodySchema = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String(),
        message: Type.String(),
        details: Type.Array(FieldErrorSchema),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, title: 'Error' },
);

export type OrderAccepted = Type.Static<typeof OrderAcceptedSchema>;
export type OrderView = Type.Static<typeof OrderViewSchema>;
export type ErrorBody = Type.Static<typeof ErrorBodySchema>;
