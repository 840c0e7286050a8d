// The API's read routes, validation and typed errors, through app.request() against a real temp project.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Sluice } from '../../src/runtime/sluice.js';
import type { ApiErrorResponse, AssetDetailResponse, AssetsResponse, LineageResponse, PreviewResponse, QueryResponse } from '../../src/server/api-types.js';
import { createApp } from '../../src/server/app.js';
import { principalWithRoles, type Principal } from '../../src/access/principal.js';
import { createFixtureProject, FIXTURE_KEYS, type FixtureProject } from './fixture-project.js';
import { getJson, postJson } from './test-client.js';

let project: FixtureProject;
let sluice: Sluice;
let app: ReturnType<typeof createApp>;

before(async () => {
  project = createFixtureProject();
  sluice = await Sluice.open({ dir: project.dir });
  app = createApp(sluice, { uiDir: project.dir, log: () => undefined });
});

after(async () => {
  await sluice.close();
  project.remove();
});

describe('before anything is materialized', () => {
  test('the asset list shows every asset in dependency order, never materialized, with dependencies inferred from SQL', async () => {
    const { status, body } = await getJson<AssetsResponse>(app, '/api/assets');
    assert.equal(status, 200);
    assert.deepEqual(body.assets.map((a) => a.key).sort(), [...FIXTURE_KEYS].sort());
    const clean = body.assets.find((a) => a.key === 'clean/numbers')!;
    assert.deepEqual(clean.deps, ['raw/numbers']);
    assert.ok(body.assets.every((a) => a.status === 'never' && a.lastMaterialization === null));
    const raw = body.assets.find((a) => a.key === 'raw/numbers')!;
    assert.equal(raw.description, 'Numbers from numbers.csv.');
    assert.deepEqual(raw.owners, ['team-a']);
    assert.deepEqual(raw.tags, { layer: 'raw' });
    assert.deepEqual(raw.checks, { passed: 0, warned: 0, failed: 0 });
    const order = body.assets.map((a) => a.key);
    assert.ok(order.indexOf('raw/numbers') < order.indexOf('clean/numbers') && order.indexOf('clean/numbers') < order.indexOf('mart/totals'));
  });

  test('the lineage graph has one node per asset and one edge per dependency, upstream to downstream', async () => {
    const { status, body } = await getJson<LineageResponse>(app, '/api/lineage');
    assert.equal(status, 200);
    assert.equal(body.nodes.length, FIXTURE_KEYS.length);
    assert.deepEqual(
      body.nodes.find((n) => n.key === 'mart/totals'),
      { key: 'mart/totals', group: 'mart', kind: 'view', status: 'never' },
    );
    assert.deepEqual(body.edges.map((e) => `${e.from}->${e.to}`).sort(), ['clean/numbers->mart/totals', 'raw/numbers->clean/numbers']);
  });

  test('a preview of an asset without data answers 409 and says to materialize it', async () => {
    const { status, body } = await getJson<ApiErrorResponse>(app, '/api/assets/clean/numbers/preview');
    assert.equal(status, 409);
    assert.equal(body.error.code, 'NOT_MATERIALIZED');
    assert.match(body.error.message, /materialize/);
  });
});

