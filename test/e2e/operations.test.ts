// Browser tests of the operations pages on the real flights demo (with `npm run inject-bad-rows`), extended by a
// daily-partitioned asset and an asset that follows its upstream by condition and carries a failing check.
// Set SLUICE_UI_SCREENSHOTS=docs to also write the screenshots of docs/ui.md.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { tempProject, type TempProject } from '../helpers/temp-project.js';
import { LATE_DELIVERY, LATE_DELIVERY_JSONL } from '../../examples/flights/scripts/inject-bad-rows.js';
import {
  assertNoPageErrors,
  e2eSkipReason,
  eventually,
  inPage,
  launchBrowser,
  materialize,
  openPage,
  REPO_ROOT,
  settle,
  startDevServer,
  type DevServer,
} from './browser.js';

const SKIP = e2eSkipReason();
const OPTIONS = { skip: SKIP, timeout: 120_000 };
const FLIGHTS = join(REPO_ROOT, 'examples', 'flights');
const SCREENSHOTS = process.env.SLUICE_UI_SCREENSHOTS;

const CONFIG = `
import { asset, checks, dailyPartitions, defineProject } from '@sluice';
import { project as flights } from ${JSON.stringify(join(FLIGHTS, 'sluice.config.ts'))};

export const project = defineProject({
  name: 'flights-operations',
  assets: [
    ...flights.assets,
    asset({
      key: 'ops/daily_flights', group: 'operations', partitionColumn: 'flight_date',
      partitions: dailyPartitions({ start: '2001-01-01', end: '2001-07-01' }),
      sql: \`SELECT flight_date, count(*) AS flights, avg(delay_min) AS avg_delay_min FROM silver.flights
            WHERE departed_at >= $partition_start AND departed_at < $partition_end GROUP BY 1\`,
    }),
    asset({
      key: 'ops/delay_watch', group: 'operations', automation: { type: 'upstream_changed' },
      sql: 'SELECT region, max(avg_delay_min) AS worst_avg_delay_min FROM gold.region_monthly_summary GROUP BY 1',
      checks: [checks.acceptedRange('worst_avg_delay_min', { max: 5 }, { blocking: false, description: 'No region averages more than 5 minutes of delay in any month.' })],
    }),
  ],
  checks: flights.checks,
  // The demo's sensitivity tag only (its filters need the demo's access users): shown on the asset page.
  policies: { 'bronze/airports': { tags: { name: ['sensitive'] } } },
});
`;

/** The loader's reason for each bronze defect the script writes (its `expect` text after "bronze quarantine: "). */
const BRONZE_REASONS: Readonly<Record<string, string>> = {
  'bad_cast date': 'bad_cast',
  'bad_cast delay': 'bad_cast',
  'missing columns': 'missing_columns',
  'extra columns': 'extra_columns',
  'bad quoting': 'bad_quoting',
  'missing required origin': 'null_required',
  bad_json: 'bad_json',
  not_an_object: 'not_an_object',
  'missing_columns origin': 'missing_columns',
  duplicate_field: 'duplicate_field',
};

const FLIGHTS_GROUPS = 'group:fact_ingestion,group:dim_ingestion,group:fact_transformation,group:dim_transformation,group:curation';

let project: TempProject | undefined;
let server: DevServer | undefined;
let browser: Browser | undefined;

before(async () => {
  if (SKIP) return;
  project = tempProject({ 'sluice.config.ts': CONFIG });
  cpSync(join(FLIGHTS, 'seeds'), join(project.dir, 'seeds'), { recursive: true });
  // The demo's own script writes the late deliveries with their defects.
  execFileSync(process.execPath, ['--import', 'tsx', join(FLIGHTS, 'scripts', 'inject-bad-rows.ts')], {
    env: { ...process.env, SLUICE_FLIGHTS_LANDING: join(project.dir, 'landing') },
    cwd: FLIGHTS,
  });
  await settle(
    startDevServer(project.dir).then((s) => (server = s)),
    launchBrowser().then((b) => (browser = b)),
  );
  await materialize(server!.url, FLIGHTS_GROUPS, 240_000);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  project?.remove();
});

