// The industrial-events example on the PostgreSQL warehouse: the seed's real landing files plus re-deliveries and a
// malformed line give the same gold table as on DuckDB, each event exactly once, bad lines only in the quarantine.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { Sluice } from '../../src/index.js';
import { PostgresWarehouse } from '../../src/engine/postgres/postgres-warehouse.js';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../helpers/postgres-database.js';
import { queryRows } from '../helpers/query-rows.js';
import { compareWithDuckDb } from './postgres-equality.js';

const skip = await postgresUnavailable();
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const exampleDir = join(root, 'examples', 'industrial-events');
const seedData = join(root, '..', 'shared', 'seed-data');

describe('the industrial-events example on PostgreSQL', { skip, timeout: 300_000 }, () => {
  // A copy of the project inside the example (so its `sluice` import resolves), with a landing folder of its own.
  const dir = mkdtempSync(join(exampleDir, '.scratch-pg-'));
  const landing = join(dir, 'landing');
  let database: TestDatabase;
  let duck: Sluice;
  let postgres: Sluice;
  let client: pg.Client;

  before(async () => {
    for (const folder of ['sql/silver', 'sql/gold', 'landing']) mkdirSync(join(dir, folder), { recursive: true });
    for (const file of ['sluice.config.ts', 'sql/silver/events.sql', 'sql/silver/assets.sql', 'sql/gold/pz_fact_combined.sql']) {
      copyFileSync(join(exampleDir, file), join(dir, file));
    }
    copyFileSync(join(seedData, 'events.csv'), join(landing, 'events.csv'));
    copyFileSync(join(seedData, 'asset.csv'), join(landing, 'asset.csv'));
    // Simulated batches, one re-delivered, and a line that is not an event.
    for (const args of [[], ['--redeliver']]) {
      const result = spawnSync(process.execPath, ['--import', 'tsx', join(exampleDir, 'scripts', 'simulate.ts'), '--landing', landing, ...args], {
        cwd: root,
        encoding: 'utf8',
      });
      assert.equal(result.status, 0, result.stderr);
    }
    appendFileSync(join(landing, 'events.csv'), 'created_ts,event_id,asset_id,value\n2025-03-18 01:01:00,not-a-uuid,3,12\n');
    database = await createTestDatabase('industrial');
    duck = await Sluice.open({ dir, warehousePath: join(dir, 'data', 'warehouse.duckdb'), metadataPath: join(dir, 'data', 'duck.sqlite') });
    postgres = await Sluice.open({
      dir,
      metadataPath: join(dir, 'data', 'pg.sqlite'),
      warehouse: (project) => PostgresWarehouse.open({ url: database.url, fileSearchPath: project.dir }),
    });
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });
  after(async () => {
    await client?.end();
    await duck?.close();
    await postgres?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('materializes on PostgreSQL, twice, with every check passing', async () => {
    for (const sluice of [duck, postgres, postgres]) {
      const result = await sluice.materialize();
      assert.equal(result.status, 'succeeded', JSON.stringify(result.assets.filter((a) => a.status !== 'succeeded')));
      const failed = (await sluice.store.runCheckResults(result.runId)).filter((c) => !c.passed && c.checkName !== 'event_asset_known');
      assert.deepEqual(failed, []);
    }
    assert.equal(postgres.warehouse.dialect, 'postgres');
  });

  it('keeps every event exactly once, with the types and partitions of the contract, equal to the DuckDB build', async () => {
    const { rows } = await client.query<{ n: number; ids: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS ids FROM gold.pz_fact_combined',
    );
    assert.ok(rows[0]!.n > 180 && rows[0]!.n === rows[0]!.ids, JSON.stringify(rows));
    const { rows: types } = await client.query<{ c: string; t: string }>(
      `SELECT column_name AS c, data_type AS t FROM information_schema.columns WHERE table_schema = 'gold' AND table_name = 'pz_fact_combined' ORDER BY ordinal_position`,
    );
    assert.deepEqual(
      types.map((r) => `${r.c}:${r.t}`),
      [
        'created_ts:timestamp without time zone',
        'event_id:uuid',
        'asset_id:integer',
        'value:integer',
        'hourly_partition:text',
        'asset_name:text',
        'asset_type:text',
      ],
    );
    const { rows: sample } = await client.query(
      `SELECT hourly_partition, asset_name FROM gold.pz_fact_combined WHERE event_id = '48527327-6fd3-4599-b242-f3de287b1e38'`,
    );
    assert.deepEqual(sample, [{ hourly_partition: '2025-03-18-00', asset_name: 'Mining' }]);
    for (const table of ['gold.pz_fact_combined', 'silver.events', 'silver.assets']) {
      const comparison = await compareWithDuckDb(duck, client, table);
      assert.deepEqual(comparison.postgresColumns, comparison.duckColumns, table);
      assert.deepEqual(
        { rows: comparison.postgresRows, onlyDuck: comparison.onlyDuck, onlyPostgres: comparison.onlyPostgres },
        { rows: comparison.duckRows, onlyDuck: 0, onlyPostgres: 0 },
        table,
      );
    }
  });

  it('quarantines the malformed line with its reason and never publishes it', async () => {
    const { rows } = await client.query(`SELECT _error_type AS e, _column AS c, _raw_line AS raw FROM bronze.events_quarantine`);
    assert.deepEqual(rows, [{ e: 'bad_cast', c: 'event_id', raw: '2025-03-18 01:01:00,not-a-uuid,3,12' }]);
    assert.deepEqual(await queryRows(duck, 'SELECT count(*) AS n FROM bronze.events_quarantine'), [{ n: 1 }]);
    const { rows: published } = await client.query(`SELECT count(*)::int AS n FROM bronze.events AS e
      WHERE EXISTS (SELECT 1 FROM bronze.events_quarantine AS q WHERE q._source_file = e._source_file AND q._line_number = e._line_number)`);
    assert.deepEqual(published, [{ n: 0 }]);
  });
});
