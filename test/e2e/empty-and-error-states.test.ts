// Browser test: what a new project without materializations shows, and the error states for unknown runs, assets and pages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNoPageErrors, e2eSkipReason, eventually, inPage, medallionTestbed, openGraph, openPage } from './browser.js';

const SKIP = e2eSkipReason();
const OPTIONS = { skip: SKIP, timeout: 60_000 };

const bed = medallionTestbed();

test('an asset that was never materialized says so and tells how to build it', OPTIONS, async (t) => {
  t.diagnostic(bed.server.startup);
  const page = await openPage(bed.browser, t);
  await page.goto(`${bed.server.url}/#/assets/gold/daily_revenue`);
  await page.getByRole('heading', { level: 1, name: 'gold/daily_revenue' }).waitFor();

  assert.equal(await page.locator('.page-header .badge').first().textContent(), 'never materialized');
  const guidance = page.locator('.state-empty', { has: page.getByRole('heading', { name: 'Never materialized' }) });
  await guidance.waitFor();
  const text = (await guidance.textContent()) ?? '';
  assert.match(text, /sluice materialize --select gold\/daily_revenue/);
  assert.match(text, /click Materialize/);
  assert.ok(await page.getByRole('button', { name: 'Materialize', exact: true }).isEnabled(), 'the button the guidance names is there');
  assert.match(
    (await page.locator('section.card', { has: page.getByRole('heading', { name: 'Columns' }) }).textContent()) ?? '',
    /known after the first materialization/,
  );
  assert.match((await page.locator('section.card', { has: page.getByRole('heading', { name: 'Last materialization' }) }).textContent()) ?? '', /None yet/);
  assert.equal(await page.getByRole('heading', { name: 'Preview' }).count(), 0, 'no preview of a table that does not exist');
  assertNoPageErrors(page);
});

test('an asset whose checks never ran lists each defined check as "not run yet", with what it asserts', OPTIONS, async (t) => {
  const page = await openPage(bed.browser, t);
  await page.goto(`${bed.server.url}/#/assets/silver/orders`);
  await page.getByRole('heading', { level: 1, name: 'silver/orders' }).waitFor();
  const card = page.locator('section.card', { has: page.getByRole('heading', { level: 2, name: 'Checks', exact: true }) });
  await card.locator('table').waitFor();
  const rows = await inPage(card.locator('tbody tr.check-row'), (trs) =>
    trs.map((tr) => ({
      check: tr.getAttribute('data-check'),
      result: tr.querySelector('.badge')?.textContent ?? '',
      assertion: tr.querySelector('.check-assertion')?.textContent ?? '',
      severity: [...tr.querySelectorAll('td')][2]?.textContent ?? '',
    })),
  );
  assert.deepEqual(rows, [
    { check: 'accepted_range_quantity', result: 'not run yet', assertion: 'quantity between 1 and 5', severity: 'warn' },
    { check: 'not_null_customer_id', result: 'not run yet', assertion: 'customer_id is not null', severity: 'error · blocking' },
  ]);
  const text = (await card.textContent()) ?? '';
  assert.match(text, /No check has run yet/);
  assert.match(text, /sluice check --select silver\/orders/);
  assert.doesNotMatch(text, /No checks on this asset/);
  assertNoPageErrors(page);
});

test('in the graph of a project without materializations every asset reads "never materialized"', OPTIONS, async (t) => {
  const page = await openPage(bed.browser, t);
  await openGraph(page, bed.server.url, 'dom');
  await eventually(async () => {
    const statuses = await inPage(page.locator('.asset-node'), (nodes) => nodes.map((n) => n.querySelector('.asset-node-meta')?.textContent ?? ''));
    assert.equal(statuses.length, 8);
    assert.ok(
      statuses.every((s) => s.startsWith('never materialized')),
      JSON.stringify(statuses),
    );
  });
  await page.locator('.asset-node[data-key="silver/orders"]').click();
  const panel = page.getByRole('complementary', { name: 'Asset silver/orders' });
  await panel.waitFor();
  // The card fetches the asset's details; until then the last run reads "…".
  await eventually(async () => assert.match((await panel.textContent()) ?? '', /Last runnever materialized/));
  assertNoPageErrors(page);
});

test('the runs page of a project without runs says how to start one', OPTIONS, async (t) => {
  const page = await openPage(bed.browser, t);
  await page.goto(`${bed.server.url}/#/runs`);
  const empty = page.locator('.state-empty', { has: page.getByRole('heading', { name: 'No runs yet' }) });
  await empty.waitFor();
  assert.match((await empty.textContent()) ?? '', /click Materialize, or run sluice materialize/);
  assert.equal(await page.locator('table').count(), 0);
  assertNoPageErrors(page);
});

test('an unknown run id shows an error that names it, with a link to all runs', OPTIONS, async (t) => {
  const page = await openPage(bed.browser, t);
  await page.goto(`${bed.server.url}/#/runs/no-such-run`);
  const alert = page.getByRole('alert');
  await alert.getByRole('heading', { name: 'No run with id no-such-run' }).waitFor();
  const text = (await alert.textContent()) ?? '';
  assert.match(text, /HTTP 404/);
  assert.match(text, /no-such-run/);
  assert.equal(await alert.getByRole('button', { name: 'Try again' }).count(), 0, 'no retry for a run that does not exist');
  await page.getByRole('link', { name: 'All runs' }).click();
  await page.getByRole('heading', { level: 1, name: 'Runs' }).waitFor();
  assertNoPageErrors(page);
});

test('an unknown asset and an unknown page say so and lead back to the lineage graph', OPTIONS, async (t) => {
  const page = await openPage(bed.browser, t);
  await page.goto(`${bed.server.url}/#/assets/silver/nope`);
  await page.getByRole('alert').getByRole('heading', { name: 'No asset named “silver/nope”' }).waitFor();
  assert.match((await page.getByRole('alert').textContent()) ?? '', /HTTP 404/);
  assert.equal(await page.getByRole('link', { name: 'Back to the lineage graph' }).count(), 1);

  await page.goto(`${bed.server.url}/#/nowhere/at/all`);
  const notFound = page.locator('.state-empty', { has: page.getByRole('heading', { name: 'Page not found' }) });
  await notFound.waitFor();
  assert.match((await notFound.textContent()) ?? '', /Nothing lives at \/nowhere\/at\/all/);
  await notFound.getByRole('link', { name: 'lineage graph' }).click();
  await page.getByTestId('lineage-graph').waitFor({ timeout: 30_000 });
  assertNoPageErrors(page);
});
