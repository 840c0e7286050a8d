// Shared setup for the browser tests: Debian's Chromium through playwright-core, a real `sluice dev` in a temp project, and the projects.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { after, before } from 'node:test';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Locator, type Page } from 'playwright-core';
import type { LaunchRunResponse, RunDetailResponse } from '../../src/server/api-types.js';
import { SLUICE_BIN, tempProject, type TempProject } from '../helpers/temp-project.js';

export const REPO_ROOT = join(SLUICE_BIN, '..', '..');
/** Debian's Chromium; the tests never download a browser. */
export const CHROMIUM = '/usr/bin/chromium';
export const UI_INDEX = join(REPO_ROOT, 'ui', 'dist', 'index.html');

/** Why the browser tests cannot run here (then they are skipped with this reason), or undefined. */
export function e2eSkipReason(): string | undefined {
  if (!existsSync(UI_INDEX)) return `the web UI is not built (${relative(REPO_ROOT, UI_INDEX)} is missing): run \`npm run build:ui\``;
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`;
  return undefined;
}

/** Launches headless Chromium with the flags that keep it quiet and offline. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

/**
 * A page at 1400x800 that records uncaught exceptions and console errors (see `assertNoPageErrors`), closed after the test.
 * The pages of one browser share a context, so the UI's scripts load once per file (and a graph's layout is cached, as for a real user).
 * @example const page = await openPage(browser, t); await page.goto(`${server.url}/#/runs`);
 */
export async function openPage(browser: Browser, t: { after(fn: () => Promise<void>): void }): Promise<Page> {
  let context = contexts.get(browser);
  if (!context) {
    context = browser.newContext({ viewport: { width: 1400, height: 800 } });
    contexts.set(browser, context);
  }
  const page = await (await context).newPage();
  page.setDefaultTimeout(30_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('console', (message: ConsoleMessage) => {
    // Chrome logs every non-2xx fetch as "Failed to load resource"; the tests that expect a 404 see it in the UI instead.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(`console: ${message.text()}`);
  });
  pageErrors.set(page, errors);
  t.after(() => page.close());
  return page;
}

const contexts = new WeakMap<Browser, Promise<BrowserContext>>();
const pageErrors = new WeakMap<Page, string[]>();

/** The little of the DOM that in-page callbacks use: the tests are compiled without lib.dom, like the rest of the Node code. */
export interface DomElement {
  readonly textContent: string | null;
  readonly className: string;
  readonly classList: Iterable<string>;
  getAttribute(name: string): string | null;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): Iterable<DomElement>;
  getBoundingClientRect(): { left: number; top: number; right: number; bottom: number; width: number; height: number };
  contains(other: DomElement | null): boolean;
  /** The page's document (elements are not used for anything else). */
  readonly ownerDocument: { elementFromPoint(x: number, y: number): DomElement | null };
}

/**
 * Runs `fn` in the page over every element `locator` matches and returns its (serializable) result: one round trip.
 * @example const keys = await inPage(page.locator('.asset-node'), (nodes) => nodes.map((n) => n.getAttribute('data-key')));
 */
export function inPage<R>(locator: Locator, fn: (elements: DomElement[]) => R): Promise<R> {
  return locator.evaluateAll(fn as never) as Promise<R>;
}

/** Throws if the page raised an uncaught exception or logged an error. */
export function assertNoPageErrors(page: Page): void {
  const errors = pageErrors.get(page) ?? [];
  if (errors.length > 0) throw new Error(`the page reported errors:\n${errors.join('\n')}`);
}

/** bin/sluice.js runs dist/ when it exists, so dist/ must hold the current sources (`npm test` builds first; this covers running one file). */
function ensureBuilt(): 'fresh' | 'rebuilt' | 'rebuilt by another test file' {
  const dist = join(REPO_ROOT, 'dist');
  const stale = (dir: string): boolean =>
    readdirSync(dir, { withFileTypes: true }).some((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return stale(path);
      if (!entry.name.endsWith('.ts')) return false;
      const built = join(dist, relative(join(REPO_ROOT, 'src'), path)).replace(/\.ts$/, '.js');
      return !existsSync(built) || statSync(built).mtimeMs < statSync(path).mtimeMs;
    });
  if (!existsSync(dist) || !stale(join(REPO_ROOT, 'src'))) return 'fresh';
  // Browser test files run in parallel: one builds, the others wait for it.
  const lock = join(tmpdir(), 'sluice-e2e-build.lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock left by a killed test run is older than any build.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`${lock} is held for too long; remove it if no build runs`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (!stale(join(REPO_ROOT, 'src'))) return 'rebuilt by another test file';
    execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(REPO_ROOT, 'tsconfig.build.json')], {
      stdio: 'pipe',
    });
  } catch {
    // Type errors elsewhere still emit JavaScript; the tests show whether it works.
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return 'rebuilt';
}

