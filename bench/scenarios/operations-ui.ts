// Child: the operations pages in Debian's Chromium against a real `sluice dev` of the flights demo plus an asset with
// 10,000 daily partitions: partition grid first render, column lineage view render (one column, and every column of
// the demo), and a run's end (its run-status event reaching the page) to the grid showing the new partition.
// Standalone: node --import tsx bench/scenarios/operations-ui.ts '{"reps":5}'
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from '../lib/paths.js';
import { emitResult, scenarioArgs } from '../lib/scenario-io.js';
import { ensureUiBuilt, startUiServer } from './ui-project.js';

interface Args {
  reps: number;
}

/** One sample per repetition, milliseconds. */
export interface OperationsUiResult {
  partitions: number;
  /** Navigation to the asset page's partition grid drawn (10,000 cells on the canvas). */
  gridFirstRenderMs: number[];
  /** The same for an asset with 100 partitions, measured alternately with it (the page's fixed cost). */
  grid100FirstRenderMs: number[];
  /** Navigation to the column lineage view of gold/region_monthly_summary.avg_delay_min drawn. */
  columnViewMs: number[];
  /** Navigation to the whole demo's column graph drawn, and its size. */
  wholeColumnGraphMs: number[];
  wholeColumnGraphNodes: number;
  /** A partition run's `run-status: succeeded` event arriving in the page to the grid showing that partition built. */
  runEventToGridMs: number[];
}

const CHROMIUM = '/usr/bin/chromium';
const PARTITIONS = 10_000;
const TIMEOUT_MS = 120_000;

/** The first day of 10,000 daily partitions that all ended before 2026. */
const START = '1990-01-01';
const END = new Date(Date.parse(`${START}T00:00:00Z`) + PARTITIONS * 86_400_000).toISOString().slice(0, 10);
const END_100 = new Date(Date.parse(`${START}T00:00:00Z`) + 100 * 86_400_000).toISOString().slice(0, 10);

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-ops-'));
  const sluice = JSON.stringify(join(REPO_ROOT, 'src', 'index.ts'));
  const flights = JSON.stringify(join(REPO_ROOT, 'examples', 'flights', 'sluice.config.ts'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  cpSync(join(REPO_ROOT, 'examples', 'flights', 'seeds'), join(dir, 'seeds'), { recursive: true });
  writeFileSync(
    join(dir, 'sluice.config.ts'),
    `import { asset, dailyPartitions, defineProject } from ${sluice};
import { project as flights } from ${flights};
export const project = defineProject({
  name: 'operations-bench',
  assets: [...flights.assets, asset({ key: 'ops/ticks', group: 'operations', partitionColumn: 'day',
    partitions: dailyPartitions({ start: '${START}', end: '${END}' }),
    sql: 'SELECT CAST($partition_start AS DATE) AS day, 1 AS n' }),
    asset({ key: 'ops/ticks_100', group: 'operations', partitionColumn: 'day',
    partitions: dailyPartitions({ start: '${START}', end: '${END_100}' }),
    sql: 'SELECT CAST($partition_start AS DATE) AS day, 1 AS n' })],
  checks: flights.checks,
});
`,
  );
  return dir;
}

async function until(page: Page, condition: string): Promise<number> {
  return (await page.evaluate(`new Promise((resolve, reject) => {
    const end = performance.now() + ${TIMEOUT_MS};
    const tick = () => { let ok = false; try { ok = (${condition}); } catch {} 
      if (ok) resolve(performance.now()); else if (performance.now() > end) reject(new Error('not met: ' + ${JSON.stringify(condition)})); else requestAnimationFrame(tick); };
    tick();
  })`)) as number;
}

/** Navigation start to `condition` true in a fresh page (performance.now() counts from the navigation). */
async function render(browser: Browser, url: string, condition: string): Promise<number> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  try {
    await page.goto(url);
    return await until(page, condition);
  } finally {
    await page.close();
  }
}

/**
 * The demo's config imports `sluice`, which resolves to dist/; where nothing is built (the bench's snapshot), `sluice dev`
 * runs from src/ through tsx, and so must that import: a resolve hook in the child's NODE_OPTIONS points it at src/index.ts.
 */
