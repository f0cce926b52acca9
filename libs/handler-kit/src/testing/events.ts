/**
 * Event factories for tests: realistic API Gateway (REST payload 1.0, HTTP API payload 2.0) and SQS
 * events and a Lambda context. Not used by handler code, so bundles never contain them.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, Context, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';

export interface HttpEventInput {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestId?: string;
  stage?: string;
  pathParameters?: Record<string, string>;
  /**
   * The claims API Gateway's JWT authorizer verified (`tokenClaims()`); default: a trusted backend's.
   * `null`: no authorizer in the event (a route without one).
   */
  claims?: Record<string, string> | null;
}

/** The app client id of the test tokens. */
export const TEST_CLIENT_ID = 'dofs-test-client';

/**
 * Verified access-token claims as API Gateway passes them (every value a string): a trusted
 * backend's (client credentials, all scopes) by default, a customer's with `customer`.
 */
export function tokenClaims(options: { customer?: string; scope?: string } = {}): Record<string, string> {
  const now = Math.floor(Date.now() / 1000);
  const customer = options.customer !== undefined;
  return {
    iss: 'https://issuer.example.test/dofs',
    sub: customer ? (options.customer as string) : TEST_CLIENT_ID,
    client_id: TEST_CLIENT_ID,
    token_use: 'access',
    scope: options.scope ?? (customer ? 'orders/write orders/read' : 'orders/write orders/read orders/act-for-customers'),
    iat: String(now),
    exp: String(now + 3600),
    jti: nextId('jti'),
  };
}

let counter = 0;
function nextId(prefix: string): string {
  counter += 1;
  return `${prefix}-${String(counter).padStart(8, '0')}`;
}

/** A REST API (payload 1.0) proxy event. */
export function apiGatewayV1Event(input: HttpEventInput): APIGatewayProxyEvent {
  const headers = input.headers ?? {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) multiValueHeaders[name] = [value];
  const stage = input.stage ?? 'dev';
  const requestId = input.requestId ?? nextId('v1req');
  return {
    resource: input.path,
    path: input.path,
    httpMethod: input.method,
    headers,
    multiValueHeaders,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: input.pathParameters ?? null,
    stageVariables: null,
    body: input.body ?? null,
    isBase64Encoded: input.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123defg',
      authorizer: input.claims === null ? null : { claims: input.claims ?? tokenClaims(), scopes: null },
      protocol: 'HTTP/1.1',
      httpMethod: input.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '203.0.113.10',
        user: null,
        userAgent: 'jest',
        userArn: null,
      },
      path: `/${stage}${input.path}`,
      stage,
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'res123',
      resourcePath: input.path,
    },
  };
}

/** An HTTP API (payload 2.0) proxy event. Header names are lower-case, as HTTP API sends them. */
export function apiGatewayV2Event(input: HttpEventInput): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) headers[name.toLowerCase()] = value;
  const stage = input.stage ?? '$default';
  const requestId = input.requestId ?? nextId('v2req');
  const rawPath = stage === '$default' ? input.path : `/${stage}${input.path}`;
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123defg',
      domainName: 'abc123defg.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123defg',
      http: { method: input.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.10', userAgent: 'jest' },
      requestId,
      routeKey: '$default',
      stage,
      time: '24/Nov/2026:00:00:00 +0000',
      timeEpoch: Date.now(),
      ...(input.claims === null ? {} : { authorizer: { jwt: { claims: input.claims ?? tokenClaims(), scopes: null } } }),
    },
    isBase64Encoded: input.isBase64Encoded ?? false,
  };
  if (input.body !== undefined && input.body !== null) event.body = input.body;
  if (input.pathParameters) event.pathParameters = input.pathParameters;
  return event;
}

export interface SqsRecordInput {
  body: string;
  messageId?: string;
  receiveCount?: number;
  sentTimestamp?: number;
  /** String message attributes, e.g. `{ order_id, correlation_id }`. */
  attributes?: Record<string, string>;
  queueName?: string;
}

/** One SQS record as the event source mapping delivers it. */
export function sqsRecord(input: SqsRecordInput): SQSRecord {
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(input.attributes ?? {})) {
    messageAttributes[name] = { dataType: 'String', stringValue: value, stringListValues: [], binaryListValues: [] };
  }
  const queueName = input.queueName ?? 'order_queue';
  return {
    messageId: input.messageId ?? `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`,
    receiptHandle: `AQEB${nextId('receipt')}`,
    body: input.body,
    attributes: {
      ApproximateReceiveCount: String(input.receiveCount ?? 1),
      SentTimestamp: String(input.sentTimestamp ?? Date.now()),
      SenderId: 'AROAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes,
    md5OfBody: '00000000000000000000000000000000',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:eu-west-1:123456789012:${queueName}`,
    awsRegion: 'eu-west-1',
  };
}

export function sqsEvent(records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/** A Lambda context with a fresh request id; `getRemainingTimeInMillis` reports `remainingMs`. */
export function lambdaContext(input: { functionName?: string; awsRequestId?: string; remainingMs?: number } = {}): Context {
  const functionName = input.functionName ?? 'dofs-test-function';
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: input.awsRequestId ?? nextId('lambda-req'),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/24/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => input.remainingMs ?? 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
