// Browser test: the lineage graph of a small medallion project (bronze, silver, gold), its highlighting and its search.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { assertNoPageErrors, e2eSkipReason, eventually, inPage, MEDALLION, medallionTestbed, openGraph, openPage } from './browser.js';

const SKIP = e2eSkipReason();
const OPTIONS = { skip: SKIP, timeout: 60_000 };
const ALL_KEYS: string[] = Object.values(MEDALLION).flat();

const bed = medallionTestbed();

/** The class list of each asset node drawn, by key. */
async function nodeClasses(page: Page): Promise<Map<string, string[]>> {
  const entries = await inPage(page.locator('.asset-node'), (nodes) => nodes.map((n) => [n.getAttribute('data-key') ?? '', n.className] as const));
  return new Map(entries.map(([key, className]) => [key, className.split(/\s+/)]));
}

/** The emphasis (selected, lit, dimmed, plain) of each asset node. */
async function emphasis(page: Page): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const [key, classes] of await nodeClasses(page)) result[key] = classes.find((c) => c.startsWith('emphasis-'))?.slice('emphasis-'.length) ?? '?';
  return result;
}

/** Whether the edge from -> to is drawn lit, dimmed or plain. */
async function edgeLook(page: Page, from: string, to: string): Promise<string> {
  const path = page.getByRole('img', { name: `Edge from ${from} to ${to}`, exact: true }).locator('path.lineage-edge');
  const className = (await path.getAttribute('class')) ?? '';
  return className.includes('edge-lit') ? 'lit' : className.includes('edge-dimmed') ? 'dimmed' : 'plain';
}

test('the lineage graph shows every asset of the medallion project inside the box of its group', OPTIONS, async (t) => {
  const page = await openPage(bed.browser, t);
  const started = Date.now();
  await openGraph(page, bed.server.url, 'dom');
  t.diagnostic(bed.server.startup);
  t.diagnostic(`graph drawn ${Date.now() - started} ms after navigation (layout ${await page.getByTestId('lineage-graph').getAttribute('data-layout-ms')} ms)`);

  await eventually(async () => assert.deepEqual([...(await nodeClasses(page)).keys()].sort(), [...ALL_KEYS].sort()));
  // One round trip for what the page shows: the group boxes with their labels, and each node's text and place.
  type Rect = { left: number; top: number; right: number; bottom: number };
  const groupBoxes = await inPage(page.locator('.group-box'), (boxes) =>
    boxes.map((b) => {
      const r = b.getBoundingClientRect();
      return { label: b.querySelector('.group-box-label')?.textContent ?? '', rect: { left: r.left, top: r.top, right: r.right, bottom: r.bottom } };
    }),
  );
  const nodes = await inPage(page.locator('.asset-node'), (elements) =>
    elements.map((n) => {
      const r = n.getBoundingClientRect();
      const hit = n.ownerDocument.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return {
        key: n.getAttribute('data-key') ?? '',
        name: n.querySelector('.asset-node-name')?.textContent ?? '',
        text: n.textContent ?? '',
        rect: { left: r.left, top: r.top, right: r.right, bottom: r.bottom },
        // Visible: on screen and not covered by something else.
        onTop: hit !== null && n.contains(hit),
      };
    }),
  );
  const groups = new Map<string, Rect>();
  for (const { label, rect } of groupBoxes) {
    const [name, count] = label.split('·').map((s) => s.trim());
    groups.set(name!, rect);
    assert.equal(Number(count), MEDALLION[name as keyof typeof MEDALLION]?.length, `the "${label}" box counts its assets`);
  }
  assert.deepEqual([...groups.keys()].sort(), ['bronze', 'gold', 'silver']);

  const viewport = page.viewportSize()!;
  for (const [group, keys] of Object.entries(MEDALLION)) {
    const area = groups.get(group)!;
    for (const key of keys) {
      const node = nodes.find((n) => n.key === key)!;
      assert.equal(node.name, key.slice(key.indexOf('/') + 1), `${key} is labelled with its name`);
      assert.match(node.text, /never materialized/, `${key} shows its status`);
      const { rect } = node;
      assert.ok(
        rect.left >= 0 && rect.top >= 0 && rect.right <= viewport.width && rect.bottom <= viewport.height && node.onTop,
        `${key} is visible: ${JSON.stringify(node)}`,
      );
      assert.ok(
        rect.left >= area.left && rect.top >= area.top && rect.right <= area.right && rect.bottom <= area.bottom,
        `${key} is drawn inside the "${group}" box: ${JSON.stringify(rect)} in ${JSON.stringify(area)}`,
      );
    }
  }
  // Left to right: bronze, then silver, then gold.
  assert.ok(groups.get('bronze')!.right <= groups.get('silver')!.left && groups.get('silver')!.right <= groups.get('gold')!.left, JSON.stringify([...groups]));
  assertNoPageErrors(page);
});

