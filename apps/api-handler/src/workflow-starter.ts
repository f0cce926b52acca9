import { DescribeExecutionCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { createHttpError, ERROR_CODES, type OrderExecutionInput } from '@dofs/handler-kit';
import { executionNameFor } from '@dofs/order-domain';

export type SfnSender = Pick<SFNClient, 'send'>;

export type StartOutcome = { started: true; executionArn: string } | { started: false; executionArn: string };

/** `arn:aws:states:r:a:stateMachine:name` + execution name -> `arn:aws:states:r:a:execution:name:<execution>`. */
export function executionArnFor(stateMachineArn: string, executionName: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
}

const UNAVAILABLE_ERRORS = new Set(['ThrottlingException', 'ServiceUnavailable', 'InternalServerError', 'TimeoutError', 'RequestTimeout']);

/** A Step Functions failure that a client retry may fix: 503, else ours: 500. */
function serviceError(error: unknown, action: string): Error {
  const e = error as { name?: unknown; $retryable?: unknown; $metadata?: { httpStatusCode?: unknown }; code?: unknown } | null;
  const status = e?.$metadata?.httpStatusCode;
  const transient =
    (typeof e?.name === 'string' && UNAVAILABLE_ERRORS.has(e.name)) ||
    Boolean(e?.$retryable) ||
    (typeof status === 'number' && status >= 500) ||
    (typeof e?.code === 'string' && /^E(CONN|TIMEDOUT|PIPE|AI_AGAIN|HOSTUNREACH|NETUNREACH)/.test(e.code));
  return transient
    ? createHttpError(503, ERROR_CODES.SERVICE_UNAVAILABLE, 'the order workflow is unavailable, retry later', { cause: error, headers: { 'retry-after': '1' } })
    : createHttpError(500, ERROR_CODES.INTERNAL_ERROR, `could not ${action}`, { cause: error });
}

function requestHashOf(input: string | undefined): string | undefined {
  if (input === undefined) return undefined;
  try {
    const parsed = JSON.parse(input) as { request_hash?: unknown };
    return typeof parsed?.request_hash === 'string' ? parsed.request_hash : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts the order workflow with the order id as execution name. Step Functions refuses a second
 * execution of that name (`ExecutionAlreadyExists`): then the existing execution's input decides,
 * a retry of the same request (same `request_hash`) is a success that starts nothing, anything
 * else is `409 IDEMPOTENCY_CONFLICT`.
 */
export async function startOrderWorkflow(sfn: SfnSender, stateMachineArn: string, input: OrderExecutionInput): Promise<StartOutcome> {
  const name = executionNameFor(input.order_id);
  try {
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    return { started: true, executionArn: started.executionArn ?? executionArnFor(stateMachineArn, name) };
  } catch (error) {
    if ((error as { name?: unknown } | null)?.name !== 'ExecutionAlreadyExists') throw serviceError(error, 'start the order workflow');
  }
  const executionArn = executionArnFor(stateMachineArn, name);
  let existingInput: string | undefined;
  try {
    existingInput = (await sfn.send(new DescribeExecutionCommand({ executionArn }))).input;
  } catch (error) {
    throw serviceError(error, 'read the existing order workflow');
  }
  if (requestHashOf(existingInput) === input.request_hash) return { started: false, executionArn };
  throw createHttpError(409, ERROR_CODES.IDEMPOTENCY_CONFLICT, 'this Idempotency-Key was already used with a different request body', {
    details: [{ path: 'Idempotency-Key', message: 'reuse a key only to retry the identical request' }],
  });
}