describe('after a materialization', () => {
  before(async () => {
    const result = await sluice.materialize({ select: '*' });
    assert.equal(result.status, 'succeeded');
  });

  test('an asset page shows its summary, its materialization history and the columns of the live table', async () => {
    const { status, body } = await getJson<AssetDetailResponse>(app, '/api/assets/clean/numbers');
    assert.equal(status, 200);
    assert.equal(body.asset.status, 'fresh');
    assert.equal(body.asset.lastMaterialization?.rowCount, 4);
    assert.equal(body.materializations.length, 1);
    assert.equal(body.materializations[0]!.assetKey, 'clean/numbers');
    assert.match(body.materializations[0]!.sql ?? '', /n \* 2 AS doubled/);
    assert.deepEqual(
      body.columns.map((c) => c.name),
      ['n', 'doubled'],
    );
  });

  test('an asset page says where each column comes from (column lineage inferred from the SQL)', async () => {
    const { body } = await getJson<AssetDetailResponse>(app, '/api/assets/clean/numbers');
    assert.equal(body.columnLineage?.method, 'sql');
    assert.deepEqual(body.columnLineage?.columns, { n: ['raw/numbers.n (identity)'], doubled: ['raw/numbers.n (transformation)'] });
    const compute = await getJson<AssetDetailResponse>(app, '/api/assets/ops/gate');
    assert.equal(compute.body.columnLineage?.method, 'none');
  });

  test('check results count per asset and show on its page with the failing rows', async () => {
    const list = await getJson<AssetsResponse>(app, '/api/assets');
    assert.deepEqual(list.body.assets.find((a) => a.key === 'clean/numbers')?.checks, { passed: 1, warned: 1, failed: 0 });
    const { body } = await getJson<AssetDetailResponse>(app, '/api/assets/clean/numbers');
    const range = body.checks.find((c) => c.latest && !c.latest.passed)?.latest;
    assert.equal(range?.severity, 'warn');
    assert.equal(range?.failingCount, 1);
    assert.deepEqual(
      range?.sampleFailing.map((row) => row.n),
      [4],
    );
  });

  test('asset URLs are case-insensitive, like the warehouse identifiers they name', async () => {
    const { status, body } = await getJson<AssetDetailResponse>(app, '/api/assets/CLEAN/Numbers');
    assert.equal(status, 200);
    assert.equal(body.asset.key, 'clean/numbers');
  });

  test('an unknown asset answers 404 ASSET_NOT_FOUND with a suggestion', async () => {
    const { status, body } = await getJson<ApiErrorResponse>(app, '/api/assets/clean/number');
    assert.equal(status, 404);
    assert.equal(body.error.code, 'ASSET_NOT_FOUND');
    assert.match(body.error.message, /did you mean "clean\/numbers"/);
  });

  test('a preview returns the first rows (50 by default) with the column names in table order', async () => {
    const { status, body } = await getJson<PreviewResponse>(app, '/api/assets/clean/numbers/preview');
    assert.equal(status, 200);
    assert.deepEqual(body.columns, ['n', 'doubled']);
    assert.equal(body.rows.length, 4);
    assert.deepEqual(body.rows[0], { n: 1, doubled: 2 });
  });

  test('a preview honours limit and works on views', async () => {
    const limited = await getJson<PreviewResponse>(app, '/api/assets/clean/numbers/preview?limit=2');
    assert.equal(limited.body.rows.length, 2);
    const view = await getJson<PreviewResponse>(app, '/api/assets/mart/totals/preview');
    assert.deepEqual(view.body.rows, [{ numbers: 4, total: 20 }]);
  });

  test('a preview limit outside 1..1000 or not a number is a 400 naming the parameter', async () => {
    for (const limit of ['0', '1001', 'ten', '2.5']) {
      const { status, body } = await getJson<ApiErrorResponse>(app, `/api/assets/clean/numbers/preview?limit=${limit}`);
      assert.equal(status, 400, `limit=${limit}`);
      assert.equal(body.error.code, 'INVALID_REQUEST');
      assert.match(body.error.message, /limit/);
    }
  });

  test('a preview never puts URL text into SQL: a key that is not in the graph is a 404', async () => {
    const { status, body } = await getJson<ApiErrorResponse>(app, `/api/assets/clean/${encodeURIComponent('numbers; DROP TABLE clean.numbers')}/preview`);
    assert.equal(status, 404);
    assert.equal(body.error.code, 'ASSET_NOT_FOUND');
    assert.equal((await getJson<PreviewResponse>(app, '/api/assets/clean/numbers/preview')).status, 200);
  });

  test('a query returns JSON-safe rows, huge integers as strings and dates as ISO text', async () => {
    const { status, body } = await postJson<QueryResponse>(app, '/api/query', {
      sql: "SELECT 42 AS answer, 170141183460469231731687303715884105727::HUGEINT AS huge, DATE '2001-01-02' AS day, [1, 2] AS list",
    });
    assert.equal(status, 200);
    assert.deepEqual(body.columns, ['answer', 'huge', 'day', 'list']);
    assert.equal(body.rows[0]!.answer, 42);
    assert.equal(body.rows[0]!.huge, '170141183460469231731687303715884105727');
    assert.match(String(body.rows[0]!.day), /^2001-01-02/);
    assert.deepEqual(body.rows[0]!.list, [1, 2]);
  });

  test('a query naming no asset is refused (403) and one failing in the engine is a 400 SQL_ERROR with its message', async () => {
    const refused = await postJson<ApiErrorResponse>(app, '/api/query', { sql: 'SELECT * FROM no_such_table' });
    assert.equal(refused.status, 403);
    assert.match(refused.body.error.message, /"main\.no_such_table" is not an asset you may read/);
    const { status, body } = await postJson<ApiErrorResponse>(app, '/api/query', { sql: 'SELECT no_such_column FROM clean.numbers' });
    assert.equal(status, 400);
    assert.equal(body.error.code, 'SQL_ERROR');
    assert.match(body.error.message, /no_such_column/);
  });
});

