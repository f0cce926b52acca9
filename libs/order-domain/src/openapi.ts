import { LIMITS, PATTERNS, SCOPES } from './constants';
import { CreateOrderRequestSchema, ErrorBodySchema, OrderAcceptedSchema, OrderViewSchema } from './schemas';

type Json = Record<string, unknown>;

/** A plain JSON copy: drops typebox's symbol-keyed metadata. */
function plain(value: unknown): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

function errorExample(code: string, message: string, details: { path: string; message: string }[] = []) {
  return { value: { error: { code, message, details } } };
}

/** An error response with one example per code it may carry. */
function errorResponse(description: string, examples: Record<string, ReturnType<typeof errorExample>>, headers?: Json): Json {
  return { description, ...(headers ? { headers } : {}), content: { 'application/json': { schema: ref('Error'), examples } } };
}

const CORRELATION_HEADER = {
  description: 'The correlation id of the request: the client\'s `X-Correlation-Id` when valid, else the API Gateway request id.',
  schema: { type: 'string' },
};

/**
 * The OpenAPI 3.1 document of the order API, built from the typebox schemas (the request body is
 * `CreateOrderRequestSchema`, the same one ValidateOrder checks again). docs/openapi.json is
 * this, written by tools/generate-openapi.mjs; a test fails when the committed file is stale.
 */