async function open(t: { after(fn: () => Promise<void>): void }, hash: string): Promise<Page> {
  const page = await openPage(browser!, t);
  await page.goto(`${server!.url}/${hash}`);
  return page;
}

async function screenshot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOTS) return;
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(REPO_ROOT, SCREENSHOTS, name), fullPage: false });
}

test('the automation page shows the decision a condition made, with its reason and the run it launched', OPTIONS, async (t) => {
  t.diagnostic(server!.startup);
  const page = await open(t, '#/automation');
  const card = page.locator('[data-automation="ops/delay_watch"]');
  const launched = card.locator('tr.tick-launched');
  await launched.first().waitFor({ timeout: 60_000 });
  assert.match((await launched.first().locator('.tick-reason').textContent()) ?? '', /never materialized|upstream/);
  const runLink = launched.first().locator('a.mono');
  assert.match((await runLink.getAttribute('href')) ?? '', /^#\/runs\//);
  assert.equal(await card.getByRole('switch').isChecked(), true);
  await screenshot(page, 'ui-automation.png');
  assertNoPageErrors(page);
});

test('a failing check is listed first on the Checks page, with its failing rows and its history', OPTIONS, async (t) => {
  const page = await open(t, '#/checks');
  await eventually(
    async () => {
      await page.reload();
      await page.locator('tr.check-row').first().waitFor();
      assert.equal(await page.locator('tr.check-row').first().getAttribute('data-check'), 'ops/delay_watch:accepted_range_worst_avg_delay_min');
    },
    60_000,
    500,
  );
  const first = page.locator('tr.check-row').first();
  assert.equal(await first.locator('.badge').textContent(), 'failed');
  const rows = await inPage(page.locator('tr.check-row'), (trs) => trs.map((tr) => tr.querySelector('.badge')?.textContent ?? ''));
  assert.ok(rows.length >= 12, `every check of the project is listed (${rows.length})`);
  assert.ok(
    rows.slice(1).every((r) => r !== 'failed' && r !== 'error'),
    `only one failing check: ${rows.join(', ')}`,
  );
  await first.locator('.check-name').click();
  await page.locator('.history-cell').first().waitFor();
  assert.ok((await page.locator('.check-detail .sample-table tbody tr').count()) > 0, 'failing rows are shown');
  await page.getByLabel('Filter by state').selectOption('passed');
  assert.equal(await page.locator('tr.check-row .badge', { hasText: 'failed' }).count(), 0);
  await page.getByLabel('Filter by state').selectOption('');
  // The check stays open while filtered out; it is back with its failing rows.
  await page.locator('.history-cell').first().waitFor();
  // With a check's failing rows open, the table still ends inside its card (nothing cut off at the right).
  const overflow = (await page.evaluate(
    `(() => { const t = document.querySelector('.checks-overview'); return t.getBoundingClientRect().right - t.parentElement.getBoundingClientRect().right; })()`,
  )) as number;
  assert.ok(overflow <= 1, `the checks table sticks out of its card by ${overflow} px`);
  await screenshot(page, 'ui-checks.png');
  assertNoPageErrors(page);
});

test('the quarantine of npm run inject-bad-rows shows every defect with its reason, and each load adds up', OPTIONS, async (t) => {
  const page = await open(t, '#/quarantine');
  const bronze = page.locator('.quarantine-table[data-table="bronze.flights_quarantine"]');
  await bronze.locator('tbody tr').first().waitFor();
  const rows = await inPage(bronze.locator('tbody tr'), (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
  const header = await inPage(bronze.locator('thead th'), (ths) => ths.map((th) => th.textContent));
  // Rows from the Parquet file would carry a row offset, late lines a line number: the table has both columns.
  assert.deepEqual(header, ['file', 'line', 'row', 'column', 'reason', 'raw line']);
  const bronzeDefects = [...LATE_DELIVERY, ...LATE_DELIVERY_JSONL].filter((l) => l.expect.startsWith('bronze quarantine'));
  assert.equal(rows.length, bronzeDefects.length);
  for (const defect of bronzeDefects) {
    const row = rows.find((r) => r[5] === defect.line);
    assert.ok(row, `defect "${defect.line}" (${defect.expect}) is listed`);
    assert.ok(row[0]!.startsWith('flights-late-delivery.') && Number(row[1]) > 0 && row[4]!.length > 0, `file, line and reason of ${JSON.stringify(row)}`);
    assert.equal(row[4], BRONZE_REASONS[defect.expect.replace('bronze quarantine: ', '')], `reason of "${defect.line}" (${defect.expect})`);
  }
  const silver = page.locator('.quarantine-table[data-table="silver.flights_quarantine"]');
  const reasons = await inPage(silver.locator('.reason-count'), (tags) =>
    tags.map((tag) => [tag.getAttribute('data-reason'), tag.querySelector('strong')?.textContent]),
  );
  assert.deepEqual(Object.fromEntries(reasons), {
    'missing or non-integer delay': '2',
    'origin equals destination': '1',
    'missing or non-positive distance': '1',
    'invalid origin airport code': '1',
  });
  const loads = page.locator('[data-quarantine-asset="bronze/flights"] .loads-table tbody tr');
  const accounting = await inPage(loads, (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(1, 6).map((td) => td.textContent ?? '')));
  const total = accounting.find((r) => r[0] === 'lateDeliveries')!;
  await screenshot(page, 'ui-quarantine.png');
  assert.equal(Number(total[1]), Number(total[2]) + Number(total[3]) + Number(total[4]), `read = accepted + quarantined + skipped: ${total.join(' ')}`);
  assert.equal(Number(total[3]), bronzeDefects.length);
  // The asset page shows the same accounting.
  await page.goto(`${server!.url}/#/assets/bronze/flights`);
  const assetLoads = page.locator('section.card', { has: page.getByRole('heading', { name: 'Loads' }) }).locator('tr.load-total');
  await assetLoads.first().waitFor();
  assert.match((await assetLoads.first().textContent()) ?? '', new RegExp(`lateDeliveries${total[1]}${total[2]}${total[3]}${total[4]}`));
  assertNoPageErrors(page);
});

test('a backfill launched from the partition grid runs, shows on the Backfills page, and the grid follows', OPTIONS, async (t) => {
  const page = await open(t, '#/assets/ops/daily_flights');
  const grid = page.getByTestId('partition-grid');
  await grid.waitFor();
  assert.equal(await grid.getAttribute('data-status'), '-'.repeat(181));
  // Click 2001-01-02, shift-click 2001-01-04 on the canvas.
  const [cell, gap, columns] = await Promise.all(['data-cell', 'data-gap', 'data-columns'].map(async (a) => Number(await grid.getAttribute(a))));
  const at = (i: number): { x: number; y: number } => ({
    x: (i % columns!) * (cell! + gap!) + cell! / 2,
    y: Math.floor(i / columns!) * (cell! + gap!) + cell! / 2,
  });
  const canvas = grid.locator('canvas');
  await canvas.click({ position: at(1) });
  await canvas.click({ position: at(3), modifiers: ['Shift'] });
  assert.equal(await page.getByLabel('First partition').inputValue(), '2001-01-02');
  assert.equal(await page.getByLabel('Last partition').inputValue(), '2001-01-04');
  await page.getByRole('button', { name: 'Backfill 3 partitions' }).click();
  await eventually(async () => assert.equal((await grid.getAttribute('data-status'))!.slice(0, 5), '-mmm-'), 60_000);
  await screenshot(page, 'ui-partitions.png');
  const backfills = await open(t, '#/backfills');
  const card = backfills.locator('.backfill-card').first();
  await eventually(async () => assert.equal(await card.getAttribute('data-state'), 'succeeded'), 30_000);
  assert.match((await card.locator('.backfill-progress').textContent()) ?? '', /3 of 3 partitions done/);
  await screenshot(backfills, 'ui-backfills.png');
  assertNoPageErrors(page);
  assertNoPageErrors(backfills);
});

test('column lineage from gold.region_monthly_summary.avg_delay_min clicks through to the Parquet source column', OPTIONS, async (t) => {
  const page = await open(t, '#/assets/gold/region_monthly_summary');
  await page.getByRole('link', { name: 'avg_delay_min', exact: true }).first().click();
  const graph = page.getByTestId('column-lineage-graph');
  await graph.waitFor();
  assert.equal(await page.locator('.column-row-focus').getAttribute('data-column'), 'gold/region_monthly_summary.avg_delay_min');
  const edge = page.locator('.column-edge[data-to="gold/region_monthly_summary.avg_delay_min"]');
  assert.equal(await edge.getAttribute('data-from'), 'silver/flights.delay_min');
  assert.equal(await edge.getAttribute('data-transform'), 'aggregation');
  await screenshot(page, 'ui-column-lineage.png');
  for (const [column, next] of [
    ['silver/flights.delay_min', 'silver/flights_validated.delay_min'],
    ['silver/flights_validated.delay_min', 'bronze/flights.delay'],
  ] as const) {
    await page.locator(`.column-row[data-column="${next}"] a`).click();
    await page.locator(`.column-row-focus[data-column="${next}"]`).waitFor();
    assert.ok(await page.locator(`.column-edge[data-from="${next}"][data-to="${column}"]`).count(), `${next} feeds ${column}`);
  }
  const source = page.locator('.column-edge[data-to="bronze/flights.delay"]');
  assert.match((await source.getAttribute('data-from')) ?? '', /^file:.*flights-3m\.parquet\.delay$/);
  assert.equal(await source.getAttribute('data-transform'), 'identity');
  assertNoPageErrors(page);
});

test('the asset page does not overflow sideways at 1280 px, and numbers show to sensible precision', OPTIONS, async (t) => {
  const page = await open(t, '#/assets/gold/region_monthly_summary');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.locator('.preview tbody tr').first().waitFor();
  const overflow = await page.evaluate(() => {
    const main = (globalThis as unknown as { document: { querySelector(s: string): { scrollWidth: number; clientWidth: number } } }).document.querySelector(
      'main',
    )!;
    return main.scrollWidth - main.clientWidth;
  });
  assert.ok(overflow <= 0, `the page is ${overflow} px wider than the window`);
  const cells = await inPage(page.locator('.preview tbody td.cell-number'), (tds) => tds.map((td) => [td.textContent ?? '', td.getAttribute('title')]));
  const fraction = cells.find(([, title]) => title !== null);
  assert.ok(fraction, 'a fraction has its exact value on hover');
  assert.ok(fraction[0]!.replace(/[^0-9]/g, '').length <= 6, `shown as ${fraction[0]}, exactly ${fraction[1]}`);
  assertNoPageErrors(page);
});

test('the asset page shows a column sensitivity tag inherited through column lineage', OPTIONS, async (t) => {
  const page = await open(t, '#/assets/gold/flights_enriched');
  const tag = page
    .locator('.columns-table tr', { has: page.getByRole('link', { name: 'origin_name', exact: true }) })
    .locator('.sensitivity-tag[data-tag="sensitive"]');
  await tag.waitFor();
  assert.equal(await tag.textContent(), 'sensitive');
  assert.match((await tag.getAttribute('title')) ?? '', /inherited from bronze\/airports\.name/);
  assert.equal(
    await page
      .locator('.columns-table tr', { has: page.getByRole('link', { name: 'origin_city', exact: true }) })
      .locator('.sensitivity-tag')
      .count(),
    0,
  );
  assertNoPageErrors(page);
});
