// A project on PostgreSQL end to end: SLUICE_WAREHOUSE_URL and SLUICE_METADATA_URL select the adapters at Sluice.open.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { Sluice } from '../../src/runtime/sluice.js';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../helpers/postgres-database.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';

const skip = await postgresUnavailable();

const CONFIG = `
import { asset, checks, defineProject } from '@sluice';
export const project = defineProject({
  name: 'pg_project',
  externalTables: ['raw/readings'],
  assets: [
    asset({ key: 'silver/readings', sql: 'SELECT id, sensor, CAST(value AS DOUBLE PRECISION) AS value FROM raw.readings',
      checks: [checks.notNull(['sensor']), checks.acceptedRange('value', { min: 0, max: 100 })] }),
    asset({ key: 'gold/by_sensor', sql: 'SELECT sensor, count(*) AS readings, avg(value) AS mean FROM silver.readings GROUP BY sensor' }),
    asset({ key: 'gold/latest', kind: 'view', sql: 'SELECT * FROM gold.by_sensor WHERE readings > 0' }),
    asset({ key: 'gold/ids', sql: 'SELECT id, sensor FROM silver.readings', incremental: { strategy: 'merge', uniqueKey: ['id'] } }),
  ],
});
`;

describe('a project on PostgreSQL', { skip }, () => {
  let warehouseDb: TestDatabase;
  let metadataDb: TestDatabase;
  let project: TempProject;
  let raw: pg.Client;
  const env = (): Record<string, string> => ({ SLUICE_WAREHOUSE_URL: warehouseDb.url, SLUICE_METADATA_URL: metadataDb.url });

  before(async () => {
    [warehouseDb, metadataDb] = [await createTestDatabase('project_wh'), await createTestDatabase('project_meta')];
    project = tempProject({ 'sluice.config.ts': CONFIG });
    raw = new pg.Client({ connectionString: warehouseDb.url });
    await raw.connect();
    await raw.query(`CREATE SCHEMA raw; CREATE TABLE raw.readings (id INTEGER, sensor TEXT, value NUMERIC);
      INSERT INTO raw.readings VALUES (1, 'a', 10), (2, 'a', 20), (3, 'b', 30)`);
  });
  after(async () => {
    await raw?.end();
    project?.remove();
    await warehouseDb?.drop();
    await metadataDb?.drop();
  });

  it('materializes into the PostgreSQL warehouse and records everything in the PostgreSQL store', async () => {
    const sluice = await Sluice.open({ dir: project.dir, env: env() });
    try {
      assert.equal(sluice.warehouse.dialect, 'postgres');
      assert.match(sluice.store.location, /^postgres:\/\//);
      const result = await sluice.materialize();
      assert.equal(result.status, 'succeeded', JSON.stringify(result.assets));
      const { rows } = await raw.query('SELECT sensor, readings::int AS readings, mean::float AS mean FROM gold.latest ORDER BY sensor');
      assert.deepEqual(rows, [
        { sensor: 'a', readings: 2, mean: 15 },
        { sensor: 'b', readings: 1, mean: 30 },
      ]);
      const statuses = await sluice.assetStatuses();
      assert.deepEqual(
        [...statuses.values()].map((s) => s.status),
        ['fresh', 'fresh', 'fresh', 'fresh'],
      );
      const latest = await sluice.store.latestMaterializations();
      assert.equal(latest.get('silver/readings')!.rowCount, 3);
      assert.ok((latest.get('silver/readings')!.metadata.columnStats as unknown[]).length === 3);
      const checkResults = await sluice.store.runCheckResults(result.runId);
      assert.deepEqual(
        checkResults.map((r) => [r.checkName, r.passed]),
        [
          ['not_null_sensor', true],
          ['accepted_range_value', true],
        ],
      );
    } finally {
      await sluice.close();
    }
  });

  it('a failing blocking check keeps the published table (write-audit-publish) and skips downstream', async () => {
    await raw.query(`INSERT INTO raw.readings VALUES (4, 'c', 500)`);
    const sluice = await Sluice.open({ dir: project.dir, env: env() });
    try {
      const result = await sluice.materialize();
      assert.equal(result.status, 'failed');
      assert.deepEqual(
        result.assets.map((a) => [a.key, a.status]),
        [
          ['silver/readings', 'failed'],
          ['gold/by_sensor', 'skipped'],
          ['gold/ids', 'skipped'],
          ['gold/latest', 'skipped'],
        ].sort((a, b) => result.assets.findIndex((x) => x.key === a[0]) - result.assets.findIndex((x) => x.key === b[0])),
      );
      assert.equal((await raw.query('SELECT count(*)::int AS n FROM silver.readings')).rows[0].n, 3, 'the bad batch never reached the table');
      const { rows } = await raw.query(`SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE '\\_\\_sluice\\_stage\\_%'`);
      assert.equal(rows[0].n, 0, 'no staging table is left behind');
    } finally {
      await sluice.close();
    }
  });

  it('an incremental merge takes the next batch by key', async () => {
    await raw.query(`UPDATE raw.readings SET value = 50, sensor = 'c2' WHERE id = 4`);
    const sluice = await Sluice.open({ dir: project.dir, env: env() });
    try {
      const result = await sluice.materialize();
      assert.equal(result.status, 'succeeded', JSON.stringify(result.assets));
      const { rows } = await raw.query('SELECT id, sensor FROM gold.ids ORDER BY id');
      assert.deepEqual(rows, [
        { id: 1, sensor: 'a' },
        { id: 2, sensor: 'a' },
        { id: 3, sensor: 'b' },
        { id: 4, sensor: 'c2' },
      ]);
      assert.equal((await sluice.store.listRuns()).length, 3);
    } finally {
      await sluice.close();
    }
  });
});