function aliasSluiceToSourceInChildren(): void {
  if (existsSync(join(REPO_ROOT, 'dist', 'index.js'))) return;
  const target = JSON.stringify(pathToFileURL(join(REPO_ROOT, 'src', 'index.ts')).href);
  const hook = `export async function resolve(specifier, context, next) { return specifier === 'sluice' ? { url: ${target}, shortCircuit: true } : next(specifier, context); }`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import=data:text/javascript,${encodeURIComponent(register)}`.trim();
}

const { reps } = scenarioArgs<Args>();
ensureUiBuilt();
aliasSluiceToSourceInChildren();
const dir = project();
const server = await startUiServer(dir);
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
const result: OperationsUiResult = {
  partitions: PARTITIONS,
  gridFirstRenderMs: [],
  grid100FirstRenderMs: [],
  columnViewMs: [],
  wholeColumnGraphMs: [],
  wholeColumnGraphNodes: 0,
  runEventToGridMs: [],
};
const grid = `document.querySelector('[data-testid="partition-grid"] canvas')?.width > 0`;
try {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing`);
  for (let rep = 0; rep < reps; rep++) {
    result.gridFirstRenderMs.push(await render(browser, `${server.url}/#/assets/ops/ticks`, grid));
    result.grid100FirstRenderMs.push(await render(browser, `${server.url}/#/assets/ops/ticks_100`, grid));
    result.columnViewMs.push(
      await render(browser, `${server.url}/#/columns/gold/region_monthly_summary/avg_delay_min`, `document.querySelector('.column-row-focus') !== null`),
    );
    result.wholeColumnGraphMs.push(await render(browser, `${server.url}/#/columns`, `document.querySelectorAll('.column-row').length > 50`));
  }
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${server.url}/#/columns`);
  await until(page, `document.querySelectorAll('.column-row').length > 50`);
  result.wholeColumnGraphNodes = Number(await page.locator('[data-testid="column-lineage-graph"]').getAttribute('data-nodes'));
  await page.goto(`${server.url}/#/assets/ops/ticks`);
  await until(page, grid);
  for (let rep = 0; rep < reps; rep++) {
    const index = PARTITIONS - 1 - rep;
    const key = new Date(Date.parse(`${START}T00:00:00Z`) + index * 86_400_000).toISOString().slice(0, 10);
    // The page's own clock: when the run's final status arrives on a second stream, and when the grid shows it.
    await page.evaluate(`void (window.__runEnded = new Promise((resolve) => {
      const source = new EventSource('/api/stream');
      source.addEventListener('run-status', (e) => { const run = JSON.parse(e.data); if (run.status === 'succeeded') { source.close(); resolve(performance.now()); } });
      source.addEventListener('open', () => { window.__streamOpen = true; });
    }))`);
    await until(page, 'window.__streamOpen === true');
    const launched = await fetch(`${server.url}/api/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ select: 'ops/ticks', partition: key }),
    });
    if (launched.status !== 202) throw new Error(`launching partition ${key}: ${launched.status} ${await launched.text()}`);
    const shown = await until(page, `document.querySelector('[data-testid="partition-grid"]').dataset.status[${index}] === 'm'`);
    const ended = (await page.evaluate('window.__runEnded')) as number;
    await page.evaluate('window.__streamOpen = false');
    result.runEventToGridMs.push(shown - ended);
  }
  await page.close();
} finally {
  await browser.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
emitResult(result);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
process.stderr.write(
  `partition grid first render: ${PARTITIONS} partitions median ${median(result.gridFirstRenderMs).toFixed(0)} ms, 100 partitions median ${median(result.grid100FirstRenderMs).toFixed(0)} ms (ratio ${(median(result.gridFirstRenderMs) / median(result.grid100FirstRenderMs)).toFixed(2)})\n` +
    `column view (avg_delay_min): median ${median(result.columnViewMs).toFixed(0)} ms\n` +
    `whole demo column graph (${result.wholeColumnGraphNodes} columns): median ${median(result.wholeColumnGraphMs).toFixed(0)} ms\n` +
    `run event -> grid shows it: median ${median(result.runEventToGridMs).toFixed(0)} ms (samples ${result.runEventToGridMs.map((x) => x.toFixed(0)).join(', ')})\n`,
);
