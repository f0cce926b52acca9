import { parseArgs } from 'node:util';
import { createContext, type Context, type Output } from './context';
import { CliError, describeError, UsageError } from './errors';
import { failedList, failedRedrive, failedShow } from './failed';
import { parseDuration } from './format';
import { ordersGet, ordersList } from './orders';
import { resolveTarget, type Target } from './target';
import { localToken } from './token';
import { watch } from './watch';

export const USAGE = `dofs: operate DOFS (the local stack, or a deployed environment)

  dofs orders get <order_id>                      the order and its status history as a timeline
  dofs orders list --status <s> [--older-than 10m] [--limit 50]
                                                  open orders (RECEIVED, PENDING, RETRYING) by a Query
                                                  of the open-orders index; FAILED lists failed_orders
  dofs failed list [--limit 50]                   failed_orders (a Scan: that table holds failures only)
  dofs failed show <order_id>                     one failed_orders item and the order's history
  dofs failed redrive <order_id> | --all          FAILED -> RETRYING (recorded in the history and the
                                                  failed_orders item), then queued on order_queue for
                                                  another fulfilment round
  dofs watch [--interval 2s]                      a live tail of order events (Ctrl-C stops)
  dofs token [--customer c-123] [--scope "orders/read"] [--expires-in 3600]
                                                  an access token of the running local stack's issuer
                                                  (signed with <data-dir>/auth/signing-key.json): a
                                                  trusted backend's (orders/write orders/read
                                                  orders/act-for-customers) or, with --customer, that
                                                  customer's (sub = the id, orders/write orders/read);
                                                  curl -H "Authorization: Bearer $(npx dofs token)" ...

Where: a running local stack's .data/local-stack.json (or --stack-file <file>; token needs one); otherwise, or with --aws,
the AWS SDK's configuration (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_*) with --orders-table,
--failed-orders-table and --order-queue-url (else ORDERS_TABLE, FAILED_ORDERS_TABLE, ORDER_QUEUE_URL,
else terraform -chdir=infra/envs/dev output -json). --region overrides the region.

Output: tables for a person; --json for scripts. Errors: one line on stderr, exit 1 (2 for usage).
`;

const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  status: { type: 'string' },
  'older-than': { type: 'string' },
  limit: { type: 'string' },
  all: { type: 'boolean' },
  interval: { type: 'string' },
  'stack-file': { type: 'string' },
  aws: { type: 'boolean' },
  'orders-table': { type: 'string' },
  'failed-orders-table': { type: 'string' },
  'order-queue-url': { type: 'string' },
  region: { type: 'string' },
  customer: { type: 'string' },
  scope: { type: 'string' },
  'expires-in': { type: 'string' },
} as const;

export interface MainIo extends Output {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Stops `watch`; default: SIGINT / SIGTERM. */
  signal?: AbortSignal;
}

const processIo: MainIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  cwd: process.cwd(),
};

function positiveInt(text: string | undefined, fallback: number, flag: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag} takes a positive integer, not "${text}"`);
  return n;
}

function interruption(): AbortSignal {
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => controller.abort());
  return controller.signal;
}

export async function main(argv: string[], io: MainIo = processIo): Promise<number> {
  let target: Target | undefined;
  let ctx: Context | undefined;
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const { values: flags, positionals } = parsed;
    const [group, command, arg, ...extra] = positionals;
    if (flags.help || group === undefined || group === 'help') {
      io.out(USAGE.trimEnd());
      return 0;
    }
    const known: Record<string, readonly string[]> = { orders: ['get', 'list'], failed: ['list', 'show', 'redrive'], watch: [], token: [] };
    const commands = known[group];
    if (!commands) throw new UsageError(`unknown command "${group}"`);
    if (commands.length > 0 && (command === undefined || !commands.includes(command))) throw new UsageError(`${group} takes ${commands.join(', ')}${command ? `, not "${command}"` : ''}`);
    const rest = commands.length === 0 ? [command, arg, ...extra] : extra;
    if (rest.some((x) => x !== undefined)) throw new UsageError(`unexpected argument "${rest.find((x) => x !== undefined)}"`);
    const tokenOnly = (['customer', 'scope', 'expires-in'] as const).find((flag) => flags[flag] !== undefined);
    if (group === 'token') {
      const { token, warning } = await localToken(
        { stackFile: flags['stack-file'], customer: flags.customer, scope: flags.scope, expiresIn: flags['expires-in'] },
        io.cwd,
      );
      if (warning) io.err(`dofs: ${warning}`);
      io.out(token);
      return 0;
    }
    if (tokenOnly) throw new UsageError(`--${tokenOnly} is an option of dofs token`);
    const limit = positiveInt(flags.limit, 50, '--limit');
    const olderThanMs = flags['older-than'] === undefined ? undefined : parseDuration(flags['older-than'], '--older-than');
    const intervalMs = parseDuration(flags.interval ?? '2s', '--interval');

    target = resolveTarget(
      {
        stackFile: flags['stack-file'],
        aws: flags.aws,
        ordersTable: flags['orders-table'],
        failedOrdersTable: flags['failed-orders-table'],
        orderQueueUrl: flags['order-queue-url'],
        region: flags.region,
      },
      io.env,
      io.cwd,
    );
    ctx = createContext(target, io, { json: flags.json === true });
    switch (`${group} ${command ?? ''}`.trim()) {
      case 'orders get':
        await ordersGet(ctx, arg);
        return 0;
      case 'orders list':
        if ((await ordersList(ctx, flags.status, { limit, ...(olderThanMs === undefined ? {} : { olderThanMs }) })) === 'failed-list') {
          if (!ctx.json) io.err('FAILED orders are listed from failed_orders (as dofs failed list does):');
          await failedList(ctx, { limit });
        }
        return 0;
      case 'failed list':
        await failedList(ctx, { limit });
        return 0;
      case 'failed show':
        await failedShow(ctx, arg);
        return 0;
      case 'failed redrive':
        return await failedRedrive(ctx, arg, flags.all === true);
      default:
        await watch(ctx, { intervalMs, signal: io.signal ?? interruption() });
        return 0;
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`dofs: ${error.message} (dofs --help lists the commands)`);
      return 2;
    }
    io.err(`dofs: ${error instanceof CliError ? error.message : describeError(error, { dynamodb: target?.dynamodb.endpoint, sqs: target?.sqs.endpoint })}`);
    return 1;
  } finally {
    ctx?.close();
  }
}
