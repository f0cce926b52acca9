// A CloudWatch endpoint speaking what @aws-sdk/client-cloudwatch sends (3.1164.0): the AWS JSON 1.0
// protocol with awsQueryCompatible errors. POST / with `X-Amz-Target:
// GraniteServiceVersion20100801.<Operation>` and a JSON body; timestamps are epoch seconds; an
// error is a 4xx JSON body `{ "__type": "com.amazonaws.cloudwatch#<Shape>", "message": … }` plus the
// header `x-amzn-query-error: <QueryCode>;Sender`, from which the SDK names the error
// (`InvalidParameterValueException`, `e.Code` = `InvalidParameterValue`). Only GetMetricData is
// served (get-metric-data.ts); any other operation or protocol is refused by name.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listen } from '../net';
import { closeServer } from '../sfn/endpoint';
import { CloudWatchApiError, getMetricData, type SampleSource } from './get-metric-data';

const CONTENT_TYPE = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'GraniteServiceVersion20100801.';
const ERROR_NAMESPACE = 'com.amazonaws.cloudwatch#';
const MAX_BODY = 1024 * 1024;

export interface CloudWatchResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

function errorResponse(error: CloudWatchApiError): CloudWatchResponse {
  const fault = error.statusCode >= 500 ? 'Receiver' : 'Sender';
  return {
    statusCode: error.statusCode,
    headers: { 'x-amzn-query-error': `${error.queryCode};${fault}` },
    body: { __type: `${ERROR_NAMESPACE}${error.code}`, message: error.message },
  };
}

/** Answers one request, given its `X-Amz-Target`, `Content-Type` and body. */
export function handleCloudWatchRequest(source: SampleSource, target: string | undefined, contentType: string | undefined, rawBody: string): CloudWatchResponse {
  if (!target?.startsWith(TARGET_PREFIX) || !(contentType ?? '').startsWith(CONTENT_TYPE)) {
    return errorResponse(
      new CloudWatchApiError(
        'UnknownOperationException',
        'UnknownOperation',
        `This local CloudWatch endpoint speaks the AWS JSON 1.0 protocol (X-Amz-Target: ${TARGET_PREFIX}GetMetricData, Content-Type: ${CONTENT_TYPE}), ` +
          'as @aws-sdk/client-cloudwatch sends it; not the query or the CBOR protocol',
      ),
    );
  }
  const operation = target.slice(TARGET_PREFIX.length);
  if (operation !== 'GetMetricData') {
    return errorResponse(
      new CloudWatchApiError('UnknownOperationException', 'UnknownOperation', `The local CloudWatch emulation serves GetMetricData only (got ${operation})`),
    );
  }
  let body: unknown;
  try {
    body = rawBody.trim() ? JSON.parse(rawBody) : {};
  } catch {
    return errorResponse(new CloudWatchApiError('SerializationException', 'SerializationException', 'Request body is not JSON'));
  }
  try {
    return { statusCode: 200, headers: {}, body: { ...getMetricData(body, source) } };
  } catch (error) {
    if (error instanceof CloudWatchApiError) return errorResponse(error);
    return errorResponse(new CloudWatchApiError('InternalServiceFault', 'InternalServiceError', (error as Error).message, 500));
  }
}

export interface CloudWatchEndpoint {
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves GetMetricData of the samples `source` holds on `host:port` (0 = any free port). */
export async function startCloudWatchEndpoint(source: SampleSource, options: { host: string; port: number }): Promise<CloudWatchEndpoint> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      const answer: CloudWatchResponse =
        req.method !== 'POST'
          ? errorResponse(new CloudWatchApiError('UnknownOperationException', 'UnknownOperation', 'Only POST is supported'))
          : size > MAX_BODY
            ? errorResponse(new CloudWatchApiError('PayloadTooLargeException', 'PayloadTooLarge', 'Request too large', 413))
            : handleCloudWatchRequest(
                source,
                req.headers['x-amz-target'] as string | undefined,
                req.headers['content-type'],
                Buffer.concat(chunks).toString('utf8'),
              );
      const text = JSON.stringify(answer.body);
      res.writeHead(answer.statusCode, {
        ...answer.headers,
        'Content-Type': CONTENT_TYPE,
        'Content-Length': Buffer.byteLength(text),
        'x-amzn-RequestId': randomUUID(),
      });
      res.end(text);
    });
  });
  server.keepAliveTimeout = 60_000;
  const port = await listen(server, options.port, options.host);
  return { server, port, url: `http://${options.host}:${port}`, close: () => closeServer(server) };
}
