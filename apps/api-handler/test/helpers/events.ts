import { apiGatewayV1Event, apiGatewayV2Event, sampleOrder, type HttpEventInput } from '@dofs/handler-kit/testing';

export type PayloadVersion = 'v1' | 'v2';
export const PAYLOAD_VERSIONS: PayloadVersion[] = ['v1', 'v2'];

export function httpEvent(version: PayloadVersion, input: HttpEventInput) {
  return version === 'v1' ? apiGatewayV1Event(input) : apiGatewayV2Event(input);
}

/** POST /order with a JSON body (a string body is sent as is). */
export function postOrder(version: PayloadVersion, body: unknown = sampleOrder(), headers: Record<string, string> = {}) {
  return httpEvent(version, {
    method: 'POST',
    path: '/order',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export function getOrderEvent(version: PayloadVersion, orderId: string, headers: Record<string, string> = {}) {
  return httpEvent(version, { method: 'GET', path: `/orders/${orderId}`, headers, pathParameters: { order_id: orderId } });
}

export interface ParsedResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Record<string, unknown> & { error?: { code: string; message: string; details: { path: string; message: string }[] } };
}

export function parse(response: { statusCode: number; headers: Record<string, string>; body: string }): ParsedResponse {
  return { statusCode: response.statusCode, headers: response.headers, body: JSON.parse(response.body) as ParsedResponse['body'] };
}
