import type { MiddlewareObj, Request } from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import {
  bodyByteLength,
  createHttpError,
  ERROR_CODES,
  HEADERS,
  mediaTypeOf,
  normalizeHttpEvent,
  type ApiGatewayEvent,
  type HttpRequest,
  type HttpResponse,
} from '@dofs/handler-kit';
import { LIMITS } from '@dofs/order-domain';
import { callerOf, type AuthMode, type Caller } from './caller';
import { routeRequest, type MatchedRoute } from './routes';

/** The event after `apiRequest()`: either payload version, normalised, with its route and its caller. */
export interface ApiEvent extends HttpRequest {
  route?: MatchedRoute;
  caller?: Caller;
}

type ApiRequest = Request<ApiEvent, HttpResponse>;
/** The middlewares are attached to a handler of raw API Gateway events; they see the normalised event. */
type ApiMiddleware = MiddlewareObj<ApiGatewayEvent, HttpResponse>;

/**
 * First middleware: turns the API Gateway event (payload 1.0 or 2.0) into one `HttpRequest`, routes
 * it, so a 404/405 is answered before anything reads the body, and names its caller from the
 * authorizer's claims (401 under `jwt` when there are none).
 */
export function apiRequest(authMode: AuthMode): ApiMiddleware {
  const apiRequestBefore = (request: ApiRequest): void => {
    const normalised: ApiEvent = normalizeHttpEvent(request.event);
    request.event = normalised;
    normalised.route = routeRequest(normalised);
    normalised.caller = callerOf(normalised, authMode);
  };
  return { before: apiRequestBefore as unknown as ApiMiddleware['before'] };
}

function isJsonMediaType(mediaType: string | undefined): boolean {
  return mediaType === 'application/json' || (mediaType !== undefined && /^application\/[a-z0-9.-]+\+json$/.test(mediaType));
}

/**
 * For routes with a body (POST /order): 413 above LIMITS.MAX_BODY_BYTES (decoded), 415 unless the
 * media type is JSON (any parameters, e.g. charset, and any case), 400 INVALID_JSON for an empty
 * or unparseable body; then @middy/http-json-body-parser replaces `body` with the parsed value.
 */
export function jsonBody(): ApiMiddleware {
  const parser = httpJsonBodyParser({ disableContentTypeCheck: true });
  const jsonBodyBefore = (request: ApiRequest): unknown => {
    if (request.event.route?.name !== 'createOrder') return undefined;
    const event = request.event;
    const size = bodyByteLength(event);
    if (size > LIMITS.MAX_BODY_BYTES) {
      throw createHttpError(413, ERROR_CODES.PAYLOAD_TOO_LARGE, `request body is larger than ${LIMITS.MAX_BODY_BYTES} bytes`);
    }
    if (!isJsonMediaType(mediaTypeOf(event.headers[HEADERS.CONTENT_TYPE]))) {
      throw createHttpError(415, ERROR_CODES.UNSUPPORTED_MEDIA_TYPE, 'Content-Type must be application/json');
    }
    if (typeof event.body !== 'string' || size === 0) {
      throw createHttpError(400, ERROR_CODES.INVALID_JSON, 'request body is empty; send the order as JSON');
    }
    return parser.before?.(request as unknown as Parameters<NonNullable<typeof parser.before>>[0]);
  };
  return { before: jsonBodyBefore as unknown as ApiMiddleware['before'] };
}
