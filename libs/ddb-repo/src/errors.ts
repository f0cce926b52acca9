import type { OrderStatus } from '@dofs/order-domain';

/**
 * An order with this id exists but was created from a different request (or in an unrelated
 * status): the same id must never stand for two orders.
 */
export class OrderConflictError extends Error {
  public override readonly name = 'OrderConflictError';
  public readonly orderId: string;
  public readonly existingRequestHash: string;
  public readonly requestHash: string;
  public readonly existingStatus: OrderStatus;
  public readonly requestedStatus: OrderStatus;

  public constructor(args: { orderId: string; existingRequestHash: string; requestHash: string; existingStatus: OrderStatus; requestedStatus: OrderStatus }) {
    super(
      `order ${args.orderId} already exists from a different request (stored hash ${args.existingRequestHash}, status ${args.existingStatus}; ` +
        `new hash ${args.requestHash}, status ${args.requestedStatus})`,
    );
    this.orderId = args.orderId;
    this.existingRequestHash = args.existingRequestHash;
    this.requestHash = args.requestHash;
    this.existingStatus = args.existingStatus;
    this.requestedStatus = args.requestedStatus;
  }
}

/** The order is not in the status the caller expected: somebody else moved it first. Nothing was written. */
export class StaleStatusError extends Error {
  public override readonly name = 'StaleStatusError';
  public readonly orderId: string;
  public readonly expected: OrderStatus;
  public readonly actual: OrderStatus;

  public constructor(orderId: string, expected: OrderStatus, actual: OrderStatus) {
    super(`order ${orderId} is ${actual}, not ${expected} as expected`);
    this.orderId = orderId;
    this.expected = expected;
    this.actual = actual;
  }
}

/** The status model forbids this move. Thrown before anything is sent to DynamoDB. */
export class IllegalTransitionError extends Error {
  public override readonly name = 'IllegalTransitionError';
  public readonly orderId: string;
  public readonly from: OrderStatus;
  public readonly to: OrderStatus;

  public constructor(orderId: string, from: OrderStatus, to: OrderStatus) {
    super(`order ${orderId} cannot move from ${from} to ${to}`);
    this.orderId = orderId;
    this.from = from;
    this.to = to;
  }
}

/** An order can only be created in an initial status (PENDING or REJECTED). Thrown before any write. */
export class IllegalInitialStatusError extends Error {
  public override readonly name = 'IllegalInitialStatusError';
  public readonly orderId: string;
  public readonly status: OrderStatus;

  public constructor(orderId: string, status: OrderStatus) {
    super(`order ${orderId} cannot be created as ${status}`);
    this.orderId = orderId;
    this.status = status;
  }
}

/** No order with this id. */
export class OrderNotFoundError extends Error {
  public override readonly name = 'OrderNotFoundError';
  public readonly orderId: string;

  public constructor(orderId: string) {
    super(`order ${orderId} does not exist`);
    this.orderId = orderId;
  }
}

/**
 * This fulfilment attempt (or a later one) is already recorded: typically a redelivered copy of
 * the same SQS receive. Nothing was written.
 */
export class DuplicateAttemptError extends Error {
  public override readonly name = 'DuplicateAttemptError';
  public readonly orderId: string;
  public readonly attempt: number;
  public readonly recordedAttempts: number;

  public constructor(orderId: string, attempt: number, recordedAttempts: number) {
    super(`order ${orderId} already has ${recordedAttempts} recorded attempt(s); attempt ${attempt} is not new`);
    this.orderId = orderId;
    this.attempt = attempt;
    this.recordedAttempts = recordedAttempts;
  }
}
