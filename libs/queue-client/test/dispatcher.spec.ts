import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { sampleOrder } from '@dofs/handler-kit/testing';
import { executionInputFor, newOrderId, orderMessageFor, orderTotalCents, requestHash, type StoredOrder } from '@dofs/order-domain';
import { orderDispatcher, OrderEnqueuer, WorkflowStarter, type SfnSender } from '../src';

const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:wf';
const request = sampleOrder();
const order = (): StoredOrder => ({
  order_id: newOrderId(),
  ...request,
  total_cents: orderTotalCents(request.items),
  status: 'RECEIVED',
  attempts: 0,
  request_hash: requestHash(request),
  received_at: '2026-01-01T00:00:00.000Z',
  status_history: [],
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
});

function fakeSfn(answer: () => unknown): { sfn: SfnSender; sent: StartExecutionCommand[] } {
  const sent: StartExecutionCommand[] = [];
  const send = async (command: StartExecutionCommand) => {
    sent.push(command);
    return answer();
  };
  return { sfn: { send } as unknown as SfnSender, sent };
}

const failing = (name: string, status: number) => () => {
  throw Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
};

describe('WorkflowStarter.startOrderWorkflow', () => {
  it('starts run n of the order under its name, with the execution input of the order', async () => {
    const o = order();
    const { sfn, sent } = fakeSfn(() => ({ executionArn: 'arn:x' }));
    const dispatcher = new WorkflowStarter({ stateMachineArn: STATE_MACHINE_ARN, sfn });
    await expect(dispatcher.startOrderWorkflow(o, 0)).resolves.toEqual({ started: true, executionArn: 'arn:x' });
    await dispatcher.startOrderWorkflow(o, 2);
    expect(sent.map((c) => c.input.name)).toEqual([o.order_id, `${o.order_id}-redrive-2`]);
    expect(JSON.parse(String(sent[0]?.input.input))).toEqual({ ...executionInputFor(o), correlation_id: o.order_id });
  });

  it('tells an existing execution, a refusal and an unknown outcome apart, and never throws', async () => {
    const o = order();
    const outcome = (answer: () => unknown) => new WorkflowStarter({ stateMachineArn: STATE_MACHINE_ARN, sfn: fakeSfn(answer).sfn }).startOrderWorkflow(o, 0);
    await expect(outcome(failing('ExecutionAlreadyExists', 400))).resolves.toEqual({ started: false, reason: 'already-exists' });
    await expect(outcome(failing('ThrottlingException', 400))).resolves.toMatchObject({ started: false, reason: 'refused' });
    await expect(outcome(failing('InternalFailure', 500))).resolves.toMatchObject({ started: false, reason: 'unknown' });
  });
});

describe('OrderEnqueuer.enqueueOrder', () => {
  it("sends the order's message of the round, built by orderMessageFor", async () => {
    const o = { ...order(), correlation_id: 'corr-1' };
    const sent: SendMessageCommand[] = [];
    const sqs = { send: async (command: SendMessageCommand) => (sent.push(command), { MessageId: 'm-1' }) };
    await expect(new OrderEnqueuer({ orderQueueUrl: 'https://sqs/queue', sqs: sqs as never }).enqueueOrder(o, 3, { delaySeconds: 5 })).resolves.toEqual({ messageId: 'm-1' });
    const both = orderDispatcher({ stateMachineArn: STATE_MACHINE_ARN, sfn: fakeSfn(() => ({})).sfn, orderQueueUrl: 'https://sqs/queue', sqs: sqs as never });
    await both.enqueueOrder(o, 4);
    expect(JSON.parse(String(sent[1]?.input.MessageBody))).toEqual(orderMessageFor(o, 4));
    expect(JSON.parse(String(sent[0]?.input.MessageBody))).toEqual(orderMessageFor(o, 3));
    expect(sent[0]?.input).toMatchObject({ QueueUrl: 'https://sqs/queue', DelaySeconds: 5 });
  });
});
