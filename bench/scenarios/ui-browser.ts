// Child: what a user of the lineage page sees, timed in Debian's Chromium (playwright-core) against a real `sluice dev`
// of a generated project: first render (first and second visit), expanding a group, search to centred, a status
// update to repaint, and around it `sluice list`, the asset API and `sluice dev` start-up, at each size.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { emitResult, scenarioArgs } from '../lib/scenario-io.js';
import { CHROMIUM, ensureUiBuilt, generateProject, sluiceCommand, startUiServer, type GeneratedProject } from './ui-project.js';

interface Args {
  /** Assets, and groups they are spread over, per measured project. */
  projects: { size: number; groups: number }[];
  reps: number;
}

/** Timings of one project, one sample per repetition (a figure the page cannot show is left empty). */
export interface UiBrowserRow {
  size: number;
  groups: number;
  /** `sluice dev` from spawn to answering GET /api/lineage. */
  devReadyMs: number;
  /** Navigation to the graph drawn, in a fresh browser context (nothing cached). */
  firstRenderMs: number[];
  /** The same in a second tab of that context (the browser's caches warm). */
  secondVisitMs: number[];
  /** Click on a collapsed group's card to its assets drawn (empty when the page draws no group cards). */
  expandMs: number[];
  /** Size of the group expanded. */
  expandedAssets: number;
  /** Picking a search result to that asset selected and centred in the view. */
  searchMs: number[];
  /** New statuses arriving in the page (the lineage response's last byte) to the graph repainted with them. */
  statusToPaintMs: number[];
  /** Launching a one-asset run to the graph repainted with its new status (run time and refresh policy included). */
  runToPaintMs: number[];
  /** A fresh visit to a URL that expands every group (the whole graph laid out); empty where the page has no groups to expand. */
  allExpandedMs: number[];
  /** `sluice list` of the project, the whole command (no `sluice dev` running). */
  listMs: number[];
  /** GET /api/assets and GET /api/lineage from the running `sluice dev`. */
  apiAssetsMs: number[];
  apiLineageMs: number[];
  /** Repetitions that did not finish (their error), e.g. a first render beyond the timeout. */
  timeouts: string[];
}

const VIEWPORT = { width: 1400, height: 900 };
const TIMEOUT_MS = 120_000;

// In-page code is sent as source text: the bench compiles without the DOM's types.
const IN_PAGE_HELPERS = `
  const graphEl = () => document.querySelector('[data-testid="lineage-graph"]');
  const ready = () => {
    const g = graphEl();
    if (!g || g.dataset.renderMode === 'pending' || g.dataset.layoutPending === 'true') return false;
    if (g.dataset.renderMode !== 'canvas') return true;
    const c = document.querySelector('[data-testid="lineage-overview"]');
    return Boolean(c && c.dataset.drawMs);
  };
  const untilFrame = (cond, timeout) => new Promise((resolve, reject) => {
    const end = performance.now() + timeout;
    const tick = () => {
      let ok = false;
      try { ok = cond(); } catch { ok = false; }
      if (ok) resolve(performance.now());
      else if (performance.now() > end) reject(new Error('condition not met within ' + timeout + ' ms'));
      else requestAnimationFrame(tick);
    };
    tick();
  });
`;

function inPage<T>(page: Page, body: string, arg: unknown = null): Promise<T> {
  return page.evaluate(`(async (arg) => { ${IN_PAGE_HELPERS} ${body} })(${JSON.stringify(arg)})`) as Promise<T>;
}

async function firstRender(page: Page, url: string): Promise<number> {
  await page.goto(`${url}/#/`);
  // performance.now() counts from the navigation's start.
  return inPage<number>(page, `return untilFrame(ready, ${TIMEOUT_MS});`);
}

/** Clicks the card of `group` and waits until the group is expanded and drawn; null when there is no card to click. */
async function expandGroup(page: Page, group: string): Promise<number | null> {
  return inPage<number | null>(
    page,
    `const card = document.querySelector('[data-group-card="' + arg + '"]');
     if (!card) return null;
     const started = performance.now();
     card.click();
     const done = await untilFrame(() => ready() && (graphEl().dataset.expanded || '').split(',').includes(arg), ${TIMEOUT_MS});
     return done - started;`,
    group,
  );
}

async function searchToCentred(page: Page, key: string): Promise<number> {
  const search = page.getByRole('combobox', { name: 'Search assets' });
  await search.fill('');
  await search.fill(key.slice(key.indexOf('/') + 1));
  const option = page.getByRole('option', { name: key, exact: true });
  await option.waitFor();
  const started = performance.now();
  await option.click();
  await inPage(
    page,
    `await untilFrame(() => {
       const node = document.querySelector('.asset-node[data-key="' + arg + '"]');
       if (!node || !node.className.includes('emphasis-selected') || !ready()) return false;
       const r = node.getBoundingClientRect();
       const g = graphEl().getBoundingClientRect();
       return Math.abs(r.left + r.width / 2 - (g.left + g.width / 2)) < 40 && Math.abs(r.top + r.height / 2 - (g.top + g.height / 2)) < 40;
     }, ${TIMEOUT_MS});`,
    key,
  );
  return performance.now() - started;
}

