import { createHttpError, ERROR_CODES, type HttpRequest } from '@dofs/handler-kit';
import { SCOPES } from '@dofs/order-domain';

/** `jwt`: every request carries what API Gateway's JWT authorizer verified (deployed). `none`: an open API (`npm start -- --no-auth`). */
export const AUTH_MODES = ['jwt', 'none'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/**
 * Who is calling (docs/design.md "Who may place and read an order"):
 * - `backend`: a token with `orders/act-for-customers` (client credentials): names the customer in
 *   the body, reads any order;
 * - `customer`: any other token: the customer is the token's subject, never the body's;
 * - `anyone`: the open local API, where the body names the customer as it always did.
 */
export type Caller = { kind: 'backend'; clientId: string } | { kind: 'customer'; customerId: string } | { kind: 'anyone' };

/**
 * The caller of a request, from the authorizer's claims only (headers are the client's to forge).
 * Under `jwt`, a request without verified claims or without a subject is refused with a 401: a
 * route deployed without the authorizer must not fall open.
 */
export function callerOf(request: Pick<HttpRequest, 'authorizer'>, mode: AuthMode): Caller {
  if (mode === 'none') return { kind: 'anyone' };
  const token = request.authorizer;
  const subject = token?.claims['sub'];
  if (!token || !subject) {
    throw createHttpError(401, ERROR_CODES.UNAUTHENTICATED, 'no verified caller: the request carries no token claims from the API authorizer');
  }
  if (token.scopes.includes(SCOPES.ACT_FOR_CUSTOMERS)) return { kind: 'backend', clientId: token.claims['client_id'] ?? subject };
  return { kind: 'customer', customerId: subject };
}

/** May `caller` act on `customerId`'s orders? */
export function mayActFor(caller: Caller, customerId: string): boolean {
  return caller.kind !== 'customer' || caller.customerId === customerId;
}

/** Log fields that say who called, without the token. */
export function callerFields(caller: Caller): Record<string, string> {
  if (caller.kind === 'backend') return { caller: 'backend', client_id: caller.clientId };
  if (caller.kind === 'customer') return { caller: 'customer' };
  return { caller: 'anyone' };
}
