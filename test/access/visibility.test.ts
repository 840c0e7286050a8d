// Narrowing answers to what a principal may read: objects about hidden assets go, mentions become [restricted].
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AssetVisibility, RESTRICTED, RESTRICTED_SQL } from '../../src/access/grants/visibility.js';
import { LOCAL_DEV_PRINCIPAL, principalWithRoles, type Principal } from '../../src/access/principal.js';

const KEYS = ['raw/orders', 'clean/orders', 'gold/summary'];
const goldViewer: Principal = { ...principalWithRoles('v', []), grants: [{ role: 'viewer', selection: 'group:curation', keys: new Set(['gold/summary']) }] };
const view = AssetVisibility.of(goldViewer, KEYS);

test('a principal who reads everything gets answers untouched', () => {
  const body = { nodes: [{ key: 'raw/orders' }] };
  assert.equal(AssetVisibility.of(LOCAL_DEV_PRINCIPAL, KEYS).scrub(body), body);
  assert.equal(AssetVisibility.of(principalWithRoles('v', ['viewer']), KEYS).everything, true);
});

test('nodes, edges, steps and events of hidden assets are omitted; lists of keys lose the hidden ones', () => {
  const narrowed = view.scrub({
    nodes: [{ key: 'raw/orders' }, { key: 'gold/summary', deps: ['clean/orders'] }],
    edges: [{ from: 'clean/orders', to: 'gold/summary' }],
    steps: [{ assetKey: 'clean/orders' }, { assetKey: 'gold/summary' }],
    columns: [{ id: 'clean.orders.margin_secret' }, { id: 'gold.summary.region' }],
  });
  assert.deepEqual(narrowed, {
    nodes: [{ key: 'gold/summary', deps: [] }],
    edges: [],
    steps: [{ assetKey: 'gold/summary' }],
    columns: [{ id: 'gold.summary.region' }],
  });
});

test('text mentioning a hidden asset keeps its words but not the key, in any spelling', () => {
  assert.equal(
    view.scrubText('SELECT region FROM clean.orders JOIN "raw"."orders" USING (id) -- gold/summary'),
    `SELECT region FROM ${RESTRICTED} JOIN ${RESTRICTED} USING (id) -- gold/summary`,
  );
  assert.equal(view.scrubText('see data/warehouse.duckdb and e.g. 3.5'), 'see data/warehouse.duckdb and e.g. 3.5');
});

test('a run whose every asset is hidden is left out; a mixed run keeps only what is visible', () => {
  const runs = view.scrub({
    runs: [
      { id: 'r1', selection: 'raw/orders', assetKeys: ['raw/orders', 'clean/orders'] },
      { id: 'r2', selection: '+gold/summary', assetKeys: ['raw/orders', 'gold/summary'], error: { message: 'asset raw/orders failed' } },
    ],
  });
  assert.deepEqual(runs, { runs: [{ id: 'r2', selection: '+gold/summary', assetKeys: ['gold/summary'], error: { message: `asset ${RESTRICTED} failed` } }] });
  assert.equal(view.scrub({ id: 7, assetKey: 'raw/orders', type: 'asset_started' }), undefined, 'a whole event about a hidden asset is dropped');
});

test('SQL that reads a hidden asset is withheld whole, since it names the hidden columns bare', () => {
  assert.deepEqual(view.scrub({ sqlText: 'SELECT sum(margin_secret) AS m FROM clean.orders', note: 'from clean.orders.margin_secret' }), {
    sqlText: RESTRICTED_SQL,
    note: `from ${RESTRICTED}`,
  });
  assert.deepEqual(view.scrub({ sqlText: 'SELECT * FROM gold.summary' }), { sqlText: 'SELECT * FROM gold.summary' });
});

test('record entries keyed by a hidden asset are dropped', () => {
  assert.deepEqual(view.scrub({ checks: { 'raw/orders': [1], 'gold/summary': [2] } }), { checks: { 'gold/summary': [2] } });
  assert.deepEqual(
    view.scrub({ columns: { total: ['clean/orders.margin_secret (sum)', 'gold/summary.orders'] } }),
    { columns: { total: ['gold/summary.orders'] } },
    'lineage through a hidden column goes whole',
  );
});
