import { JSON_CONTENT_TYPE } from '../constants';
import { errorBody, type HttpError } from '../errors';
import type { HttpResponse } from './event';

/** A JSON response. Header names are lower-case (HTTP/2 style; both payload versions pass them through). */
export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': JSON_CONTENT_TYPE, ...headers },
    body: JSON.stringify(body),
  };
}

/** The response for an HttpError: its status, its headers and the standard error body. */
export function errorResponse(error: HttpError, headers: Record<string, string> = {}): HttpResponse {
  return jsonResponse(error.statusCode, errorBody(error), { ...error.headers, ...headers });
}