test('clicking an asset highlights all its upstream and downstream assets and edges, and dims the rest', OPTIONS, async (t) => {
  const page = await openPage(bed.browser, t);
  await openGraph(page, bed.server.url, 'dom');
  assert.ok(
    Object.values(await emphasis(page)).every((e) => e === 'plain'),
    'nothing is highlighted before a click',
  );

  await page.locator('.asset-node[data-key="silver/orders"]').click();
  const expected = {
    'silver/orders': 'selected',
    'bronze/orders': 'lit',
    'bronze/products': 'lit',
    'gold/daily_revenue': 'lit',
    'gold/customer_value': 'lit',
    // Downstream of a downstream asset: the whole lineage lights up, not only direct neighbours.
    'gold/country_revenue': 'lit',
    'bronze/customers': 'dimmed',
    'silver/customers': 'dimmed',
  };
  await eventually(async () => assert.deepEqual(await emphasis(page), expected));
  assert.equal(await page.locator('.lineage-graph.has-selection').count(), 1);
  assert.equal(await edgeLook(page, 'bronze/orders', 'silver/orders'), 'lit');
  assert.equal(await edgeLook(page, 'silver/orders', 'gold/customer_value'), 'lit');
  assert.equal(await edgeLook(page, 'gold/customer_value', 'gold/country_revenue'), 'lit');
  assert.equal(await edgeLook(page, 'bronze/customers', 'silver/customers'), 'dimmed');
  assert.equal(await edgeLook(page, 'silver/customers', 'gold/customer_value'), 'dimmed');

  const panel = page.getByRole('complementary', { name: 'Asset silver/orders' });
  await panel.waitFor();
  assert.match((await panel.textContent()) ?? '', /2 upstream · 3 downstream/);
  assert.match((await panel.textContent()) ?? '', /Groupsilver/);
  await eventually(async () => assert.match((await panel.textContent()) ?? '', /One row per order line/), 10_000);

  await panel.getByRole('button', { name: 'Clear selection' }).click();
  await eventually(async () => assert.ok(Object.values(await emphasis(page)).every((e) => e === 'plain')));
  assert.equal(await panel.count(), 0);
  assertNoPageErrors(page);
});

