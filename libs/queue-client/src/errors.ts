/** One message of a batch that SQS did not accept. */
export interface FailedSend {
  orderId: string;
  /** SQS error code for the entry (e.g. `InvalidParameterValue`), or the error name when the whole request failed. */
  code: string;
  message?: string;
  /** True when SQS blamed the request itself: resending the same entry cannot succeed. */
  senderFault: boolean;
}

/**
 * Some messages of `sendOrderMessages` were not sent, after retries for those SQS reported as
 * transient. `failed` names each one; all the others were sent (`sent`).
 */
export class BatchSendError extends Error {
  public override readonly name = 'BatchSendError';
  public readonly failed: FailedSend[];
  public readonly sent: number;

  public constructor(failed: FailedSend[], sent: number, options?: { cause?: unknown }) {
    const listed = failed.map((f) => `${f.orderId} (${f.code})`).join(', ');
    super(`${failed.length} of ${failed.length + sent} order message(s) were not sent: ${listed}`, options);
    this.failed = failed;
    this.sent = sent;
  }
}

/** An SQS record whose body is not an `OrderMessage`. Redelivering it cannot help; it belongs in the DLQ. */
export class MalformedMessageError extends Error {
  public override readonly name = 'MalformedMessageError';
  public readonly messageId: string;
  public readonly reason: string;

  public constructor(messageId: string, reason: string) {
    super(`message ${messageId} is not an order message: ${reason}`);
    this.messageId = messageId;
    this.reason = reason;
  }
}
