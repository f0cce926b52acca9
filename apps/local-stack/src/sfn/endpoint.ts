// A Step Functions endpoint speaking the AWS JSON 1.0 protocol (what @aws-sdk/client-sfn and the
// aws CLI send): POST / with `X-Amz-Target: AWSStepFunctions.<Operation>` and a JSON body.
// Timestamps are epoch seconds; errors are 400 `{ "__type": "<Code>", "message": "…" }`.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { SfnFaultSource } from '../faults';
import { listen } from '../net';
import { SfnApiError, type StepFunctionsService } from './service';

const CONTENT_TYPE = 'application/x-amz-json-1.0';
const MAX_BODY = 1024 * 1024;

type Operation = (service: StepFunctionsService, body: Record<string, unknown>) => unknown;

const OPERATIONS: Record<string, Operation> = {
  StartExecution: (s, b) => s.startExecution(b),
  DescribeExecution: (s, b) => s.describeExecution(b),
  ListExecutions: (s, b) => s.listExecutions(b),
  GetExecutionHistory: (s, b) => s.getExecutionHistory(b),
  StopExecution: (s, b) => s.stopExecution(b),
  DescribeStateMachine: (s, b) => s.describeStateMachine(b),
  ListStateMachines: (s) => s.listStateMachines(),
};

/** Epoch-millisecond fields that the protocol sends as epoch seconds. */
const DATE_FIELDS = new Set(['startDate', 'stopDate', 'creationDate', 'timestamp']);

function toWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = DATE_FIELDS.has(key) && typeof v === 'number' ? v / 1000 : toWire(v);
    }
    return out;
  }
  return value;
}

export interface SfnRequestLog {
  operation: string;
  statusCode: number;
  errorCode?: string;
}

export async function handleSfnRequest(
  service: StepFunctionsService,
  target: string | undefined,
  rawBody: string,
): Promise<{ statusCode: number; body: Record<string, unknown> }> {
  const operation = /^AWSStepFunctions\.(\w+)$/.exec(target ?? '')?.[1];
  const run = operation ? OPERATIONS[operation] : undefined;
  if (!run) {
    return {
      statusCode: 400,
      body: { __type: 'UnknownOperationException', message: `Unknown or unsupported operation: ${target ?? '(no X-Amz-Target)'}` },
    };
  }
  let body: Record<string, unknown>;
  try {
    body = rawBody.trim() ? (JSON.parse(rawBody) as Record<string, unknown>) : {};
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error('not an object');
  } catch {
    return { statusCode: 400, body: { __type: 'SerializationException', message: 'Request body is not a JSON object' } };
  }
  try {
    const result = await run(service, body);
    return { statusCode: 200, body: toWire(result) as Record<string, unknown> };
  } catch (error) {
    if (error instanceof SfnApiError) {
      return { statusCode: error.statusCode, body: { __type: error.code, message: error.message } };
    }
    return { statusCode: 500, body: { __type: 'InternalFailure', message: (error as Error).message } };
  }
}

export interface SfnEndpoint {
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startSfnEndpoint(
  /** The service, or a promise of it while the stack is still starting (requests wait for it). */
  service: StepFunctionsService | Promise<StepFunctionsService>,
  options: { host: string; port: number; onRequest?: (log: SfnRequestLog) => void; faults?: SfnFaultSource },
): Promise<SfnEndpoint> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      const requestId = randomUUID();
      const send = (statusCode: number, body: Record<string, unknown>) => {
        const text = JSON.stringify(body);
        res.writeHead(statusCode, {
          'Content-Type': CONTENT_TYPE,
          'Content-Length': Buffer.byteLength(text),
          'x-amzn-RequestId': requestId,
        });
        res.end(text);
      };
      if (req.method !== 'POST') {
        send(400, { __type: 'UnknownOperationException', message: 'Only POST is supported' });
        return;
      }
      if (size > MAX_BODY) {
        send(413, { __type: 'ValidationException', message: 'Request too large' });
        return;
      }
      const target = req.headers['x-amz-target'] as string | undefined;
      const fault = target === 'AWSStepFunctions.StartExecution' ? options.faults?.startExecutionFault() : undefined;
      if (fault) {
        send(fault.statusCode, { __type: fault.code, message: fault.message });
        options.onRequest?.({ operation: 'StartExecution', statusCode: fault.statusCode, errorCode: fault.code });
        return;
      }
      void Promise.resolve(service)
        .then((ready) => handleSfnRequest(ready, target, Buffer.concat(chunks).toString('utf8')))
        .catch((error: Error) => ({ statusCode: 503, body: { __type: 'ServiceUnavailable', message: error.message } as Record<string, unknown> }))
        .then(({ statusCode, body }) => {
          send(statusCode, body);
          options.onRequest?.({
            operation: target?.split('.')[1] ?? '?',
            statusCode,
            errorCode: statusCode === 200 ? undefined : (body['__type'] as string),
          });
        });
    });
  });
  server.keepAliveTimeout = 60_000;
  const port = await listen(server, options.port, options.host);
  return {
    server,
    port,
    url: `http://${options.host}:${port}`,
    close: () => closeServer(server),
  };
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}
