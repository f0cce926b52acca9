// The local dashboard in a real headless browser: Debian's Chromium driven by playwright-core
// (never a downloaded browser). Orders placed through the API must show up on the page, which
// polls /_dashboard/data by itself: in the counts, and in the plots of the last 15 minutes, where a
// small backlog (one poller, every fulfilment batch delayed 4 s) builds in order_queue and drains.
// The screenshot is kept in dist/test-artifacts/dashboard.png.
// The browser is the first of $CHROMIUM_PATH, /usr/bin/chromium, a Chrome or Chromium in the usual
// macOS place. In CI (CI=true, where .ci/run installs Debian's chromium) a missing browser fails the
// suite; on a laptop without one it is skipped with a notice, so `npm test` needs nothing but Node
// and Java there.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { launchStack, postMany, removeDir, ROOT, tempDataDir, type RunningStack } from './harness';

// Bounds catch a hang only: several times what a loaded 2-core machine needs.
jest.setTimeout(300_000);

const CHROMIUM = [
  process.env['CHROMIUM_PATH'],
  '/usr/bin/chromium',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
].find((candidate): candidate is string => Boolean(candidate) && existsSync(candidate as string));
const REQUIRED = process.env['CI'] === 'true';
if (!CHROMIUM && !REQUIRED) process.stdout.write('dashboard browser test skipped: no Chromium found (set CHROMIUM_PATH; CI installs one and always runs it)\n');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOT = path.join(ROOT, 'dist/test-artifacts/dashboard.png');
/** Batches of at most 10, one at a time, each delayed 4 s: the last is fulfilled 24 s or more after the first. */
const ORDERS = 60;
const BACKLOG_ARGS = ['--pollers', '1', '--lambda-fault', 'fulfill-order:delay=4000'];
/** How long the page may take to show what the stack has done (the orders are fulfilled within it). */
const PAGE_TIMEOUT_MS = 120_000;

/** What the page plots for one series: the path and the figures it was drawn from. */
interface Plotted {
  d: string;
  points: number;
  total: number;
  max: number;
  last: string;
}

