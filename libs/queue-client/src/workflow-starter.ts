import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { executionInputFor, executionNameFor } from '@dofs/order-domain';

export type SfnSender = Pick<SFNClient, 'send'>;

/** What a start of the workflow needs of an order: its execution input. */
export type StartableOrder = Parameters<typeof executionInputFor>[0];

export type StartOutcome =
  | { started: true; executionArn: string }
  /** Step Functions already has an execution of this name (STANDARD): this run of the order ran or runs. */
  | { started: false; reason: 'already-exists' }
  /** Refused with a 4xx (throttled, access denied...): nothing was started. */
  | { started: false; reason: 'refused'; error: unknown }
  /** Timed out, 5xx or a network error: an execution may or may not have been started. */
  | { started: false; reason: 'unknown'; error: unknown };

/** The dispatcher's half that starts the order workflow (`STATE_MACHINE_ARN`). */
export class WorkflowStarter {
  public constructor(private readonly opts: { stateMachineArn: string; sfn: SfnSender }) {}

  /**
   * Starts run `attempt` of the order's workflow (0: the intake's, n: the reconciler's n-th), named
   * after it, with the order's execution input, abandoning the call at `by` (epoch ms). Never
   * throws: the outcome says whether anything may run (callers decide what a failure means).
   */
  public async startOrderWorkflow(order: StartableOrder, attempt: number, by?: number): Promise<StartOutcome> {
    try {
      const started = await this.opts.sfn.send(
        new StartExecutionCommand({ stateMachineArn: this.opts.stateMachineArn, name: executionNameFor(order.order_id, attempt), input: JSON.stringify(executionInputFor(order)) }),
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
}
