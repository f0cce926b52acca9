/**
 * The only AWS endpoint an offline `terraform plan` talks to (AWS_ENDPOINT_URL points every
 * service at it). It answers the two calls planning makes: STS GetCallerIdentity (provider
 * configuration, data.aws_caller_identity) and Step Functions ValidateStateMachineDefinition (the
 * CustomizeDiff of aws_sfn_state_machine). Anything else is refused, so an unexpected call fails
 * the plan instead of reaching AWS, and every request is recorded with the service named by its
 * SigV4 credential scope: the plan-time calls are measured, not assumed.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const OFFLINE_ACCOUNT_ID = '123456789012';

export interface RecordedCall {
  /** Signing name from the credential scope, e.g. `sts`, `states`. */
  service: string;
  /** API operation: X-Amz-Target's operation, the query `Action`, or `<METHOD> <path>` for REST APIs. */
  operation: string;
  /** Whether the endpoint answered it (false: refused, the plan fails). */
  answered: boolean;
}

export interface FakeAwsEndpoint {
  url: string;
  calls: RecordedCall[];
  close(): Promise<void>;
}

function serviceOf(request: IncomingMessage): string {
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(request.headers.authorization ?? '');
  return scope?.[1] ?? 'unsigned';
}

function operationOf(request: IncomingMessage, body: string): string {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') return target.slice(target.lastIndexOf('.') + 1);
  const action = /(?:^|&)Action=([A-Za-z]+)/.exec(body)?.[1];
  return action ?? `${request.method} ${request.url?.split('?')[0] ?? '/'}`;
}

const CALLER_IDENTITY = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::${OFFLINE_ACCOUNT_ID}:user/offline-plan</Arn><UserId>AIDAOFFLINEPLAN00000</UserId><Account>${OFFLINE_ACCOUNT_ID}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>offline</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;

export async function startFakeAwsEndpoint(): Promise<FakeAwsEndpoint> {
  const calls: RecordedCall[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const call = { service: serviceOf(request), operation: operationOf(request, body), answered: true };
      if (call.service === 'sts' && call.operation === 'GetCallerIdentity') {
        response.writeHead(200, { 'content-type': 'text/xml' }).end(CALLER_IDENTITY);
      } else if (call.service === 'states' && call.operation === 'ValidateStateMachineDefinition') {
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ result: 'OK', diagnostics: [], truncated: false }));
      } else {
        call.answered = false;
        response
          .writeHead(400, { 'content-type': 'application/x-amz-json-1.0' })
          .end(JSON.stringify({ __type: 'UnrecognizedClientException', message: `offline plan: ${call.service} ${call.operation} is not served here` }));
      }
      calls.push(call);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
