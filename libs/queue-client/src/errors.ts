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
