import { createHttpError, ERROR_CODES, HEADERS, type HttpRequest } from '@dofs/handler-kit';

export type RouteName = 'createOrder' | 'getOrder';

export interface MatchedRoute {
  name: RouteName;
  /** Path parameters, still percent-encoded. */
  params: Record<string, string>;
}

interface RouteDefinition {
  pattern: RegExp;
  /** Method -> route. */
  methods: Readonly<Record<string, RouteName>>;
  params: readonly string[];
}

/** The API: `POST /order` and `GET /orders/{order_id}` (a trailing slash is tolerated). */
const ROUTES: readonly RouteDefinition[] = [
  { pattern: /^\/order\/?$/, methods: { POST: 'createOrder' }, params: [] },
  { pattern: /^\/orders\/([^/]+)\/?$/, methods: { GET: 'getOrder' }, params: ['order_id'] },
];

function match(path: string): { route: RouteDefinition; values: string[] } | undefined {
  for (const route of ROUTES) {
    const found = route.pattern.exec(path);
    if (found) return { route, values: found.slice(1) };
  }
  return undefined;
}

/**
 * Finds the route of a request, or throws the 404 (unknown path) / 405 (known path, other method,
 * with `Allow`) to answer. HTTP API payload 2.0 puts a named stage in front of `rawPath`
 * (`/dev/order`): the path is tried as is first, then without that prefix.
 */
export function routeRequest(request: Pick<HttpRequest, 'method' | 'path' | 'stage'>): MatchedRoute {
  let found = match(request.path);
  if (!found && request.stage && request.path.startsWith(`/${request.stage}/`)) {
    found = match(request.path.slice(request.stage.length + 1));
  }
  if (!found) throw createHttpError(404, ERROR_CODES.NOT_FOUND, 'no such resource');
  const name = found.route.methods[request.method];
  if (!name) {
    const allow = Object.keys(found.route.methods).join(', ');
    throw createHttpError(405, ERROR_CODES.METHOD_NOT_ALLOWED, `method not allowed; use ${allow}`, { headers: { [HEADERS.ALLOW]: allow } });
  }
  const params: Record<string, string> = {};
  found.route.params.forEach((param, index) => {
    params[param] = found.values[index] ?? '';
  });
  return { name, params };
}
