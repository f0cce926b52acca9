import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { executionNameFor, type OrderExecutionInput } from '@dofs/order-domain';

export type SfnSender = Pick<SFNClient, 'send'>;

export type StartOutcome =
  | { started: true; executionArn: string }
  /** Step Functions already has an execution of this name (STANDARD): the order's workflow ran or runs. */
  | { started: false; reason: 'already-exists' }
  /** Throttled, failed or timed out: the order stays RECEIVED until a retry or the reconciler starts it. */
  | { started: false; reason: 'failed'; error: unknown };

/**
 * Starts the order workflow, named after the order. Never throws: by now the order is durably
 * RECEIVED, so a Step Functions failure changes what happens next (a retry of the request, or the
 * reconciler, starts it), not what the client is told.
 */
export async function startOrderWorkflow(sfn: SfnSender, stateMachineArn: string, input: OrderExecutionInput): Promise<StartOutcome> {
  try {
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: executionNameFor(input.order_id), input: JSON.stringify(input) }));
    return { started: true, executionArn: started.executionArn ?? '' };
  } catch (error) {
    if ((error as { name?: unknown } | null)?.name === 'ExecutionAlreadyExists') return { started: false, reason: 'already-exists' };
    return { started: false, reason: 'failed', error };
  }
}