/** A running `sluice dev` for one project. */
export interface DevServer {
  url: string;
  /** How the start went, for test diagnostics: the time spent rebuilding a stale dist/ and starting the server. */
  startup: string;
  /** Everything it printed so far, for failure messages. */
  output(): string;
  /** Ctrl-C, then SIGKILL if it does not exit within 10 s. */
  stop(): Promise<void>;
}

/**
 * Starts `sluice dev --port 0` in `dir` and waits for the URL it prints and its data/sluice-dev.json.
 * @example const server = await startDevServer(project.dir); await page.goto(server.url);
 */
export async function startDevServer(dir: string): Promise<DevServer> {
  const buildStarted = Date.now();
  const dist = ensureBuilt();
  const started = Date.now();
  const child: ChildProcess = spawn(process.execPath, [SLUICE_BIN, 'dev', '--port', '0'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pattern = /UI and API: (http:\/\/\S+)/;
  while (!pattern.test(output) || !existsSync(join(dir, 'data', 'sluice-dev.json'))) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`sluice dev exited before it was ready:\n${output}`);
    if (Date.now() - started > 60_000) {
      child.kill('SIGKILL');
      throw new Error(`sluice dev did not start within 60 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const url = pattern.exec(output)![1]!;
  const info = JSON.parse(readFileSync(join(dir, 'data', 'sluice-dev.json'), 'utf8')) as { url: string };
  if (info.url !== url) throw new Error(`sluice dev printed ${url} but wrote ${info.url} to data/sluice-dev.json`);
  const startup = `sluice dev ready in ${Date.now() - started} ms${dist === 'fresh' ? '' : ` (dist/ was older than src/: ${dist} in ${started - buildStarted} ms first)`}`;
  return {
    url,
    startup,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Launches a run through the API and waits until it ends; throws unless it succeeded.
 * @example await materialize(server.url, '*');
 */
export async function materialize(url: string, select: string, timeoutMs = 60_000): Promise<RunDetailResponse> {
  const launched = await fetch(`${url}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ select }) });
  if (launched.status !== 202) throw new Error(`launching "${select}" answered ${launched.status}: ${await launched.text()}`);
  const { runId } = (await launched.json()) as LaunchRunResponse;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const detail = (await (await fetch(`${url}/api/runs/${runId}`)).json()) as RunDetailResponse;
    if (['succeeded', 'failed', 'canceled'].includes(detail.run.status)) {
      if (detail.run.status !== 'succeeded')
        throw new Error(`run ${runId} of "${select}" ${detail.run.status}: ${JSON.stringify(detail.run.error ?? detail.steps)}`);
      return detail;
    }
    if (Date.now() > deadline) throw new Error(`run ${runId} of "${select}" still ${detail.run.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Keys of the medallion project, by group. */
export const MEDALLION = {
  bronze: ['bronze/orders', 'bronze/customers', 'bronze/products'],
  silver: ['silver/orders', 'silver/customers'],
  gold: ['gold/daily_revenue', 'gold/customer_value', 'gold/country_revenue'],
} as const;

export const MEDALLION_ORDERS_DESCRIPTION = 'One row per order line, priced from the product catalogue.';

const MEDALLION_CONFIG = `
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { asset, checks, defineProject } from '@sluice';

export const project = defineProject({
  name: 'shop',
  assets: [
    asset({
      key: 'bronze/orders', group: 'bronze', owners: ['data-platform'], tags: { layer: 'bronze' },
      description: 'Raw orders exported by the shop. Waits while landing/orders.lock exists (the export is still writing).',
      columnLineage: { order_id: [], customer_id: [], product_id: [], quantity: [], ordered_at: [] },
      compute: async (ctx) => {
        while (existsSync(join(ctx.projectDir, 'landing', 'orders.lock'))) {
          if (ctx.signal.aborted) throw new Error('canceled while the export was still writing');
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        await ctx.sql.exec(\`CREATE TABLE \${ctx.target} AS SELECT * FROM read_csv('\${join(ctx.projectDir, 'landing', 'orders.csv')}', header = true,
          columns = {'order_id': 'INTEGER', 'customer_id': 'INTEGER', 'product_id': 'INTEGER', 'quantity': 'INTEGER', 'ordered_at': 'TIMESTAMP'})\`);
      },
    }),
    asset({
      key: 'bronze/customers', group: 'bronze', owners: ['data-platform'], tags: { layer: 'bronze' }, description: 'Raw customers from the CRM.',
      sql: "SELECT * FROM read_csv('landing/customers.csv', header = true, columns = {'customer_id': 'INTEGER', 'name': 'VARCHAR', 'country': 'VARCHAR'})",
    }),
    asset({
      key: 'bronze/products', group: 'bronze', owners: ['data-platform'], tags: { layer: 'bronze' }, description: 'Raw product catalogue.',
      sql: "SELECT * FROM read_csv('landing/products.csv', header = true, columns = {'product_id': 'INTEGER', 'title': 'VARCHAR', 'price': 'DECIMAL(10,2)'})",
    }),
    asset({
      key: 'silver/orders', group: 'silver', owners: ['analytics'], tags: { layer: 'silver' },
      description: ${JSON.stringify(MEDALLION_ORDERS_DESCRIPTION)},
      sql: \`SELECT o.order_id, o.customer_id, o.product_id, o.quantity, p.price, o.quantity * p.price AS amount, CAST(o.ordered_at AS DATE) AS order_date
            FROM bronze.orders o JOIN bronze.products p ON p.product_id = o.product_id\`,
      checks: [checks.notNull('customer_id'), checks.acceptedRange('quantity', { min: 1, max: 5 }, { severity: 'warn' })],
    }),
    asset({
      key: 'silver/customers', group: 'silver', owners: ['analytics'], tags: { layer: 'silver' }, description: 'Customers with cleaned names and ISO country codes.',
      sql: 'SELECT customer_id, trim(name) AS name, upper(country) AS country FROM bronze.customers',
      checks: [checks.unique('customer_id')],
    }),
    asset({
      key: 'gold/daily_revenue', group: 'gold', owners: ['finance'], tags: { layer: 'gold' }, description: 'Revenue and orders per day.',
      sql: 'SELECT order_date, count(DISTINCT order_id) AS orders, sum(amount) AS revenue FROM silver.orders GROUP BY order_date',
    }),
    asset({
      key: 'gold/customer_value', group: 'gold', owners: ['finance'], tags: { layer: 'gold' }, description: 'Lifetime revenue per customer.',
      sql: \`SELECT c.customer_id, c.name, c.country, coalesce(sum(o.amount), 0) AS revenue
            FROM silver.customers c LEFT JOIN silver.orders o ON o.customer_id = c.customer_id GROUP BY ALL\`,
    }),
    asset({
      key: 'gold/country_revenue', group: 'gold', kind: 'view', owners: ['finance'], tags: { layer: 'gold' }, description: 'Revenue per country.',
      sql: 'SELECT country, count(*) AS customers, sum(revenue) AS revenue FROM gold.customer_value GROUP BY country',
    }),
  ],
});
`;

/**
 * A shop in three layers (bronze, silver, gold; 8 assets) over small CSVs. bronze/orders waits while
 * landing/orders.lock exists, so a test can watch a run in flight.
 */
export function medallionProject(): TempProject & { holdOrders(held: boolean): void } {
  const orders = ['order_id,customer_id,product_id,quantity,ordered_at'];
  for (let i = 1; i <= 60; i++)
    orders.push(`${i},${(i % 12) + 1},${(i % 5) + 1},${(i % 6) + 1},2026-11-${String((i % 20) + 1).padStart(2, '0')} 10:${String(i % 60).padStart(2, '0')}:00`);
  const customers = ['customer_id,name,country'];
  const countries = ['fr', 'de', 'us', 'jp'];
  for (let i = 1; i <= 12; i++) customers.push(`${i}, Customer ${i} ,${countries[i % countries.length]}`);
  const project = tempProject({
    'sluice.config.ts': MEDALLION_CONFIG,
    'landing/orders.csv': `${orders.join('\n')}\n`,
    'landing/customers.csv': `${customers.join('\n')}\n`,
    'landing/products.csv': 'product_id,title,price\n1,Kettle,39.90\n2,Teapot,24.50\n3,Mug,8.00\n4,Tea tin,12.75\n5,Strainer,6.20\n',
  });
  return {
    ...project,
    holdOrders: (held) => (held ? project.write('landing/orders.lock', '') : rmSync(join(project.dir, 'landing', 'orders.lock'), { force: true })),
  };
}

/**
 * `size` cheap views (`SELECT 1 AS x`) in `groups` groups with a random DAG (each asset depends on 0-3 earlier ones).
 * @example const project = syntheticProject(1000, 10);
 */
export function syntheticProject(size: number, groups: number, seed = 7): TempProject & { keys: string[]; groups: string[]; deps: Map<string, string[]> } {
  let state = seed;
  const random = (): number => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const groupNames = Array.from({ length: groups }, (_, g) => `domain_${String(g).padStart(2, '0')}`);
  const keys: string[] = [];
  const depsOf = new Map<string, string[]>();
  const lines: string[] = [];
  for (let i = 0; i < size; i++) {
    const group = groupNames[Math.floor((i / size) * groups)]!;
    const key = `${group}/asset_${String(i).padStart(4, '0')}`;
    const deps = new Set<string>();
    // The first assets of the graph are sources; later ones read from up to three earlier assets, mostly nearby.
    if (i >= 20) {
      const count = Math.floor(random() * 4);
      for (let d = 0; d < count; d++) deps.add(keys[Math.max(0, i - 1 - Math.floor(random() * Math.min(i, random() < 0.8 ? 60 : i)))]!);
    }
    keys.push(key);
    depsOf.set(key, [...deps]);
    lines.push(
      `  asset({ key: ${JSON.stringify(key)}, group: ${JSON.stringify(group)}, kind: 'view', sql: 'SELECT 1 AS x', deps: ${JSON.stringify([...deps])} }),`,
    );
  }
  const config = `import { asset, defineProject } from '@sluice';\n\nexport const project = defineProject({\n  name: 'synthetic-${size}',\n  assets: [\n${lines.join('\n')}\n  ],\n});\n`;
  return { ...tempProject({ 'sluice.config.ts': config }), keys, groups: groupNames, deps: depsOf };
}

/**
 * Waits for every promise, then throws the first failure: nothing started is left unassigned (and unclosed) when another part fails.
 * @example await settle(startDevServer(dir).then((s) => (server = s)), launchBrowser().then((b) => (browser = b)));
 */
export async function settle(...promises: Promise<unknown>[]): Promise<void> {
  for (const result of await Promise.allSettled(promises)) if (result.status === 'rejected') throw result.reason;
}

/** A medallion project served by a real `sluice dev`, and a browser, shared by the tests of one file. */
export interface MedallionTestbed {
  readonly project: ReturnType<typeof medallionProject>;
  readonly server: DevServer;
  readonly browser: Browser;
}

/**
 * Registers the hooks that start the testbed (unless browser tests are skipped) and stop it; call once per test file.
 * @example const bed = medallionTestbed(); test('...', OPTIONS, async (t) => { const page = await openPage(bed.browser, t); });
 */
export function medallionTestbed(): MedallionTestbed {
  let project: ReturnType<typeof medallionProject> | undefined;
  let server: DevServer | undefined;
  let browser: Browser | undefined;
  before(async () => {
    if (e2eSkipReason()) return;
    project = medallionProject();
    await settle(
      startDevServer(project.dir).then((s) => (server = s)),
      launchBrowser().then((b) => (browser = b)),
    );
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    project?.remove();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the browser testbed is used before it started');
    return value;
  };
  return {
    get project() {
      return started(project);
    },
    get server() {
      return started(server);
    },
    get browser() {
      return started(browser);
    },
  };
}

/**
 * Retries `check` (an assertion) until it passes or `timeoutMs` runs out, then throws its last error.
 * @example await eventually(async () => assert.equal(await badge.textContent(), 'succeeded'));
 */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

/**
 * Opens the lineage page and waits until the graph is laid out and drawn (`dom` when zoomed in, `canvas` zoomed out).
 * @example await openGraph(page, server.url, 'dom');
 */
export async function openGraph(page: Page, url: string, mode: 'dom' | 'canvas', timeoutMs = 30_000): Promise<void> {
  await page.goto(`${url}/#/`);
  await page.locator(`[data-testid="lineage-graph"][data-render-mode="${mode}"]`).waitFor({ timeout: timeoutMs });
}
