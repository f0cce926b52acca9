/** The simulated fulfilment failed: the attempt is recorded and the record reported for redelivery. */
export class FulfilmentFailedError extends Error {
  override readonly name = 'FulfilmentFailedError';
}

/** A message for an order that does not exist: reported as failed, so it ends archived in failed_orders. */
export class UnknownOrderError extends Error {
  override readonly name = 'UnknownOrderError';
}

/** The order's status kept changing under us; the record is retried by redelivery. */
export class StatusRaceError extends Error {
  override readonly name = 'StatusRaceError';
}

/** The order made every fulfilment attempt of its round: the copy is reported until SQS dead-letters it, and dlq-handler ends the order. */
export class AttemptsUsedUpError extends Error {
  override readonly name = 'AttemptsUsedUpError';
}
