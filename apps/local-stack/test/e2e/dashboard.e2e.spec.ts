// The local dashboard in a real headless browser: Debian's Chromium driven by playwright-core
// (never a downloaded browser). Orders placed through the API must show up on the page, which
// polls /_dashboard/data by itself. The screenshot is kept in dist/test-artifacts/dashboard.png.
// The browser is the first of $CHROMIUM_PATH, /usr/bin/chromium, a Chrome or Chromium in the usual
// macOS place. In CI (CI=true, where .ci/run installs Debian's chromium) a missing browser fails the
// suite; on a laptop without one it is skipped with a notice, so `npm test` needs nothing but Node
// and Java there.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { launchStack, postUntilAccepted, removeDir, ROOT, SAMPLE_ORDER, tempDataDir, type RunningStack } from './harness';

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
const ORDERS = 5;
/** How long the page may take to show what the stack has done (the orders are fulfilled within it). */
const PAGE_TIMEOUT_MS = 120_000;

(CHROMIUM || REQUIRED ? describe : describe.skip)('local dashboard in headless Chromium', () => {
  const dataDir = tempDataDir('dashboard');
  const profileDir = mkdtempSync(path.join(tmpdir(), 'dofs-chromium-'));
  let stack: RunningStack;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    if (!CHROMIUM) throw new Error("no Chromium found: install Debian's chromium (apt-get install -y chromium; .ci/run does it) or set CHROMIUM_PATH");
    stack = await launchStack(['--success-rate', '1', '--fresh', '--quiet'], dataDir);
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

  it('serves the page and its data, and counts new orders as they are fulfilled', async () => {
    const response = await page.goto(`${stack.state.apiUrl}/_dashboard`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toContain('text/html');
    await page.locator('#count-FULFILLED').waitFor({ timeout: PAGE_TIMEOUT_MS });
    const before = await shown('FULFILLED');
    expect(Number.isInteger(before)).toBe(true);

    const run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    for (let i = 0; i < ORDERS; i += 1) {
      const accepted = await postUntilAccepted(stack.state.apiUrl, { ...SAMPLE_ORDER, customer_id: `c-dash-${i}` }, `dashboard-${run}-${i}`);
      expect(accepted.status).toBe(202);
    }

    // The page updates itself: no reload, only its own polling.
    await page.waitForFunction(
      (want) => Number(document.getElementById('count-FULFILLED')?.textContent) === want,
      before + ORDERS,
      { timeout: PAGE_TIMEOUT_MS },
    );
    expect(await shown('FULFILLED')).toBe(before + ORDERS);
    for (const status of ['RECEIVED', 'PENDING', 'RETRYING', 'FAILED', 'REJECTED']) expect(await shown(status)).toBe(0);
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
      queues: Array<{ name: string; visible: number; inFlight: number }>;
      failures: unknown[];
      executions: Array<{ status: string }>;
      errors: string[];
    };
    expect(data.orders).toMatchObject({ FULFILLED: ORDERS, RECEIVED: 0, PENDING: 0, RETRYING: 0, FAILED: 0, REJECTED: 0 });
    const { queues } = stack.state.settings;
    expect(data.queues.map((q) => q.name)).toEqual([queues.orders, queues.deadLetter, queues.parking]);
    expect(data.failures).toEqual([]);
    expect(data.executions.length).toBeGreaterThan(0);
    expect(data.errors).toEqual([]);
  });
});