describe('payload validation and typed errors', () => {
  test('an invalid selection is a 400 with the Sluice error code and its suggestion', async () => {
    const { status, body } = await postJson<ApiErrorResponse>(app, '/api/runs', { select: 'clean/numbrs' });
    assert.equal(status, 400);
    assert.equal(body.error.code, 'INVALID_SELECTION');
    assert.match(body.error.message, /clean\/numbers/);
  });

  test('a payload of the wrong shape is a 400 INVALID_REQUEST naming the field', async () => {
    for (const payload of [{ select: 42 }, { select: '' }, { concurrency: 0 }, { concurrency: 'many' }]) {
      const { status, body } = await postJson<ApiErrorResponse>(app, '/api/runs', payload);
      assert.equal(status, 400, JSON.stringify(payload));
      assert.equal(body.error.code, 'INVALID_REQUEST');
      assert.match(body.error.message, /select|concurrency/);
    }
    const { status, body } = await postJson<ApiErrorResponse>(app, '/api/query', {});
    assert.equal(status, 400);
    assert.match(body.error.message, /sql/);
  });

  test('a body that is not JSON, or not declared as JSON, is a 400', async () => {
    const garbled = await app.request('/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{select' });
    assert.equal(garbled.status, 400);
    assert.equal(((await garbled.json()) as ApiErrorResponse).error.code, 'INVALID_REQUEST');
    // A cross-site form can post text/plain without a preflight; refusing it keeps other sites out.
    const plain = await app.request('/api/query', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ sql: 'SELECT 1' }) });
    assert.equal(plain.status, 400);
  });

  test('an unknown run is a 404 RUN_NOT_FOUND on every run route', async () => {
    const detail = await getJson<ApiErrorResponse>(app, '/api/runs/nope');
    assert.equal(detail.status, 404);
    assert.equal(detail.body.error.code, 'RUN_NOT_FOUND');
    assert.equal((await postJson(app, '/api/runs/nope/cancel')).status, 404);
    assert.equal((await postJson(app, '/api/runs/nope/reexecute')).status, 404);
    assert.equal((await getJson(app, '/api/stream?runId=nope')).status, 404);
  });

  test('the run list validates its filters', async () => {
    assert.equal((await getJson(app, '/api/runs?status=exploded')).status, 400);
    assert.equal((await getJson(app, '/api/runs?limit=0')).status, 400);
    assert.equal((await getJson(app, '/api/runs?limit=5&status=succeeded')).status, 200);
  });

  test('an unknown API path is a JSON 404, not the UI page', async () => {
    const { status, body } = await getJson<ApiErrorResponse>(app, '/api/nothing/here');
    assert.equal(status, 404);
    assert.equal(body.error.code, 'NOT_FOUND');
  });

  test('a request for another host name is refused, so a rebinding site cannot reach the API', async () => {
    const { status, body } = await getJson<ApiErrorResponse>(app, '/api/assets', { host: 'evil.example:3000' });
    assert.equal(status, 403);
    assert.equal(body.error.code, 'FORBIDDEN_HOST');
    assert.equal((await getJson(app, '/api/assets', { host: '127.0.0.1:3000' })).status, 200);
  });
});

describe('authorization', () => {
  const viewer: Principal = { ...principalWithRoles('v', ['viewer']), name: 'viewer vera' };
  const viewerApp = (): ReturnType<typeof createApp> => createApp(sluice, { resolvePrincipal: () => viewer, uiDir: project.dir, log: () => undefined });

  test('a viewer can read assets, lineage and runs', async () => {
    const app = viewerApp();
    for (const path of ['/api/assets', '/api/assets/raw/numbers', '/api/lineage', '/api/runs']) assert.equal((await getJson(app, path)).status, 200, path);
  });

  test('a viewer may not launch runs, preview data or run SQL: 403 ACCESS_DENIED naming the action', async () => {
    const app = viewerApp();
    const launch = await postJson<ApiErrorResponse>(app, '/api/runs', { select: '*' });
    assert.equal(launch.status, 403);
    assert.equal(launch.body.error.code, 'ACCESS_DENIED');
    assert.match(launch.body.error.message, /run:launch/);
    assert.equal((await getJson(app, '/api/assets/raw/numbers/preview')).status, 403);
    assert.equal((await postJson(app, '/api/query', { sql: 'SELECT 1' })).status, 403);
  });

  test('a viewer sees check results without the failing rows, which are data', async () => {
    const { status, body } = await getJson<AssetDetailResponse>(viewerApp(), '/api/assets/clean/numbers');
    assert.equal(status, 200);
    assert.equal(body.checks.length, 2);
    assert.ok(body.checks.every((c) => c.latest && c.latest.sampleFailing.length === 0));
  });

  test('a denied caller learns nothing about which assets exist', async () => {
    const app = viewerApp();
    assert.equal((await getJson(app, '/api/assets/secret/nothing/preview')).status, 403);
  });
});
