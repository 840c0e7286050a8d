// Regenerates the README's screenshot of the lineage graph (docs/lineage-graph.png) from the browser tests' medallion project.
// Run after `npm run build && npm run build:ui`: node --import tsx test/e2e/readme-screenshot.ts [out.png]
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { e2eSkipReason, launchBrowser, materialize, medallionProject, openGraph, REPO_ROOT, startDevServer } from './browser.js';

const out = process.argv[2] ?? join(REPO_ROOT, 'docs', 'lineage-graph.png');
const missing = e2eSkipReason();
if (missing) throw new Error(`cannot take the screenshot: ${missing}`);

const project = medallionProject();
const server = await startDevServer(project.dir);
const browser = await launchBrowser();
try {
  await materialize(server.url, '*');
  // New customers arrive and only bronze is rebuilt: what reads from it turns stale (orange).
  project.write('landing/customers.csv', 'customer_id,name,country\n1,Ada,fr\n2,Grace,us\n3,Alan,gb\n');
  await materialize(server.url, 'bronze/customers');
  const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
  await openGraph(page, server.url, 'dom');
  // Let the statuses, check badges and fonts settle before the picture.
  await page.locator('.asset-node.has-checks').first().waitFor();
  await page.evaluate(() => (globalThis as unknown as { document: { fonts: { ready: Promise<unknown> } } }).document.fonts.ready);
  // Trace silver/orders: its upstream and downstream light up, the card shows its checks and lineage.
  await page.locator('.asset-node[data-key="silver/orders"]').click();
  await page.getByRole('complementary', { name: 'Asset silver/orders' }).getByText('rows', { exact: false }).waitFor();
  await page.waitForTimeout(500);
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await server.stop();
  project.remove();
}
