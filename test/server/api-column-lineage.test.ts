// The asset API's column lineage: analysed once per warehouse state and shared by requests, analysed again after the warehouse changed.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Sluice } from '../../src/runtime/sluice.js';
import type { AssetDetailResponse, QueryResponse } from '../../src/server/api-types.js';
import { createApp } from '../../src/server/app.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';
import { getJson, postJson } from './test-client.js';

// src/numbers takes whatever columns numbers.csv has; the view passes them all on.
const CONFIG = `
import { asset, defineProject } from '@sluice';

export const project = defineProject({
  name: 'lineage-cache',
  assets: [
    asset({ key: 'src/numbers', sql: "SELECT * FROM read_csv('numbers.csv', header = true)" }),
    asset({ key: 'view/numbers', kind: 'view', sql: 'SELECT * FROM src.numbers' }),
  ],
});
`;

let project: TempProject;
let sluice: Sluice;
let app: ReturnType<typeof createApp>;

before(async () => {
  project = tempProject({ 'sluice.config.ts': CONFIG, 'numbers.csv': 'n\n1\n2\n' });
  sluice = await Sluice.open({ dir: project.dir });
  app = createApp(sluice, { uiDir: project.dir, log: () => undefined });
  assert.equal((await sluice.materialize({ select: '*' })).status, 'succeeded');
});

after(async () => {
  await sluice.close();
  project.remove();
});

async function viewLineage(): Promise<Record<string, string[]> | undefined> {
  const { status, body } = await getJson<AssetDetailResponse>(app, '/api/assets/view/numbers');
  assert.equal(status, 200);
  return body.columnLineage?.columns;
}

test('the column lineage is analysed once for the whole project and reused by every asset page after it', async () => {
  const cache = sluice.columnLineage;
  const before = cache.analyses;
  // Requests arriving together share the one analysis.
  const pages = await Promise.all(
    ['/api/assets/view/numbers', '/api/assets/src/numbers', '/api/assets/view/numbers'].map((path) => getJson<AssetDetailResponse>(app, path)),
  );
  assert.ok(pages.every((page) => page.status === 200 && page.body.columnLineage?.method === 'sql'));
  assert.equal(cache.analyses, before + 1);
  assert.deepEqual(await viewLineage(), { n: ['src/numbers.n (identity)'] });
  assert.deepEqual((await getJson<AssetDetailResponse>(app, '/api/assets/src/numbers')).body.columnLineage?.columns.n, ['file:numbers.csv.n (identity)']);
  assert.equal(cache.analyses, before + 1, 'later pages read the analysis already made');
  // Another app on the same opened project (e.g. with another principal) shares it too.
  const other = createApp(sluice, { uiDir: project.dir, log: () => undefined });
  assert.equal((await getJson<AssetDetailResponse>(other, '/api/assets/view/numbers')).status, 200);
  assert.equal(cache.analyses, before + 1);
});

test("after a materialization that changes a view's columns, the asset page shows the new lineage", async () => {
  assert.deepEqual(await viewLineage(), { n: ['src/numbers.n (identity)'] });
  project.write('numbers.csv', 'n,m\n1,10\n2,20\n');
  const analysed = sluice.columnLineage.analyses;
  assert.equal((await sluice.materialize({ select: '*' })).status, 'succeeded');
  assert.deepEqual(await viewLineage(), { n: ['src/numbers.n (identity)'], m: ['src/numbers.m (identity)'] });
  assert.equal(sluice.columnLineage.analyses, analysed + 1);
});

test('the query API cannot change the relations lineage reads; a change by hand (admins) makes the next asset page analyse again', async () => {
  const analysed = sluice.columnLineage.analyses;
  assert.equal((await postJson<QueryResponse>(app, '/api/query', { sql: 'ALTER TABLE src.numbers ADD COLUMN extra INTEGER' })).status, 403);
  assert.equal(
    (await postJson(app, '/api/warehouse/change', { sql: 'ALTER TABLE src.numbers ADD COLUMN extra INTEGER' })).status,
    403,
    'only a run changes an asset',
  );
  assert.equal((await postJson(app, '/api/warehouse/change', { sql: 'CREATE TABLE main.scratch AS SELECT 1 AS x' })).status, 200);
  assert.deepEqual(await viewLineage(), { n: ['src/numbers.n (identity)'], m: ['src/numbers.m (identity)'] });
  assert.equal(sluice.columnLineage.analyses, analysed + 1);
});

test('a run that publishes nothing (only checks, or a failure) keeps the analysis', async () => {
  await viewLineage();
  const analysed = sluice.columnLineage.analyses;
  await sluice.check({ select: '*' });
  rmSync(join(project.dir, 'numbers.csv'));
  assert.equal((await sluice.materialize({ select: 'src/numbers' })).status, 'failed');
  await viewLineage();
  assert.equal(sluice.columnLineage.analyses, analysed);
});
