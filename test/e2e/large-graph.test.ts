// Browser test: a synthetic project of 1,000 assets in 10 groups renders, and the graph stays usable.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { assertNoPageErrors, e2eSkipReason, eventually, inPage, launchBrowser, openGraph, openPage, settle, startDevServer, syntheticProject, type DevServer } from './browser.js';

const SKIP = e2eSkipReason();
const SIZE = 1000;

let project: ReturnType<typeof syntheticProject>;
let server: DevServer;
let browser: Browser;

before(async () => {
  if (SKIP) return;
  project = syntheticProject(SIZE, 10);
  await settle(startDevServer(project.dir).then((s) => (server = s)), launchBrowser().then((b) => (browser = b)));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  project?.remove();
});

/** Every asset reachable from `start` following `next`. */
function reach(start: string, next: (key: string) => readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [start];
  for (let key = stack.pop(); key !== undefined; key = stack.pop()) {
    for (const n of next(key)) {
      if (seen.has(n)) continue;
      stack.push(n);
      seen.add(n);
    }
  }
  return seen;
}

test('a 1,000-asset project renders its whole graph, and search still selects and centres an asset', { skip: SKIP, timeout: 120_000 }, async (t) => {
  const page = await openPage(browser, t);
  const started = Date.now();
  // Zoomed out to fit 1,000 assets, the graph is drawn on one canvas rather than as DOM nodes.
  await openGraph(page, server.url, 'canvas', 90_000);
  const graph = page.getByTestId('lineage-graph');
  const canvas = page.getByTestId('lineage-overview');
  await eventually(async () => assert.ok(await canvas.getAttribute('data-draw-ms'), 'the overview canvas has been painted'), 30_000);
  const firstRender = Date.now() - started;
  t.diagnostic(server.startup);
  t.diagnostic(`time to first render: ${firstRender} ms (layout ${await graph.getAttribute('data-layout-ms')} ms, ${await graph.getAttribute('data-layout-strategy')}; canvas paint ${await canvas.getAttribute('data-draw-ms')} ms)`);
  assert.equal(await graph.getAttribute('data-asset-count'), String(SIZE));
  assert.equal(await page.getByRole('combobox', { name: 'Search assets' }).getAttribute('placeholder'), 'Search 1,000 assets…');
  assert.equal(await page.locator('.asset-node').count(), 0, 'no DOM node per asset while zoomed out');

  // The canvas really shows the graph: a good share of its pixels are painted.
  type Canvas = { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } };
  const painted = await inPage(canvas, ([element]) => {
    const canvasElement = element as unknown as Canvas;
    const { width, height } = canvasElement;
    const { data } = canvasElement.getContext('2d').getImageData(0, 0, width, height);
    let count = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) count++;
    return { share: count / (width * height), width, height };
  });
  assert.ok(painted.width > 800 && painted.height > 600, JSON.stringify(painted));
  assert.ok(painted.share > 0.05, `painted share of the canvas: ${JSON.stringify(painted)}`);

  // Still responsive: search finds an asset in the middle, and picking it zooms in to DOM nodes around it.
  const key = project.keys[500]!;
  const upstream = reach(key, (k) => project.deps.get(k) ?? []);
  const downstream = reach(key, (k) => project.keys.filter((other) => project.deps.get(other)!.includes(k)));
  const search = page.getByRole('combobox', { name: 'Search assets' });
  const searched = Date.now();
  await search.fill(key.slice(key.indexOf('/') + 1));
  await page.getByRole('option', { name: key, exact: true }).click();
  const node = page.locator(`.asset-node[data-key="${key}"]`);
  await eventually(async () => assert.match((await node.getAttribute('class')) ?? '', /emphasis-selected/), 30_000);
  await page.locator('[data-testid="lineage-graph"][data-render-mode="dom"]').waitFor();
  t.diagnostic(`search to selected node: ${Date.now() - searched} ms`);
  const panel = page.getByRole('complementary', { name: `Asset ${key}` });
  await panel.waitFor();
  assert.match((await panel.textContent()) ?? '', new RegExp(`${upstream.size} upstream · ${downstream.size} downstream`));
  const mounted = await page.locator('.asset-node').count();
  assert.ok(mounted > 1 && mounted < SIZE / 2, `only the assets near the view are DOM nodes: ${mounted}`);

  // Fit the whole graph again: back to the canvas, the selection kept.
  await page.getByRole('button', { name: /fit view/i }).click();
  await page.locator('[data-testid="lineage-graph"][data-render-mode="canvas"]').waitFor({ timeout: 30_000 });
  await panel.waitFor();
  assertNoPageErrors(page);
});
