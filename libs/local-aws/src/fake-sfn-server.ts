/**
 * A stand-in for the Step Functions endpoint, speaking its JSON protocol (awsJson1_0) on
 * 127.0.0.1 for StartExecution, with Standard-workflow name semantics: a
 * second start with the same name and the same input returns the existing execution, with another
 * input it fails with ExecutionAlreadyExists.
 *
 * The jest harness runs DynamoDB Local and an SQS server but no Step Functions, so the tests of
 * Step Functions callers (api-handler, reconcile-orders) fake it here, at the client boundary only:
 * the real SFNClient serialises the calls and parses the answers and errors exactly as against AWS.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeExecution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: string;
  startDate: number;
}

export interface FakeSfnServer {
  endpoint: string;
  executions: Map<string, FakeExecution>;
  /** Calls received, by operation name. */
  calls: { operation: string; body: Record<string, unknown> }[];
  /** Makes the next `count` calls fail with this HTTP status and error type. */
  failNext(count: number, status: number, errorType: string): void;
  /** Answers the next `count` calls only after `ms` (they still take effect at once): a call that lands and times out at the caller. */
  delayNext(count: number, ms: number): void;
  close(): Promise<void>;
}

function executionArn(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: Record<string, unknown>, errorType?: string): void {
  const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'fake-sfn-request' };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers);
  res.end(JSON.stringify(errorType ? { __type: `com.amazonaws.swf.service.v2.model#${errorType}`, message: body['message'] } : body));
}

export async function startFakeSfnServer(): Promise<FakeSfnServer> {
  const executions = new Map<string, FakeExecution>();
  const calls: FakeSfnServer['calls'] = [];
  let failures: { count: number; status: number; errorType: string } | undefined;
  let delays: { count: number; ms: number } | undefined;

  const server: Server = createServer((req, res) => {
    void (async () => {
      const operation = String(req.headers['x-amz-target'] ?? '').replace(/^AWSStepFunctions\./, '');
      const body = JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>;
      calls.push({ operation, body });
      let delayMs = 0;
      if (delays && delays.count > 0) {
        delays.count -= 1;
        delayMs = delays.ms;
      }
      const answer = reply;
      const send = (r: ServerResponse, status: number, payload: Record<string, unknown>, errorType?: string) => {
        if (delayMs === 0) return answer(r, status, payload, errorType);
        setTimeout(() => {
          if (!r.destroyed) answer(r, status, payload, errorType);
        }, delayMs).unref();
      };
      if (failures && failures.count > 0) {
        failures.count -= 1;
        send(res, failures.status, { message: 'injected failure' }, failures.errorType);
        return;
      }
      if (operation === 'StartExecution') {
        const stateMachineArn = String(body['stateMachineArn']);
        const name = String(body['name']);
        const input = String(body['input'] ?? '{}');
        const arn = executionArn(stateMachineArn, name);
        const existing = executions.get(arn);
        if (existing && existing.input !== input) {
          send(res, 400, { message: `Execution Already Exists: '${arn}'` }, 'ExecutionAlreadyExists');
          return;
        }
        const execution = existing ?? { executionArn: arn, stateMachineArn, name, input, startDate: Date.now() / 1000 };
        executions.set(arn, execution);
        send(res, 200, { executionArn: arn, startDate: execution.startDate });
        return;
      }
      send(res, 400, { message: `unsupported operation ${operation}` }, 'UnknownOperationException');
    })().catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    executions,
    calls,
    failNext(count, status, errorType) {
      failures = { count, status, errorType };
    },
    delayNext(count, ms) {
      delays = { count, ms };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
