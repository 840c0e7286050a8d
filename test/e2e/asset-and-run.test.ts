// Browser test: an asset page after a materialization, and a run launched from it, watched live until it succeeds.
import assert from 'node:assert/strict';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import {
  assertNoPageErrors,
  e2eSkipReason,
  eventually,
  inPage,
  launchBrowser,
  materialize,
  MEDALLION_ORDERS_DESCRIPTION,
  medallionProject,
  openPage,
  startDevServer,
  type DevServer,
} from './browser.js';

const SKIP = e2eSkipReason();
const OPTIONS = { skip: SKIP, timeout: 60_000 };

let project: ReturnType<typeof medallionProject>;
let server: DevServer;
let browser: Browser;

before(async () => {
  if (SKIP) return;
  project = medallionProject();
  server = await startDevServer(project.dir);
  browser = await launchBrowser();
  await materialize(server.url, '*');
});

after(async () => {
  project?.holdOrders(false);
  await browser?.close();
  await server?.stop();
  project?.remove();
});

/** The card whose heading is `title`. */
function card(page: Page, title: string): Locator {
  return page.locator('section.card', { has: page.getByRole('heading', { level: 2, name: title, exact: true }) });
}

/** The rows of the first table in `scope`, as cell texts. */
function tableRows(scope: Locator): Promise<string[][]> {
  return inPage(scope.locator('table tbody tr'), (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')));
}

/** Each row of the run timeline: asset key and step status. */
function timeline(page: Page): Promise<{ asset: string; status: string; bar: boolean }[]> {
  return inPage(page.getByRole('img', { name: 'Run timeline' }).locator('g.gantt-row'), (rows) =>
    rows.map((r) => ({
      asset: r.querySelector('.gantt-label')?.textContent ?? '',
      status: [...r.classList].find((c) => c.startsWith('step-'))?.slice('step-'.length) ?? '',
      bar: r.querySelector('rect.gantt-bar') !== null,
    })),
  );
}

test('after a materialization the asset page shows the description, the columns and a preview of the rows', OPTIONS, async (t) => {
  t.diagnostic(server.startup);
  const page = await openPage(browser, t);
  await page.goto(`${server.url}/#/assets/silver/orders`);
  await page.getByRole('heading', { level: 1, name: 'silver/orders' }).waitFor();

  const header = page.locator('.page-header');
  assert.equal(await header.locator('.badge').first().textContent(), 'fresh');
  await page.getByText(MEDALLION_ORDERS_DESCRIPTION, { exact: true }).waitFor();
  assert.deepEqual(await page.locator('.facts-inline a.tag-link').allTextContents(), ['bronze/orders', 'bronze/products']);
  assert.equal(await page.getByText('Never materialized').count(), 0, 'no "never materialized" guidance once built');

  const columns = await tableRows(card(page, 'Columns'));
  assert.deepEqual(
    columns.map(([name, type]) => `${name} ${type}`),
    ['order_id INTEGER', 'customer_id INTEGER', 'product_id INTEGER', 'quantity INTEGER', 'price DECIMAL(10,2)', 'amount DECIMAL(18,2)', 'order_date DATE'],
  );
  const last = card(page, 'Last materialization');
  assert.match((await last.textContent()) ?? '', /Rows60/);

  // Each defined check with its latest result, the worst first: quantity 6 is out of range, a warning.
  const checks = await inPage(card(page, 'Checks').locator('tbody tr.check-row'), (rows) =>
    rows.map((r) => `${r.getAttribute('data-check')} ${r.querySelector('.badge')?.textContent} ${r.querySelector('.check-assertion')?.textContent}`),
  );
  assert.deepEqual(checks, ['accepted_range_quantity warned quantity between 1 and 5', 'not_null_customer_id passed customer_id is not null']);
  assert.equal(
    await card(page, 'Checks')
      .getByText(/not run yet/)
      .count(),
    0,
  );

  const preview = card(page, 'Preview');
  await preview.locator('table').waitFor();
  assert.equal(await preview.getByText('First 50 rows').count(), 1);
  assert.deepEqual(await preview.locator('thead th').allTextContents(), ['order_id', 'customer_id', 'product_id', 'quantity', 'price', 'amount', 'order_date']);
  const rows = await tableRows(preview);
  assert.equal(rows.length, 50);
  for (const row of rows) {
    assert.match(row[0]!, /^\d+$/, `order_id in ${JSON.stringify(row)}`);
    assert.match(row[6]!, /^2026-11-\d\d/, `order_date in ${JSON.stringify(row)}`);
  }
  assertNoPageErrors(page);
});

test('the Materialize button launches a run, opens its page and shows it succeed live with a per-asset timeline', OPTIONS, async (t) => {
  const page = await openPage(browser, t);
  const streams: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/stream') streams.push(request.url());
  });
  await page.goto(`${server.url}/#/assets/gold/daily_revenue`);
  await page.getByRole('heading', { level: 1, name: 'gold/daily_revenue' }).waitFor();
  // Hash navigation never reloads the page: this mark must survive until the run has succeeded.
  await page.evaluate(() => ((globalThis as { e2eMark?: string }).e2eMark = 'same page'));

  // bronze/orders waits for its export to finish, so the run is caught in flight.
  project.holdOrders(true);
  await page.getByRole('button', { name: 'Materialize options' }).click();
  const withUpstream = page.getByRole('menuitem', { name: /With upstream/ });
  assert.match((await withUpstream.textContent()) ?? '', /\+gold\/daily_revenue/);
  const launched = Date.now();
  await withUpstream.click();

  await page.waitForURL(/#\/runs\/[^/]+$/);
  const runId = decodeURIComponent(new URL(page.url()).hash.slice('#/runs/'.length));
  await page.getByRole('heading', { level: 1, name: `Run ${runId}` }).waitFor();
  const status = page.locator('.page-header .badge').first();
  await eventually(async () => assert.equal(await status.textContent(), 'running'));
  await eventually(async () => {
    const rows = await timeline(page);
    assert.deepEqual(rows.map((r) => r.asset).sort(), ['bronze/orders', 'bronze/products', 'gold/daily_revenue', 'silver/orders']);
    assert.equal(rows.find((r) => r.asset === 'bronze/orders')?.status, 'running', JSON.stringify(rows));
    assert.ok(
      rows.filter((r) => r.asset !== 'bronze/products').every((r) => r.status !== 'succeeded'),
      JSON.stringify(rows),
    );
  });
  assert.equal(await page.getByRole('button', { name: 'Cancel' }).isEnabled(), true, 'a running run can be canceled');
  await page.getByRole('status').getByText('live', { exact: true }).waitFor();

  // The export finishes: everything after this reaches the page through the event stream, not a reload.
  project.holdOrders(false);
  await eventually(async () => assert.equal(await status.textContent(), 'succeeded'), 30_000);
  t.diagnostic(`run ${runId} shown as succeeded ${Date.now() - launched} ms after the click`);
  await eventually(async () => {
    const rows = await timeline(page);
    assert.deepEqual(rows.map((r) => r.asset).sort(), ['bronze/orders', 'bronze/products', 'gold/daily_revenue', 'silver/orders']);
    assert.ok(
      rows.every((r) => r.status === 'succeeded' && r.bar),
      `every step succeeded and has its bar: ${JSON.stringify(rows)}`,
    );
  });
  // Bars are in start order: nothing starts before what it reads from.
  const order = (await timeline(page)).map((r) => r.asset);
  assert.ok(
    order.indexOf('bronze/orders') < order.indexOf('silver/orders') && order.indexOf('silver/orders') < order.indexOf('gold/daily_revenue'),
    order.join(', '),
  );
  await eventually(async () => assert.ok((await page.locator('.event-type').allTextContents()).includes('run_succeeded')));
  assert.equal(await page.getByRole('button', { name: 'Cancel' }).isEnabled(), false, 'a finished run cannot be canceled');
  assert.equal(await page.evaluate(() => (globalThis as { e2eMark?: string }).e2eMark), 'same page');
  assert.ok(streams.length > 0, 'the page follows /api/stream');

  const { run } = (await (await fetch(`${server.url}/api/runs/${runId}`)).json()) as { run: { status: string; selection: string } };
  assert.deepEqual(run, { ...run, status: 'succeeded', selection: '+gold/daily_revenue' });
  assertNoPageErrors(page);
});

test('a run in flight can be canceled from its page, and Re-execute runs what it did not build', OPTIONS, async (t) => {
  const page = await openPage(browser, t);
  await page.goto(`${server.url}/#/assets/silver/orders`);
  await page.getByRole('heading', { level: 1, name: 'silver/orders' }).waitFor();
  project.holdOrders(true);
  await page.getByRole('button', { name: 'Materialize options' }).click();
  await page.getByRole('menuitem', { name: /With upstream/ }).click();
  await page.waitForURL(/#\/runs\/[^/]+$/);
  const canceledId = decodeURIComponent(new URL(page.url()).hash.slice('#/runs/'.length));
  const status = page.locator('.page-header .badge').first();
  await eventually(async () => assert.equal((await timeline(page)).find((r) => r.asset === 'bronze/orders')?.status, 'running'));

  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await eventually(async () => assert.equal(await status.textContent(), 'canceled'), 30_000);
  assert.equal(await page.getByRole('button', { name: 'Cancel', exact: true }).isEnabled(), false);

  project.holdOrders(false);
  await page.getByRole('button', { name: 'Re-execute', exact: true }).click();
  await page.waitForURL((url) => /#\/runs\/[^/]+$/.test(url.hash) && !url.hash.endsWith(encodeURIComponent(canceledId)));
  const rerunId = decodeURIComponent(new URL(page.url()).hash.slice('#/runs/'.length));
  assert.notEqual(rerunId, canceledId);
  await eventually(async () => assert.equal(await status.textContent(), 'succeeded'), 30_000);
  await eventually(async () => {
    const rows = await timeline(page);
    assert.ok(rows.some((r) => r.asset === 'bronze/orders') && rows.every((r) => r.status === 'succeeded'), JSON.stringify(rows));
  });

  // Both runs are in the list, newest first, with their outcome.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs' }).click();
  await page.getByRole('heading', { level: 1, name: 'Runs' }).waitFor();
  await eventually(async () => {
    const runs = (await tableRows(page.locator('main'))).map(([outcome, id]) => `${id} ${outcome}`);
    assert.deepEqual(runs.slice(0, 2), [`${rerunId} succeeded`, `${canceledId} canceled`]);
  });
  assertNoPageErrors(page);
});

test('a failed run shows the error of the failed asset, and Re-execute from failure finishes it once the cause is fixed', OPTIONS, async (t) => {
  const page = await openPage(browser, t);
  const customers = join(project.dir, 'landing', 'customers.csv');
  renameSync(customers, `${customers}.off`);
  let failedId: string;
  try {
    await page.goto(`${server.url}/#/assets/gold/customer_value`);
    await page.getByRole('heading', { level: 1, name: 'gold/customer_value' }).waitFor();
    await page.getByRole('button', { name: 'Materialize options' }).click();
    await page.getByRole('menuitem', { name: /With upstream/ }).click();
    await page.waitForURL(/#\/runs\/[^/]+$/);
    failedId = decodeURIComponent(new URL(page.url()).hash.slice('#/runs/'.length));
    const status = page.locator('.page-header .badge').first();
    await eventually(async () => assert.equal(await status.textContent(), 'failed'), 30_000);
    const failure = page.locator('section.card-error', { has: page.getByRole('heading', { name: 'bronze/customers failed' }) });
    await failure.waitFor();
    assert.match((await failure.textContent()) ?? '', /customers\.csv/, 'the error names the missing file');
    await eventually(async () => {
      const steps = Object.fromEntries((await timeline(page)).map((r) => [r.asset, r.status]));
      assert.equal(steps['bronze/customers'], 'failed', JSON.stringify(steps));
      assert.equal(steps['silver/customers'], 'skipped', JSON.stringify(steps));
      assert.equal(steps['gold/customer_value'], 'skipped', JSON.stringify(steps));
    });
  } finally {
    renameSync(`${customers}.off`, customers);
  }

  await page.getByRole('button', { name: 'Re-execute from failure' }).click();
  await page.waitForURL((url) => /#\/runs\/[^/]+$/.test(url.hash) && !url.hash.endsWith(encodeURIComponent(failedId)));
  const status = page.locator('.page-header .badge').first();
  await eventually(async () => assert.equal(await status.textContent(), 'succeeded'), 30_000);
  await eventually(async () => {
    const steps = await timeline(page);
    assert.deepEqual(steps.map((r) => r.asset).sort(), ['bronze/customers', 'gold/customer_value', 'silver/customers']);
    assert.ok(
      steps.every((r) => r.status === 'succeeded'),
      JSON.stringify(steps),
    );
  });
  assertNoPageErrors(page);
});
