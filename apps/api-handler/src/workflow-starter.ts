import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { executionNameFor, type OrderExecutionInput } from '@dofs/order-domain';

export type SfnSender = Pick<SFNClient, 'send'>;

export type StartOutcome =
  | { started: true; executionArn: string }
  /** Step Functions already has an execution of this name (STANDARD): the order's workflow ran or runs. */
  | { started: false; reason: 'already-exists' }
  /** Refused with a 4xx (throttled, access denied...): nothing was started. */
  | { started: false; reason: 'refused'; error: unknown }
  /** Timed out, 5xx or a network error: an execution may or may not have been started. */
  | { started: false; reason: 'unknown'; error: unknown };

/**
 * Starts the order workflow, named after the order, abandoning the call at `by` (epoch ms). Never
 * throws: by now the order is durably RECEIVED, so a Step Functions failure changes what happens
 * next (a retry of the request, or the reconciler, starts it), not what the client is told.
 */
export async function startOrderWorkflow(sfn: SfnSender, stateMachineArn: string, input: OrderExecutionInput, by?: number): Promise<StartOutcome> {
  try {
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: executionNameFor(input.order_id), input: JSON.stringify(input) }),
      by === undefined ? undefined : { abortSignal: AbortSignal.timeout(Math.max(1, by - Date.now())) },
    );
    return { started: true, executionArn: started.executionArn ?? '' };
  } catch (error) {
    const e = error as { name?: unknown; $metadata?: { httpStatusCode?: unknown } } | null;
    if (e?.name === 'ExecutionAlreadyExists') return { started: false, reason: 'already-exists' };
    const status = e?.$metadata?.httpStatusCode;
    const refused = typeof status === 'number' && status >= 400 && status < 500;
    return { started: false, reason: refused ? 'refused' : 'unknown', error };
  }
}
