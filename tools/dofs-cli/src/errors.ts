/** A problem a person can fix: printed as one line, exit 1. */
export class CliError extends Error {
  override name = 'CliError';
}

/** Wrong arguments: printed with a pointer to --help, exit 2. */
export class UsageError extends CliError {
  override name = 'UsageError';
}

/** One line for an error from the AWS SDK or the network, naming what could not be reached. */
export function describeError(error: unknown, endpoints: { dynamodb?: string; sqs?: string }): string {
  const e = error as { name?: string; message?: string; code?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  const message = (e.message ?? String(error)).split('\n')[0] ?? '';
  if (code === 'ECONNREFUSED' || e.name === 'TimeoutError' || /ECONNREFUSED|ETIMEDOUT|ENOTFOUND/.test(message)) {
    const where = [endpoints.dynamodb, endpoints.sqs].filter(Boolean).join(' / ');
    return `cannot reach AWS${where ? ` at ${where}` : ''}: ${message || code}`;
  }
  if (e.name === 'ResourceNotFoundException') return `${message} (wrong table name, region or account?)`;
  if (e.name === 'QueueDoesNotExist' || e.name === 'AWS.SimpleQueueService.NonExistentQueue') return `${message} (wrong --order-queue-url?)`;
  if (e.name === 'CredentialsProviderError') return `no AWS credentials: ${message} (set AWS_PROFILE, or run the local stack)`;
  return `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${message}`;
}
