import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateOrderRequestSchema, openApiDocument, renderOpenApiDocument } from '../src';

const ROOT = resolve(__dirname, '../../..');
const COMMITTED = join(ROOT, 'docs/openapi.json');

type Doc = {
  paths: Record<string, Record<string, { parameters: { name?: string; $ref?: string }[]; responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, { examples?: Record<string, unknown> }> }> }>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, { headers?: Record<string, unknown> }> };
};

/** `value`, or a failed test when it is missing. */
function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`missing ${what}`);
  return value;
}

/** The example names of a JSON error response. */
function examples(response: Doc['paths'][string][string]['responses'][string] | undefined): string[] {
  return Object.keys(must(response?.content?.['application/json']?.examples, 'examples')).sort();
}

/**
 * The validator package is ESM only and finds its schemas through import.meta.url, which this
 * jest setup (CommonJS) cannot give it: it runs in its own node process, as a person would run it.
 */
function validate(file: string): { status: number | null; verdict: { valid: boolean; version: string; errors: unknown[] } } {
  const run = spawnSync(process.execPath, [join(ROOT, 'tools/validate-openapi.mjs'), file], { encoding: 'utf8' });
  return { status: run.status, verdict: JSON.parse(run.stdout) as { valid: boolean; version: string; errors: unknown[] } };
}

describe('OpenAPI document', () => {
  it('docs/openapi.json is what openApiDocument() renders (run node tools/generate-openapi.mjs when this fails)', () => {
    expect(readFileSync(COMMITTED, 'utf8')).toBe(renderOpenApiDocument());
  });

  it('the generator check passes on the committed file', () => {
    expect(execFileSync(process.execPath, [join(ROOT, 'tools/generate-openapi.mjs'), '--check'], { cwd: ROOT, encoding: 'utf8' })).toContain('up to date');
  });

  it('is a valid OpenAPI 3.1 document for @seriousme/openapi-schema-validator', () => {
    const { status, verdict } = validate(COMMITTED);
    expect(verdict).toMatchObject({ valid: true, version: '3.1', errors: [] });
    expect(status).toBe(0);
  });

  it('the validator is not vacuous: a broken reference and a missing response description fail', () => {
    const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
    try {
      const broken = openApiDocument() as unknown as Doc;
      const post = must(broken.paths['/order']?.['post'], 'POST /order');
      post.responses['202'] = { description: undefined } as never;
      post.responses['409'] = { $ref: '#/components/responses/Nowhere' } as never;
      writeFileSync(join(dir, 'broken.json'), JSON.stringify(broken));
      const { status, verdict } = validate(join(dir, 'broken.json'));
      expect(verdict.valid).toBe(false);
      expect(status).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('asks each operation for its scope under one OAuth scheme that lists all three', () => {
    const doc = openApiDocument() as unknown as Doc & { components: { securitySchemes: Record<string, { flows: { clientCredentials: { scopes: Record<string, string> } } }> } };
    const security = (operation: object | undefined, name: string) => (must(operation, name) as { security?: unknown }).security;
    expect(security(doc.paths['/order']?.['post'], 'POST /order')).toEqual([{ orders: ['orders/write'] }]);
    expect(security(doc.paths['/orders/{order_id}']?.['get'], 'GET')).toEqual([{ orders: ['orders/read'] }]);
    expect(Object.keys(doc.components.securitySchemes['orders']?.flows.clientCredentials.scopes ?? {}).sort()).toEqual(['orders/act-for-customers', 'orders/read', 'orders/write']);
  });

  it('takes the request body from CreateOrderRequestSchema and documents every error and header', () => {
    const doc = openApiDocument() as unknown as Doc;
    expect(doc.components.schemas['CreateOrderRequest']).toEqual(JSON.parse(JSON.stringify(CreateOrderRequestSchema)));
    const post = must(doc.paths['/order']?.['post'], 'POST /order');
    const get = must(doc.paths['/orders/{order_id}']?.['get'], 'GET /orders/{order_id}');
    expect(Object.keys(post.responses).sort()).toEqual(['202', '400', '401', '403', '405', '409', '413', '415', '500', '503']);
    expect(Object.keys(get.responses).sort()).toEqual(['200', '401', '403', '404', '405', '500', '503']);
    expect(examples(post.responses['403'])).toEqual(['CUSTOMER_MISMATCH']);
    expect(examples(post.responses['400'])).toEqual(['INVALID_HEADER', 'INVALID_JSON', 'VALIDATION_FAILED']);
    expect(examples(post.responses['409'])).toEqual(['IDEMPOTENCY_CONFLICT']);
    expect(examples(get.responses['404'])).toEqual(['ORDER_NOT_FOUND']);
    expect(post.parameters.map((p) => p.name ?? p.$ref)).toContain('Idempotency-Key');
    expect(Object.keys(must(post.responses['202']?.headers, '202 headers'))).toEqual(expect.arrayContaining(['Location', 'idempotent-replayed']));
    expect(Object.keys(must(doc.components.responses['ServiceUnavailable']?.headers, '503 headers'))).toEqual(['Retry-After']);
    expect(Object.keys(must(doc.components.responses['MethodNotAllowed']?.headers, '405 headers'))).toEqual(['Allow']);
  });
});