(CHROMIUM || REQUIRED ? describe : describe.skip)('local dashboard in headless Chromium', () => {
  const dataDir = tempDataDir('dashboard');
  const profileDir = mkdtempSync(path.join(tmpdir(), 'dofs-chromium-'));
  let stack: RunningStack;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    if (!CHROMIUM) throw new Error("no Chromium found: install Debian's chromium (apt-get install -y chromium; .ci/run does it) or set CHROMIUM_PATH");
    stack = await launchStack(['--success-rate', '1', '--fresh', '--quiet', ...BACKLOG_ARGS], dataDir);
    // A fresh profile each run: launchPersistentContext is how playwright takes --user-data-dir.
    context = await chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    page = context.pages()[0] ?? (await context.newPage());
  });

  afterAll(async () => {
    await context?.close();
    await stack?.stop();
    removeDir(dataDir);
    rmSync(profileDir, { recursive: true, force: true });
  });

  /** The number the page shows for a status (NaN while it shows none). */
  const shown = async (status: string) => Number(await page.locator(`#count-${status}`).textContent());
  /** The plotted series `series` of chart `chart` (undefined while the chart does not draw it). */
  const plotted = async (chart: string, series: string): Promise<Plotted | undefined> => {
    const path = page.locator(`#chart-${chart} path[data-series="${series}"]`);
    if ((await path.count()) === 0) return undefined;
    const attribute = async (name: string) => (await path.getAttribute(name)) ?? '';
    return {
      d: await attribute('d'),
      points: Number(await attribute('data-points')),
      total: Number(await attribute('data-total')),
      max: Number(await attribute('data-max')),
      last: await attribute('data-last'),
    };
  };

  it('serves the page and its data, counts new orders as they are fulfilled and plots the backlog build and drain', async () => {
    const response = await page.goto(`${stack.state.apiUrl}/_dashboard`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toContain('text/html');
    await page.locator('#count-FULFILLED').waitFor({ timeout: PAGE_TIMEOUT_MS });
    const before = await shown('FULFILLED');
    expect(before).toBe(0);
    const acceptedBefore = await plotted('orders', 'accepted');
    expect(acceptedBefore?.total).toBe(0);

    await postMany(stack.state.apiUrl, ORDERS);

    // The page updates itself: no reload, only its own polling. The plots show a period once it
    // has ended, and a queue's depth as read at its end: wait until every order is counted as
    // accepted and fulfilled and order_queue has been seen empty again after holding messages.
    await page.waitForFunction(
      (want) => {
        const figure = (chart: string, series: string, name: string) =>
          document.querySelector(`#chart-${chart} path[data-series="${series}"]`)?.getAttribute(`data-${name}`);
        return (
          Number(document.getElementById('count-FULFILLED')?.textContent) === want &&
          Number(figure('orders', 'accepted', 'total')) === want &&
          Number(figure('orders', 'fulfilled', 'total')) === want &&
          Number(figure('queues', 'order_queue', 'max')) > 0 &&
          figure('queues', 'order_queue', 'last') === '0'
        );
      },
      ORDERS,
      { timeout: PAGE_TIMEOUT_MS },
    );
    expect(await shown('FULFILLED')).toBe(before + ORDERS);
    for (const status of ['RECEIVED', 'PENDING', 'RETRYING', 'FAILED', 'REJECTED']) expect(await shown(status)).toBe(0);

    // The plot changed while the orders flowed: more points, a new line, a queue that built up
    // (several batches' worth waited) and drained; nothing failed and nothing was sent twice.
    const accepted = await plotted('orders', 'accepted');
    expect(accepted?.points).toBeGreaterThan(acceptedBefore?.points ?? 0);
    expect(accepted?.d).not.toBe(acceptedBefore?.d);
    expect(accepted?.max).toBeGreaterThan(0);
    const orderQueue = await plotted('queues', 'order_queue');
    expect(orderQueue?.max).toBeGreaterThan(10);
    expect(orderQueue?.last).toBe('0');
    expect(await plotted('orders', 'failed')).toMatchObject({ total: 0 });
    expect(await plotted('resends', 'resent')).toMatchObject({ total: 0 });
    for (const queue of [stack.state.settings.queues.deadLetter, stack.state.settings.queues.parking]) {
      expect(await plotted('queues', queue)).toMatchObject({ max: 0 });
    }
    const queues = await page.locator('#queues').textContent();
    expect(queues).toContain(stack.state.settings.queues.orders);
    expect(queues).toContain(stack.state.settings.queues.parking);
    expect(await page.locator('#errors').textContent()).toBe('');

    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
  });

  it('answers the data as JSON with every part the page shows', async () => {
    const response = await fetch(`${stack.state.apiUrl}/_dashboard/data`);
    expect(response.status).toBe(200);
    const data = (await response.json()) as {
      orders: Record<string, number>;
      queues: Array<{ name: string; visible: number; inFlight: number; delayed: number }>;
      failures: unknown[];
      executions: Array<{ status: string }>;
      timeline: { periodSeconds: number; counts: Record<string, number[]>; depths: Record<string, Array<number | null>> };
      errors: string[];
    };
    expect(data.orders).toMatchObject({ FULFILLED: ORDERS, RECEIVED: 0, PENDING: 0, RETRYING: 0, FAILED: 0, REJECTED: 0 });
    const { queues } = stack.state.settings;
    expect(data.queues.map((q) => q.name)).toEqual([queues.orders, queues.deadLetter, queues.parking]);
    expect(data.failures).toEqual([]);
    expect(data.executions.length).toBeGreaterThan(0);
    const sum = (values: number[] | undefined) => (values ?? []).reduce((a, b) => a + b, 0);
    expect(data.timeline.periodSeconds).toBe(10);
    expect(sum(data.timeline.counts['accepted'])).toBe(ORDERS);
    expect(sum(data.timeline.counts['fulfilled'])).toBe(ORDERS);
    expect(Object.keys(data.timeline.depths)).toEqual([queues.orders, queues.deadLetter, queues.parking]);
    expect(data.errors).toEqual([]);
  });
});
