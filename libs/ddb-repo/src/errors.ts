import type { OrderStatus } from '@dofs/order-domain';

/**
 * The `Idempotency-Key` was used by this customer, within the window, for a different request body.
 * Nothing was written.
 */
export class IdempotencyConflictError extends Error {
  public override readonly name = 'IdempotencyConflictError';
  public readonly orderId: string;

  public constructor(orderId: string) {
    super(`the idempotency key already stands for order ${orderId}, created from a different request`);
    this.orderId = orderId;
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
 * This receive's fulfilment attempt is already recorded: a retried write, or a redelivered copy of
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

/** Another receive recorded a fulfilment attempt after the caller read the order. Nothing was written. */
export class AttemptRaceError extends Error {
  public override readonly name = 'AttemptRaceError';
  public readonly orderId: string;

  public constructor(orderId: string, readAttempts: number, recordedAttempts: number) {
    super(`order ${orderId} had ${readAttempts} attempt(s) when read and ${recordedAttempts} now`);
    this.orderId = orderId;
  }
}

/** Another sender recorded a new dispatch of the order first: it sends the message, the caller does not. */
export class DispatchRaceError extends Error {
  public override readonly name = 'DispatchRaceError';
  public readonly orderId: string;

  public constructor(orderId: string, expectedSeq: number) {
    super(`order ${orderId} has a dispatch newer than ${expectedSeq}`);
    this.orderId = orderId;
  }
}

/**
 * The intake did not reach its commit point (the idempotency key's put failed and the key is free):
 * nothing is accepted. `removed` says whether the tentative order was deleted; if not, the
 * reconciler deletes it (a tentative order whose key is free is never started).
 */
export class IntakeNotCommittedError extends Error {
  public override readonly name = 'IntakeNotCommittedError';
  public readonly orderId: string;
  public readonly removed: boolean;

  public constructor(orderId: string, removed: boolean, cause: unknown) {
    super(`order ${orderId} was not committed: its idempotency key could not be written`, { cause });
    this.orderId = orderId;
    this.removed = removed;
  }
}
