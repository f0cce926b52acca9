// Step Functions: the workflow from infra/'s ASL file (placeholders filled as templatefile() does),
// run by the local service, and its endpoint. Requests to the endpoint wait until the stack is ready.
import type { SQSClient } from '@aws-sdk/client-sqs';
import { ACCOUNT_ID, HOST, REGION, STATE_MACHINE_NAME } from '../constants';
import type { Faults } from '../faults';
import { functionArn, type LambdaService } from '../lambda/runtime';
import { loadWorkflowDefinition } from '../sfn/definition';
import { startSfnEndpoint } from '../sfn/endpoint';
import { StepFunctionsService } from '../sfn/service';
import { buildTaskHandlers } from '../sfn/tasks';
import { StackStartError, type StackPlan } from './plan';
import type { Running } from './started';

export const STATE_MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT_ID}:stateMachine:${STATE_MACHINE_NAME}`;

/** The endpoint's URL, known from its port before it listens (the functions' environment names it). */
export const stepFunctionsUrl = (port: number): string => `http://${HOST}:${port}`;

export interface StepFunctions extends Running {
  url: string;
  service: StepFunctionsService;
  /** Milliseconds to build the state machine from its definition. */
  buildMs: number;
}

export async function startStepFunctions(
  plan: StackPlan,
  options: { port: number; faults: Faults; ready: Promise<unknown>; lambdas: LambdaService; sqs: SQSClient; orderQueueUrl: string },
): Promise<StepFunctions> {
  const definition = loadWorkflowDefinition({
    validate_order_arn: functionArn('validate-order'),
    store_order_arn: functionArn('store-order'),
    order_queue_url: options.orderQueueUrl,
  });
  const service = new StepFunctionsService({
    name: STATE_MACHINE_NAME,
    type: plan.workflowType,
    definition,
    taskHandlers: buildTaskHandlers(definition, { lambdas: options.lambdas, sqs: options.sqs }),
    journalFile: plan.journalFile,
    onEvent: (event) => plan.logger.workflow(event),
  });
  if (service.stateMachineArn !== STATE_MACHINE_ARN) throw new Error('state machine ARN mismatch');
  const { buildMs } = await service.init();
  let endpoint;
  try {
    endpoint = await startSfnEndpoint(
      options.ready.then(() => service),
      { host: HOST, port: options.port, faults: options.faults },
    );
  } catch (error) {
    await service.close(0);
    throw new StackStartError(`${(error as Error).message}: try --sfn-port 0`);
  }
  const { close } = endpoint;
  return {
    url: stepFunctionsUrl(endpoint.port),
    service,
    buildMs: Math.round(buildMs),
    stop: async () => {
      await service.close(0);
      await close();
    },
  };
}