test('searching for an asset selects it and centres the graph on it', OPTIONS, async (t) => {
  const page = await openPage(bed.browser, t);
  await openGraph(page, bed.server.url, 'dom');
  const search = page.getByRole('combobox', { name: 'Search assets' });
  assert.equal(await search.getAttribute('placeholder'), 'Search 8 assets…');

  await search.fill('nothing_like_this');
  await page.getByRole('listbox').getByText('No asset matches “nothing_like_this”').waitFor();

  await search.fill('revenue');
  const options = page.getByRole('listbox').getByRole('option');
  await eventually(async () => assert.deepEqual(await options.allTextContents(), ['gold/daily_revenue', 'gold/country_revenue']));
  await search.press('Enter');

  await page.getByRole('complementary', { name: 'Asset gold/daily_revenue' }).waitFor();
  assert.equal(await search.inputValue(), 'gold/daily_revenue');
  const node = page.locator('.asset-node[data-key="gold/daily_revenue"]');
  await eventually(async () => assert.match((await node.getAttribute('class')) ?? '', /emphasis-selected/));
  const { 'bronze/orders': ordersEmphasis, 'bronze/customers': customersEmphasis } = await emphasis(page);
  assert.equal(ordersEmphasis, 'lit');
  assert.equal(customersEmphasis, 'dimmed');
  // The view glides to the asset: its centre ends up at the centre of the graph area.
  const area = (await page.getByTestId('lineage-graph').boundingBox())!;
  await eventually(async () => {
    const box = (await node.boundingBox())!;
    assert.ok(Math.abs(box.x + box.width / 2 - (area.x + area.width / 2)) < 10, `x: ${JSON.stringify(box)} in ${JSON.stringify(area)}`);
    assert.ok(Math.abs(box.y + box.height / 2 - (area.y + area.height / 2)) < 10, `y: ${JSON.stringify(box)} in ${JSON.stringify(area)}`);
  });
  assertNoPageErrors(page);
});

test('double-clicking an asset opens its page, and "Show in graph" comes back to it selected', OPTIONS, async (t) => {
  const page = await openPage(bed.browser, t);
  await openGraph(page, bed.server.url, 'dom');
  await page.locator('.asset-node[data-key="silver/customers"]').dblclick();
  await page.getByRole('heading', { level: 1, name: 'silver/customers' }).waitFor();
  assert.match(page.url(), /#\/assets\/silver\/customers$/);

  await page.getByRole('link', { name: 'Show in graph' }).click();
  await page.getByRole('complementary', { name: 'Asset silver/customers' }).waitFor();
  assert.match(page.url(), /#\/\?focus=silver%2Fcustomers$/);
  await eventually(async () =>
    assert.deepEqual(await emphasis(page), {
      'silver/customers': 'selected',
      'bronze/customers': 'lit',
      'gold/customer_value': 'lit',
      'gold/country_revenue': 'lit',
      'bronze/orders': 'dimmed',
      'bronze/products': 'dimmed',
      'silver/orders': 'dimmed',
      'gold/daily_revenue': 'dimmed',
    }),
  );
  assertNoPageErrors(page);
});

// Last: it materializes the project, which the tests above expect not to be.
test('asset colours follow a run live: running while it builds, fresh once it is done', OPTIONS, async (t) => {
  const page = await openPage(bed.browser, t);
  await openGraph(page, bed.server.url, 'dom');
  const statusOf = async (): Promise<Record<string, string>> => {
    const result: Record<string, string> = {};
    for (const [key, classes] of await nodeClasses(page)) result[key] = classes.find((c) => c.startsWith('status-'))!.slice('status-'.length);
    return result;
  };
  assert.ok(Object.values(await statusOf()).every((s) => s === 'never'));

  bed.project.holdOrders(true);
  const launched = await fetch(`${bed.server.url}/api/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ select: '*' }),
  });
  assert.equal(launched.status, 202);
  try {
    await eventually(async () => {
      const statuses = await statusOf();
      assert.equal(statuses['bronze/orders'], 'running', JSON.stringify(statuses));
      assert.equal(statuses['bronze/products'], 'fresh', JSON.stringify(statuses));
    });
    const node = page.locator('.asset-node[data-key="bronze/orders"]');
    assert.match((await node.textContent()) ?? '', /running/);
  } finally {
    bed.project.holdOrders(false);
  }
  await eventually(
    async () =>
      assert.ok(
        Object.values(await statusOf()).every((s) => s === 'fresh'),
        JSON.stringify(await statusOf()),
      ),
    30_000,
  );
  // silver/orders has a warn-level check that fails on some rows: its node shows the badge.
  await eventually(async () => assert.equal(await page.locator('.asset-node[data-key="silver/orders"] .check-warned').textContent(), '! 1'));
  assertNoPageErrors(page);
});
