/**
 * The figures of the offline checks, printed: plan counts per root, the size of every rendered
 * policy against its limit, the call tables' row counts, the calls evaluated and what is denied,
 * and the argument differences between the 5.100 and 6.x schemas of the types infra/ uses.
 *
 *   npx nx run infra:offline-report                    # this tree
 *   npx nx run infra:offline-report -- --before main   # also what the same checks say of another commit's infra/
 *
 * For --before, the other commit's infra/ gets only the two changes any plan on 5.100 needs (a
 * provider constraint that admits 5.100, data.aws_region's `name` for `region`) and one variable
 * default, so that its own IAM is what is measured.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { providerCallFindings, handlerCallFindings, quotaFigures, unusedGrantFindings, type CallFinding } from '../test/support/iam/checks';
import { iamInputs, HANDLER_CALLS, PROVIDER_CALLS } from '../test/support/iam/inputs';
import { findPluginDir } from '../test/support/offline/plugin-dir';
import { planAllOffline, ROOTS, type OfflineResult } from '../test/support/offline/terraform-offline';
import { loadSchema } from '../test/support/provider-schema';
import { WORKSPACE_ROOT } from '../test/support/terraform';

function counts(result: OfflineResult): string[] {
  return ROOTS.map((root) => {
    const changes = (result.roots[root].plan.resource_changes as { mode: string; change: { actions: string[] } }[]).filter((c) => c.mode === 'managed');
    return `${root}: ${changes.filter((c) => c.change.actions.includes('create')).length} to add (${result.roots[root].passes} plans to render every policy)`;
  });
}

function unique(findings: CallFinding[]): string[] {
  return [...new Set(findings.map((f) => `${f.role} ${f.phase} ${f.action} on ${f.resource.replace(/(apis\/|%2Fapis%2F)[a-z0-9]{10}/g, '$1<id>').replace(/key\/[0-9a-f-]{36}/, 'key/<id>')} (${f.decision})`))].sort();
}

async function evaluateAll(label: string, result: OfflineResult): Promise<void> {
  const inputs = iamInputs(result);
  console.log(`\n## ${label}\n\nPlan (hashicorp/aws ${result.providerVersion}, offline, ${result.seconds.toFixed(0)} s):`);
  for (const line of counts(result)) console.log(`- ${line}`);
  console.log('\nPolicies (characters IAM counts; resource policies in bytes):');
  for (const [root, model] of Object.entries(inputs.models)) {
    for (const f of quotaFigures(model)) {
      if (f.quota === 'managed policies per role' && f.size === 0) continue;
      console.log(`- ${root} ${f.quota} ${f.subject}: ${f.size} / ${f.limit}${f.size > f.limit ? '  OVER' : ''}`);
    }
  }
  const provider = await providerCallFindings(inputs.provider);
  const handler = await handlerCallFindings(inputs.handler);
  const unused = await unusedGrantFindings(inputs.handler);
  console.log(`\nProvider calls: ${provider.evaluated} evaluated, ${provider.findings.length} denied`);
  for (const line of unique(provider.findings)) console.log(`- ${line}`);
  console.log(`Handler calls: ${handler.evaluated} evaluated, ${handler.findings.length} denied`);
  for (const line of unique(handler.findings)) console.log(`- ${line}`);
  console.log(`Allowed but never called: ${unused.evaluated} evaluated, ${unused.findings.length} allowed`);
  for (const line of unique(unused.findings)) console.log(`- ${line}`);
  const calls = [...new Set(ROOTS.flatMap((r) => result.roots[r].calls.map((c) => `${c.service}:${c.operation}`)))];
  console.log(`AWS calls while planning: ${calls.join(', ')}`);
}

function schemaDifferences(result: OfflineResult): void {
  const six = loadSchema();
  console.log(`\n## Argument differences, ${six.provider} (infra/schema) against ${result.schema.provider}, for the types infra/ uses\n`);
  type Node = { arguments: string[]; blocks: Record<string, Node> };
  const diff = (a: Node, b: Node, path = ''): string[] => [
    ...a.arguments.filter((x) => !b.arguments.includes(x) && x !== 'region').map((x) => `+${path}${x}`),
    ...b.arguments.filter((x) => !a.arguments.includes(x)).map((x) => `-${path}${x}`),
    ...Object.keys(a.blocks).filter((x) => !(x in b.blocks)).map((x) => `+${path}${x} {}`),
    ...Object.keys(b.blocks).filter((x) => !(x in a.blocks)).map((x) => `-${path}${x} {}`),
    ...Object.entries(a.blocks).flatMap(([name, block]) => (b.blocks[name] ? diff(block, b.blocks[name] as Node, `${path}${name}.`) : [])),
  ];
  for (const kind of ['resource', 'data'] as const) {
    for (const [type, node] of Object.entries(six[kind])) {
      const other = result.schema[kind][type];
      const lines = other ? diff(node, other) : ['(missing in 5.100)'];
      if (lines.length > 0) console.log(`- ${type}: ${lines.join(', ')}`);
    }
  }
  console.log('(+ only in 6.x, - only in 5.100; `region`, 6.x\'s per-resource region, left out)');
}

function exportInfra(ref: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'dofs-before-'));
  execFileSync('bash', ['-c', `git archive ${ref} infra | tar -x -C ${dir}`], { cwd: WORKSPACE_ROOT });
  const infra = join(dir, 'infra');
  const walk = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
  for (const file of walk(infra).filter((f) => f.endsWith('.tf'))) {
    const text = readFileSync(file, 'utf8')
      .replace(/version = ">= 6\.0, < 7\.0"/g, 'version = ">= 5.100, < 7.0"')
      .replace(/data\.aws_region\.current\.region/g, 'data.aws_region.current.name');
    writeFileSync(file, text);
  }
  return infra;
}

async function main(): Promise<void> {
  const plugins = findPluginDir();
  if (!plugins.dir) throw new Error(plugins.reason);
  console.log(`Tables: ${PROVIDER_CALLS.rows.length} provider-call rows (hashicorp/aws ${PROVIDER_CALLS.version}), ${HANDLER_CALLS.functions.reduce((n, f) => n + f.calls.length, 0)} handler-call rows (${HANDLER_CALLS.functions.length} roles)`);
  const result = await planAllOffline(plugins.dir);
  await evaluateAll('This tree', result);
  schemaDifferences(result);
  const at = process.argv.indexOf('--before');
  if (at > 0) {
    const ref = process.argv[at + 1] as string;
    const infra = exportInfra(ref);
    try {
      await evaluateAll(`infra/ at ${ref} (the same tables)`, await planAllOffline(plugins.dir, infra));
    } finally {
      rmSync(join(infra, '..'), { recursive: true, force: true });
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
