// One home per concept, kept by a scan of the source (docs/design.md "Where each step lives"):
// - the `open-orders` index (its name, its attributes, its `OPEN#<shard>` keys) is named only in
//   libs/ddb-repo/src (orders-table.ts);
// - an order message (`{ order_id, correlation_id, dispatch }`) is built only by order-domain's
//   `orderMessageFor` (carrier.ts) and sent only by queue-client's QueueClient;
// - no import cycle between source files anywhere in the repo (apps, libs, tools; tests included).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '../../..');

/** Names of the index and its attributes, as code would spell them. */
const INDEX_NAMES = [/OPEN#/, /\bopen_shard\b/, /\bopen_since\b/, /['"]open-orders['"]/];

/**
 * The one place outside ddb-repo that must name the index: the local table declaration (it mirrors
 * infra/modules' table, and libs/local-aws/test/servers.spec.ts and the drift tests compare them).
 */
const INDEX_ALLOWED = ['libs/local-aws/src/tables.ts'];

/** An object literal (no nested braces) with both keys, in either order. */
function literalWith(a: string, b: string): RegExp {
  return new RegExp(`\\{[^{}]*\\b(${a}\\s*:[^{}]*\\b${b}|${b}\\s*:[^{}]*\\b${a})\\s*:[^{}]*\\}`);
}

/** Ways of building or sending an order message by hand. */
const MESSAGE_BUILDERS: { what: string; pattern: RegExp; allowed: string[] }[] = [
  { what: 'an order message literal ({ order_id, ..., dispatch })', pattern: literalWith('order_id', 'dispatch'), allowed: ['libs/order-domain/src/carrier.ts'] },
  { what: 'a JSON body with an order_id', pattern: /JSON\.stringify\(\s*\{[^{}]*\border_id\b/, allowed: [] },
  { what: 'an SQS MessageBody', pattern: /\bMessageBody\s*:/, allowed: ['libs/queue-client/src/queue-client.ts'] },
];

function sourceFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'generated' ? [] : sourceFiles(path);
    return /\.(ts|mts|cts|js|mjs|cjs)$/.test(entry.name) ? [path] : [];
  });
}

const projects = (parent: string) => readdirSync(join(ROOT, parent), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `${parent}/${e.name}`);

/** Every project's own source (`src`): apps, libs and tools. Tests are free to look at the table they test. */
function allSources(): { file: string; text: string }[] {
  return [...projects('apps'), ...projects('libs'), ...projects('tools')].flatMap((project) =>
    sourceFiles(join(ROOT, project, 'src')).map((path) => ({ file: relative(ROOT, path), text: readFileSync(path, 'utf8') })),
  );
}

/** Product code and the operator CLI: what sends orders on their way (the local stack emulates AWS and may relay any body). */
const isProductOrCli = (file: string) => !file.startsWith('apps/local-stack/') && !file.startsWith('libs/local-aws/');

export function indexViolations(sources: { file: string; text: string }[]): string[] {
  return sources
    .filter((s) => !s.file.startsWith('libs/ddb-repo/src/') && !INDEX_ALLOWED.includes(s.file))
    .flatMap((s) => INDEX_NAMES.filter((name) => name.test(s.text)).map((name) => `${s.file} names the open-orders index (${name.source}): use @dofs/ddb-repo's orders-table`));
}

export function messageViolations(sources: { file: string; text: string }[]): string[] {
  return sources
    .filter((s) => isProductOrCli(s.file))
    .flatMap((s) => MESSAGE_BUILDERS.filter((b) => !b.allowed.includes(s.file) && b.pattern.test(s.text)).map((b) => `${s.file} builds ${b.what}: use orderMessageFor and OrderDispatcher`));
}

/** Relative imports (`import`/`export … from './x'`, type-only too) resolved to .ts files. */
const RELATIVE_IMPORT = /(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]/g;

function resolveImport(from: string, spec: string, exists: (file: string) => boolean): string | undefined {
  const base = join(from, '..', spec);
  return [base, `${base}.ts`, join(base, 'index.ts')].find((candidate) => candidate.endsWith('.ts') && exists(candidate));
}

/** Every cycle of relative imports among `files` (path -> text), each as `a -> b -> a`. */
export function importCycles(files: Map<string, string>): string[] {
  const graph = new Map([...files].map(([file, text]) => [file, [...text.matchAll(RELATIVE_IMPORT)].map((m) => resolveImport(file, m[1] as string, (f) => files.has(f))).filter((f): f is string => f !== undefined)]));
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const cycles: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next].join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

describe('one home per concept', () => {
  const sources = allSources();

  it('scans the source of every project', () => {
    expect(sources.map((s) => s.file)).toEqual(expect.arrayContaining(['apps/api-handler/src/create-order.ts', 'libs/order-domain/src/carrier.ts', 'tools/dofs-cli/src/failed.ts']));
  });

  it('names the open-orders index only in ddb-repo', () => {
    expect(indexViolations(sources)).toEqual([]);
  });

  it('builds and sends order messages only through orderMessageFor and QueueClient', () => {
    expect(messageViolations(sources)).toEqual([]);
  });

  it('has no import cycle between files, in any project (tests too)', () => {
    const files = new Map(
      [...projects('apps'), ...projects('libs'), ...projects('tools')]
        .flatMap((project) => sourceFiles(join(ROOT, project)).filter((path) => /\.ts$/.test(path) && !path.endsWith('.d.ts')))
        .map((path) => [relative(ROOT, path), readFileSync(path, 'utf8')] as const),
    );
    expect(files.size).toBeGreaterThan(200);
    expect(importCycles(files)).toEqual([]);
    // Planted: two files importing each other (one of them type-only) are a cycle.
    const planted = new Map([
      ['apps/x/src/a.ts', "import type { B } from './b';"],
      ['apps/x/src/b.ts', "import { a } from './a';"],
    ]);
    expect(importCycles(planted)).toEqual(['apps/x/src/a.ts -> apps/x/src/b.ts -> apps/x/src/a.ts']);
  });

  it('sees a violation when one is planted', () => {
    const planted = [
      { file: 'apps/api-handler/src/planted.ts', text: "const item = { ...order, open_shard: `OPEN#${shard}` };" },
      { file: 'apps/reconcile-orders/src/planted.ts', text: 'const body = { order_id: order.order_id, correlation_id: order.order_id, dispatch: 2 };' },
      { file: 'tools/dofs-cli/src/planted.ts', text: "sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify({ order_id: id }) }));" },
    ];
    expect(indexViolations(planted)).toHaveLength(2);
    expect(messageViolations(planted)).toHaveLength(3);
  });
});
