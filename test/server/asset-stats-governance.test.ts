// The asset page shows the asset's latest materialization first: its column statistics (min, max) must be governed
// like the page's history is, or a masked column or rows behind a row filter leak through the extremes. The asset
// list carries no statistics (nor SQL) at all: they are most of its size at 10,000 assets.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { principalWithRoles, type Principal } from '../../src/access/principal.js';
import { Sluice } from '../../src/runtime/sluice.js';
import type { AssetDetailResponse, AssetsResponse, MaterializationRecord, MaterializationSummary } from '../../src/server/api-types.js';
import { createApp } from '../../src/server/app.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';
import { getJson } from './test-client.js';

const CONFIG = `import { asset, defineProject } from '@sluice';
export const project = defineProject({
  name: 'stats',
  assets: [
    asset({ key: 'gold/people', sql: "SELECT * FROM (VALUES ('West', 'Ada', 10), ('East', 'Zed', 99)) t(region, name, salary)" }),
    asset({ key: 'gold/open', sql: "SELECT * FROM (VALUES ('a', 1), ('z', 2)) t(letter, n)" }),
  ],
  policies: {
    'gold/people': {
      rowFilters: [{ where: "region = 'West'", appliesTo: { roles: ['analyst'] } }],
      masks: [{ column: 'name', mask: 'redact', appliesTo: { roles: ['analyst'] } }],
    },
  },
});
`;

let project: TempProject;
let sluice: Sluice;
let app: ReturnType<typeof createApp>;
const principals: Record<string, Principal> = { admin: principalWithRoles('admin', ['admin']), analyst: principalWithRoles('analyst', ['analyst']) };

before(async () => {
  project = tempProject({ 'sluice.config.ts': CONFIG });
  sluice = await Sluice.open({ dir: project.dir });
  const result = await sluice.materialize();
  assert.equal(result.status, 'succeeded', JSON.stringify(result));
  app = createApp(sluice, { resolvePrincipal: (request) => principals[request.headers.get('x-user') ?? '']!, log: () => undefined });
});

after(async () => {
  await sluice?.close();
  project?.remove();
});

type Stat = { name: string; min: unknown; max: unknown };
const statsOf = (record: MaterializationRecord | null): Stat[] => (record?.metadata.columnStats ?? []) as Stat[];

async function listed(user: string, key: string): Promise<MaterializationSummary | null> {
  const { status, body } = await getJson<AssetsResponse>(app, '/api/assets', { 'x-user': user });
  assert.equal(status, 200);
  return body.assets.find((a) => a.key === key)!.lastMaterialization;
}

async function onPage(user: string, key: string): Promise<MaterializationRecord | null> {
  const { status, body } = await getJson<AssetDetailResponse>(app, `/api/assets/${key}`, { 'x-user': user });
  assert.equal(status, 200);
  return body.asset.lastMaterialization;
}

test('the owner sees the extremes of every column on the page', async () => {
  const stats = statsOf(await onPage('admin', 'gold/people'));
  assert.deepEqual(
    stats.map((s) => [s.name, s.min, s.max]),
    [
      ['region', 'East', 'West'],
      ['name', 'Ada', 'Zed'],
      ['salary', '10', '99'],
    ],
  );
});

test('behind a row filter no column shows extremes on the page', async () => {
  const stats = statsOf(await onPage('analyst', 'gold/people'));
  assert.equal(stats.length, 3);
  for (const s of stats) assert.deepEqual([s.min, s.max], [null, null], s.name);
});

test('an asset no policy restricts keeps its statistics for the analyst', async () => {
  const stats = statsOf(await onPage('analyst', 'gold/open'));
  assert.deepEqual(
    stats.map((s) => [s.name, s.min, s.max]),
    [
      ['letter', 'a', 'z'],
      ['n', '1', '2'],
    ],
  );
});

test('the list summarizes the latest materialization: when, how many rows, which columns; no SQL, no statistics', async () => {
  for (const user of ['admin', 'analyst']) {
    const item = await listed(user, 'gold/people');
    assert.ok(item);
    assert.equal(item.rowCount, 2);
    assert.deepEqual(
      item.schema.map((c) => c.name),
      ['region', 'name', 'salary'],
    );
    assert.ok(!('metadata' in item) && !('sql' in item), JSON.stringify(item));
  }
});