/** Arms an in-page probe: resolves with the time from a lineage response's last byte to the frame after the graph's DOM changed. */
async function armStatusProbe(page: Page): Promise<void> {
  await inPage(
    page,
    `const armedAt = performance.now();
     window.__statusProbe = new Promise((resolve) => {
       const observer = new MutationObserver(() => {
         const entries = performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/lineage') && e.startTime > armedAt);
         const last = entries[entries.length - 1];
         if (!last) return;
         observer.disconnect();
         requestAnimationFrame(() => resolve(performance.now() - last.responseEnd));
       });
       observer.observe(graphEl(), { subtree: true, childList: true, attributes: true, characterData: true });
     });`,
  );
}

async function statusUpdate(page: Page, url: string, key: string): Promise<{ toPaint: number; runToPaint: number }> {
  await armStatusProbe(page);
  const started = performance.now();
  const launched = await fetch(`${url}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ select: key }) });
  if (launched.status !== 202) throw new Error(`launching ${key} answered ${launched.status}: ${await launched.text()}`);
  const toPaint = (await page.evaluate('window.__statusProbe')) as number;
  return { toPaint, runToPaint: performance.now() - started };
}

/** A first visit (fresh context) to the graph with every group expanded by its URL. */
async function allExpanded(browser: Browser, url: string, groups: readonly string[]): Promise<number> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    await page.goto(`${url}/#/?${groups.map((g) => `expand=${encodeURIComponent(g)}`).join('&')}`);
    return await inPage<number>(page, `return untilFrame(() => ready() && graphEl().dataset.view === 'assets', ${TIMEOUT_MS});`);
  } finally {
    await context.close();
  }
}

/** Wall time of `sluice list` in `dir`, process start to exit. */
function sluiceList(dir: string): number {
  const started = performance.now();
  // The listing (~1 MB at 10,000 assets) is written to /dev/null: a pipe's buffer would cap it, and reading it is not the command's cost.
  const run = spawnSync(process.execPath, sluiceCommand('list'), { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = performance.now() - started;
  if (run.status !== 0) throw new Error(`sluice list failed (${run.status}): ${run.stderr}`);
  return elapsed;
}

async function waitForIdleRuns(url: string): Promise<void> {
  for (;;) {
    const active = await Promise.all(
      ['queued', 'started'].map(async (s) => ((await (await fetch(`${url}/api/runs?status=${s}&limit=1`)).json()) as { runs: unknown[] }).runs.length),
    );
    if (active.every((n) => n === 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function timedGet(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url);
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return performance.now() - started;
}

async function measureProject(browser: Browser, project: GeneratedProject, size: number, groups: number, reps: number): Promise<UiBrowserRow> {
  const listMs: number[] = [];
  for (let rep = 0; rep < reps; rep++) listMs.push(sluiceList(project.dir));
  const server = await startUiServer(project.dir);
  const names = [...project.groups.keys()];
  const expandGroupName = names[Math.floor(names.length / 2)] as string;
  const searchGroup = project.groups.get(names[names.length - 1] as string) ?? [];
  const row: UiBrowserRow = {
    size,
    groups,
    devReadyMs: server.readyMs,
    firstRenderMs: [],
    secondVisitMs: [],
    expandMs: [],
    expandedAssets: project.groups.get(expandGroupName)?.length ?? 0,
    searchMs: [],
    statusToPaintMs: [],
    runToPaintMs: [],
    allExpandedMs: [],
    listMs,
    apiAssetsMs: [],
    apiLineageMs: [],
    timeouts: [],
  };
  try {
    for (let rep = 0; rep < reps; rep++) {
      try {
        await measureRep(browser, server.url, project, row, names, expandGroupName, searchGroup, rep);
      } catch (error) {
        // A page that does not finish within the timeout is a result too (the report counts them), not a crash.
        row.timeouts.push(error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error));
      }
    }
  } finally {
    await server.stop();
  }
  return row;
}

async function measureRep(
  browser: Browser,
  url: string,
  project: GeneratedProject,
  row: UiBrowserRow,
  names: string[],
  expandGroupName: string,
  searchGroup: string[],
  rep: number,
): Promise<void> {
  const server = { url };
  {
    {
      row.apiAssetsMs.push(await timedGet(`${server.url}/api/assets`));
      row.apiLineageMs.push(await timedGet(`${server.url}/api/lineage`));
      const context = await browser.newContext({ viewport: VIEWPORT });
      try {
        const first = await context.newPage();
        row.firstRenderMs.push(await firstRender(first, server.url));
        const statusKey = project.groups.get(names[0] as string)?.[0] as string;
        const { toPaint, runToPaint } = await statusUpdate(first, server.url, statusKey);
        row.statusToPaintMs.push(toPaint);
        row.runToPaintMs.push(runToPaint);
        await waitForIdleRuns(server.url);
        await first.close();

        const second = await context.newPage();
        row.secondVisitMs.push(await firstRender(second, server.url));
        const expanded = await expandGroup(second, expandGroupName);
        if (expanded !== null) row.expandMs.push(expanded);
        // An asset in another, still collapsed group (at the end of the graph's last group).
        row.searchMs.push(await searchToCentred(second, searchGroup[searchGroup.length - 1 - rep] as string));
        await second.close();
      } finally {
        await context.close();
      }
      if (row.expandMs.length > 0) row.allExpandedMs.push(await allExpanded(browser, server.url, names));
    }
  }
}

const args = scenarioArgs<Args>();
if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
ensureUiBuilt();
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
});
const rows: UiBrowserRow[] = [];
try {
  for (const { size, groups } of args.projects) {
    const project = generateProject(size, groups);
    try {
      rows.push(await measureProject(browser, project, size, groups, args.reps));
    } finally {
      project.remove();
    }
  }
} finally {
  await browser.close();
}
emitResult({ rows });