export function openApiDocument(): Json {
  const responses: Json = {
    MethodNotAllowed: errorResponse(
      'Another method on this path. `Allow` lists the one that is served.',
      { METHOD_NOT_ALLOWED: errorExample('METHOD_NOT_ALLOWED', 'method not allowed; use POST') },
      { Allow: { schema: { type: 'string' } } },
    ),
    InternalError: errorResponse('Our fault; the request may be retried.', { INTERNAL_ERROR: errorExample('INTERNAL_ERROR', 'internal error') }),
    Unauthorized: {
      description:
        'Answered by API Gateway\'s JWT authorizer (its own body, not the DOFS error body): no token, or a token that is not valid here (signature, issuer, audience or `client_id`, `exp`, `nbf`). ' +
        'api-handler answers `401 UNAUTHENTICATED` with the DOFS error body if a request ever reaches it without verified claims.',
      content: { 'application/json': { schema: { type: 'object', properties: { message: { type: 'string', enum: ['Unauthorized'] } } } } },
    },
    Forbidden: {
      description: 'Answered by API Gateway\'s JWT authorizer (its own body): the token carries none of the operation\'s scopes.',
      content: { 'application/json': { schema: { type: 'object', properties: { message: { type: 'string', enum: ['Forbidden'] } } } } },
    },
    ServiceUnavailable: errorResponse(
      'DynamoDB is unavailable: nothing was accepted or read. Retry after `Retry-After` seconds (with the same `Idempotency-Key`).',
      { SERVICE_UNAVAILABLE: errorExample('SERVICE_UNAVAILABLE', 'orders are unavailable, retry later') },
      { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 0 } } },
    ),
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'DOFS order API',
      version: '1.0.0',
      description:
        'Orders are accepted with one durable write (202 means stored) and fulfilled asynchronously. Money is integer minor units. ' +
        'Every error body is `{ error: { code, message, details: [ { path, message } ] } }`; an unknown path is `404 NOT_FOUND`, ' +
        'another method on a known path `405 METHOD_NOT_ALLOWED`. ' +
        `Every operation needs an OAuth access token (\`Authorization: Bearer …\`) with its scope. A token with \`${SCOPES.ACT_FOR_CUSTOMERS}\` is a trusted backend: it names the customer in the body and reads any order; any other token is a customer's: ` +
        'its subject is the customer, a body naming another customer is `403 CUSTOMER_MISMATCH`, and another customer\'s order is `404` as an unknown id. ' +
        'Generated from the typebox schemas in libs/order-domain: do not edit.',
    },
    servers: [{ url: 'http://127.0.0.1:3000', description: 'the local stack (`npm start`); a deployed stage is the `api_url` output of infra/envs/dev' }],
    paths: {
      '/order': {
        post: {
          operationId: 'createOrder',
          summary: 'Place an order',
          security: [{ orders: [SCOPES.WRITE] }],
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              description:
                'Scoped per customer, valid for the idempotency window (24 h by default): the same key and body answer the same 202 with `idempotent-replayed: true` and create nothing; another body is 409.',
              schema: { type: 'string', minLength: LIMITS.IDEMPOTENCY_KEY_MIN_LENGTH, maxLength: LIMITS.IDEMPOTENCY_KEY_MAX_LENGTH, pattern: PATTERNS.IDEMPOTENCY_KEY },
            },
            { $ref: '#/components/parameters/CorrelationId' },
          ],
          requestBody: {
            required: true,
            description: `At most ${LIMITS.MAX_BODY_BYTES} bytes.`,
            content: { 'application/json': { schema: ref('CreateOrderRequest') } },
          },
          responses: {
            '202': {
              description: 'Accepted: the order is stored RECEIVED (GET answers 200 from now on) and will end in exactly one terminal status.',
              headers: {
                Location: { description: 'The order: /orders/{order_id}.', schema: { type: 'string' } },
                'idempotent-replayed': {
                  description: 'Present, `true`, when this answers a retry with the same Idempotency-Key and body: no new order was created.',
                  schema: { type: 'string', enum: ['true'] },
                },
                'x-correlation-id': CORRELATION_HEADER,
              },
              content: { 'application/json': { schema: ref('OrderAccepted') } },
            },
            '400': errorResponse('The request is malformed; nothing was stored.', {
              INVALID_JSON: errorExample('INVALID_JSON', 'request body is not valid JSON'),
              VALIDATION_FAILED: errorExample('VALIDATION_FAILED', 'the order does not match the schema', [{ path: '/items/0/quantity', message: `must be <= ${LIMITS.MAX_QUANTITY}` }]),
              INVALID_HEADER: errorExample('INVALID_HEADER', 'malformed Idempotency-Key header', [{ path: 'Idempotency-Key', message: 'must be 1 to 128 printable ASCII characters' }]),
            }),
            '401': { $ref: '#/components/responses/Unauthorized' },
            '403': errorResponse('The token carries none of the operation\'s scopes (API Gateway\'s own `{"message":"Forbidden"}`), or a customer\'s token names another customer in the body; nothing was stored.', {
              CUSTOMER_MISMATCH: errorExample('CUSTOMER_MISMATCH', 'a customer may place orders only for themselves', [{ path: '/customer_id', message: 'must be the customer the token was issued to' }]),
            }),
            '405': { $ref: '#/components/responses/MethodNotAllowed' },
            '409': errorResponse('The Idempotency-Key was used with a different body; nothing was stored.', {
              IDEMPOTENCY_CONFLICT: errorExample('IDEMPOTENCY_CONFLICT', 'this Idempotency-Key was already used with a different request body', [
                { path: 'Idempotency-Key', message: 'reuse a key only to retry the identical request' },
              ]),
            }),
            '413': errorResponse(`The body is over ${LIMITS.MAX_BODY_BYTES} bytes.`, { PAYLOAD_TOO_LARGE: errorExample('PAYLOAD_TOO_LARGE', `request body is larger than ${LIMITS.MAX_BODY_BYTES} bytes`) }),
            '415': errorResponse('The content type is not JSON (`application/json` or `application/*+json`).', {
              UNSUPPORTED_MEDIA_TYPE: errorExample('UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json'),
            }),
            '500': { $ref: '#/components/responses/InternalError' },
            '503': { $ref: '#/components/responses/ServiceUnavailable' },
          },
        },
      },
      '/orders/{order_id}': {
        get: {
          operationId: 'getOrder',
          summary: 'Read an order, its status and its status history',
          security: [{ orders: [SCOPES.READ] }],
          parameters: [
            { name: 'order_id', in: 'path', required: true, schema: { type: 'string', pattern: PATTERNS.ORDER_ID } },
            { $ref: '#/components/parameters/CorrelationId' },
          ],
          responses: {
            '200': {
              description: 'The stored order. FAILED and REJECTED orders carry a public `status_reason`.',
              headers: { 'x-correlation-id': CORRELATION_HEADER },
              content: { 'application/json': { schema: ref('OrderView') } },
            },
            '401': { $ref: '#/components/responses/Unauthorized' },
            '403': { $ref: '#/components/responses/Forbidden' },
            '404': errorResponse('No order with this id (also for ids that cannot be order ids, and for another customer\'s order when a customer asks).', {
              ORDER_NOT_FOUND: errorExample('ORDER_NOT_FOUND', 'no order with this id'),
            }),
            '405': { $ref: '#/components/responses/MethodNotAllowed' },
            '500': { $ref: '#/components/responses/InternalError' },
            '503': { $ref: '#/components/responses/ServiceUnavailable' },
          },
        },
      },
    },
    components: {
      schemas: {
        CreateOrderRequest: plain(CreateOrderRequestSchema),
        OrderAccepted: plain(OrderAcceptedSchema),
        OrderView: plain(OrderViewSchema),
        Error: plain(ErrorBodySchema),
      },
      parameters: {
        CorrelationId: {
          name: 'X-Correlation-Id',
          in: 'header',
          required: false,
          description: 'Carried through the workflow, the queue and the logs; an invalid value is replaced, not rejected.',
          schema: { type: 'string', maxLength: 128 },
        },
      },
      responses,
      securitySchemes: {
        orders: {
          type: 'oauth2',
          description:
            'Access tokens of the API\'s issuer (an Amazon Cognito user pool by default, see infra/README.md; locally `npx dofs token`), verified by API Gateway\'s JWT authorizer. ' +
            'Backends use the client credentials flow; customer-facing apps obtain customer tokens (authorization code flow).',
          flows: {
            clientCredentials: {
              // The local stack's; a deployed stage's is the `token_endpoint` output of infra/envs/dev.
              tokenUrl: 'http://127.0.0.1:3000/_local/auth/oauth2/token',
              scopes: {
                [SCOPES.WRITE]: 'place orders',
                [SCOPES.READ]: 'read orders',
                [SCOPES.ACT_FOR_CUSTOMERS]: 'act for any customer (trusted backends only)',
              },
            },
          },
        },
      },
    },
  };
}

/** docs/openapi.json's exact text. */
export function renderOpenApiDocument(): string {
  return `${JSON.stringify(openApiDocument(), null, 2)}\n`;
}
