import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Sluice } from '../../src/index.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';
import { queryRows } from '../helpers/query-rows.js';

const CONFIG = `import { asset, checks, defineProject } from '@sluice';
const bad = process.env.SLUICE_BAD_DATA === '1';
export const project = defineProject({
  assets: [
    asset({ key: 'bronze/airports', sql: "SELECT * FROM (VALUES ('ORD', 'IL'), ('JFK', 'NY')) t(iata, state)", checks: [checks.unique('iata')] }),
    asset({
      key: 'silver/flights',
      sql: bad ? "SELECT * FROM (VALUES ('ORD', 5), ('XXX', NULL)) t(origin, delay_min)" : "SELECT * FROM (VALUES ('ORD', 5), ('JFK', 30)) t(origin, delay_min)",
      checks: [
        checks.notNull('delay_min'),
        checks.relationships('origin', { to: 'bronze/airports', column: 'iata' }),
        checks.acceptedRange('delay_min', { min: 0, max: 20 }, { severity: 'warn' }),
      ],
    }),
    asset({ key: 'gold/summary', sql: 'SELECT count(*) AS flights FROM silver.flights' }),
    asset({ key: 'gold/summary_view', kind: 'view', sql: 'SELECT flights FROM gold.summary' }),
  ],
  checks: {
    'gold/summary': [checks.reconciliation('sum(flights)', { to: 'silver/flights', expression: 'count(*)' })],
    'gold/summary_view': [checks.rowCount({ min: 1, max: 1 })],
  },
});`;

describe('checks on materialization (write-audit-publish)', () => {
  const projects: TempProject[] = [];
  after(() => projects.forEach((p) => p.remove()));
  const open = async (dir?: string) => {
    if (dir) return Sluice.open({ dir });
    const project = tempProject({ 'sluice.config.ts': CONFIG });
    projects.push(project);
    return Sluice.open({ dir: project.dir });
  };

  it('a relationships or reconciliation check makes its asset wait for the asset it compares with', async () => {
    const sluice = await open();
    try {
      assert.deepEqual(sluice.project.graph.parentsOf('silver/flights'), ['bronze/airports']);
      assert.deepEqual(sluice.project.graph.parentsOf('gold/summary'), ['silver/flights']);
    } finally {
      await sluice.close();
    }
  });

  it('passing checks publish; a failing warn check publishes too and is recorded as a warning', async () => {
    const sluice = await open();
    try {
      const result = await sluice.materialize();
      assert.equal(result.status, 'succeeded');
      const latest = await sluice.store.latestCheckResults('silver/flights');
      const byName = new Map(latest.map((r) => [r.checkName, r]));
      assert.equal(byName.get('not_null_delay_min')!.passed, true);
      assert.equal(byName.get('accepted_range_delay_min')!.passed, false);
      assert.equal(byName.get('accepted_range_delay_min')!.severity, 'warn');
      assert.equal(byName.get('accepted_range_delay_min')!.stage, 'staged');
      const events = await sluice.store.listEvents(result.runId);
      const checked = events.find((e) => e.type === 'asset_checked' && e.assetKey === 'silver/flights')!;
      assert.equal(checked.level, 'warn');
      assert.match(checked.message, /2 passed, 1 warned: accepted_range_delay_min \(1 failing\)/);
      assert.equal((await sluice.store.latestCheckResults('gold/summary'))[0]!.passed, true);
      assert.equal((await sluice.store.latestCheckResults('gold/summary_view'))[0]!.passed, true);
    } finally {
      await sluice.close();
    }
  });

  it('a failing blocking check keeps the old table, fails the asset and skips downstream', async () => {
    let sluice = await open();
    const dir = sluice.project.dir;
    await sluice.materialize();
    await sluice.close();
    process.env.SLUICE_BAD_DATA = '1';
    try {
      const project = projects.at(-1)!;
      project.write('sluice.config.ts', `${CONFIG}\n// bad data`);
      sluice = await open(dir);
      const result = await sluice.materialize();
      const byKey = new Map(result.assets.map((a) => [a.key, a]));
      assert.equal(result.status, 'failed');
      assert.equal(byKey.get('silver/flights')!.status, 'failed');
      assert.match(
        byKey.get('silver/flights')!.error!.message,
        /blocking checks "not_null_delay_min" \(1 of 2 rows failing\), "relationships_origin_bronze_airports_iata" \(1 of 2 rows failing\) failed; the previous version stays published/,
      );
      assert.equal(byKey.get('gold/summary')!.status, 'skipped');
      assert.deepEqual(await queryRows(sluice, 'SELECT origin FROM silver.flights ORDER BY origin'), [{ origin: 'JFK' }, { origin: 'ORD' }]);
      const failing = (await sluice.store.runCheckResults(result.runId)).find((r) => r.checkName === 'relationships_origin_bronze_airports_iata')!;
      assert.deepEqual(
        failing.sampleFailing.map((r) => r.origin),
        ['XXX'],
      );
      assert.deepEqual(await queryRows(sluice, `SELECT table_name FROM information_schema.tables WHERE starts_with(table_name, '__sluice_stage_')`), []);
      await sluice.close();
    } finally {
      delete process.env.SLUICE_BAD_DATA;
    }
  });

  it('check() evaluates published tables without rebuilding and records them as published', async () => {
    const sluice = await open();
    try {
      await sluice.materialize();
      const before = (await sluice.store.latestMaterializations()).get('silver/flights')!.id;
      const result = await sluice.check({ select: 'silver/flights,gold/summary' });
      assert.equal(result.status, 'succeeded');
      assert.equal(result.results.length, 4);
      assert.ok(result.results.every((r) => r.assetKey === 'silver/flights' || r.assetKey === 'gold/summary'));
      assert.equal((await sluice.store.latestMaterializations()).get('silver/flights')!.id, before);
      const stored = await sluice.store.runCheckResults(result.runId);
      assert.ok(stored.every((r) => r.stage === 'published'));
    } finally {
      await sluice.close();
    }
  });
});
