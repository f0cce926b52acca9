// Maps each Task state of the workflow to a local implementation, by its Resource ARN:
// - a Lambda function ARN (`arn:aws:lambda:…:function:<name>`) -> the local function of that name,
//   with Lambda's error contract: Error = errorType, Cause = the error payload JSON
//   `{"errorType","errorMessage","trace"}` (what a Catch puts at its ResultPath);
// - `arn:aws:states:::sqs:sendMessage` -> SendMessage on the local SQS (MessageBody objects are
//   serialised to JSON, MessageAttributes passed through), with the integration's result shape.
// Any other resource fails the start-up instead of silently calling AWS.
import { randomUUID } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { LambdaErrorPayload, LambdaService } from '../lambda/runtime';
import type { TaskHandler } from './service';

/** A task failure as the interpreter sees it: `name` is the ASL error name, `message` the Cause. */
export class TaskFailure extends Error {
  constructor(errorName: string, cause: string) {
    super(cause);
    this.name = errorName;
  }
}

export function lambdaFailure(error: LambdaErrorPayload): TaskFailure {
  return new TaskFailure(error.errorType, JSON.stringify(error));
}

export interface TaskDependencies {
  lambdas: LambdaService;
  sqs: SQSClient;
}

interface TaskStateDefinition {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  Branches?: Array<{ States: Record<string, TaskStateDefinition> }>;
  Iterator?: { States: Record<string, TaskStateDefinition> };
  ItemProcessor?: { States: Record<string, TaskStateDefinition> };
}

function* taskStates(states: Record<string, TaskStateDefinition>): Generator<[string, TaskStateDefinition]> {
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Task') yield [name, state];
    for (const branch of state.Branches ?? []) yield* taskStates(branch.States);
    if (state.Iterator) yield* taskStates(state.Iterator.States);
    if (state.ItemProcessor) yield* taskStates(state.ItemProcessor.States);
  }
}

const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:[^:]+(?::[^:]+)?$/;

export function buildTaskHandlers(definition: Record<string, unknown>, deps: TaskDependencies): Record<string, TaskHandler> {
  const handlers: Record<string, TaskHandler> = {};
  const problems: string[] = [];
  for (const [stateName, state] of taskStates(definition['States'] as Record<string, TaskStateDefinition>)) {
    const resource = state.Resource ?? '';
    if (LAMBDA_ARN.test(resource)) {
      const fn = deps.lambdas.resolve(resource);
      if (!fn) {
        problems.push(`${stateName}: no local function for ${resource}`);
        continue;
      }
      // The task's own TimeoutSeconds (Step Functions' default for a Task is 60 s): an invocation
      // still queued for an environment then is dropped, as the retry replaces it.
      const timeoutMs = (typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : 60) * 1000;
      handlers[stateName] = async (input) => {
        const result = await fn.invoke(input, { waitUntil: Date.now() + timeoutMs });
        if (!result.ok) throw lambdaFailure(result.error);
        return result.payload;
      };
    } else if (resource === 'arn:aws:states:::sqs:sendMessage') {
      handlers[stateName] = (input) => sqsSendMessage(deps.sqs, input as Record<string, unknown>);
    } else {
      problems.push(`${stateName}: the local stack cannot run ${resource || '(no Resource)'}`);
    }
  }
  if (problems.length > 0) throw new Error(`Unsupported workflow tasks:\n  ${problems.join('\n  ')}`);
  return handlers;
}

async function sqsSendMessage(sqs: SQSClient, input: Record<string, unknown>): Promise<unknown> {
  const body = input['MessageBody'];
  try {
    const output = await sqs.send(
      new SendMessageCommand({
        QueueUrl: input['QueueUrl'] as string,
        MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
        MessageAttributes: input['MessageAttributes'] as never,
        ...(input['DelaySeconds'] !== undefined ? { DelaySeconds: input['DelaySeconds'] as number } : {}),
        ...(input['MessageGroupId'] !== undefined ? { MessageGroupId: input['MessageGroupId'] as string } : {}),
        ...(input['MessageDeduplicationId'] !== undefined ? { MessageDeduplicationId: input['MessageDeduplicationId'] as string } : {}),
      }),
    );
    const requestId = output.$metadata.requestId ?? randomUUID();
    return {
      ...(output.MD5OfMessageAttributes ? { MD5OfMessageAttributes: output.MD5OfMessageAttributes } : {}),
      MD5OfMessageBody: output.MD5OfMessageBody,
      MessageId: output.MessageId,
      ...(output.SequenceNumber ? { SequenceNumber: output.SequenceNumber } : {}),
      SdkHttpMetadata: {
        AllHttpHeaders: { 'x-amzn-RequestId': [requestId], 'Content-Type': ['text/xml'] },
        HttpHeaders: { 'x-amzn-RequestId': requestId, 'Content-Type': 'text/xml' },
        HttpStatusCode: 200,
      },
      SdkResponseMetadata: { RequestId: requestId },
    };
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number; requestId?: string }; Code?: string };
    const status = e.$metadata?.httpStatusCode ?? 0;
    throw new TaskFailure(
      `SQS.${e.name === 'Error' ? 'SdkClientException' : e.name}`,
      `${e.message} (Service: Sqs, Status Code: ${status}, Request ID: ${e.$metadata?.requestId ?? 'none'})`,
    );
  }
}
