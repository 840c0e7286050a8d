// The flights demo on PostgreSQL: built from the same files, with the same checks and quarantine, its gold tables
// equal the DuckDB build's row for row. Both builds read the first FLIGHT_ROWS flights of the demo's file (the full
// 3M take minutes on PostgreSQL; `npm run demo:postgres` builds those) plus the late deliveries of inject-bad-rows.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { DuckDBInstance } from '@duckdb/node-api';
import { Sluice, sqlString } from '../../src/index.js';
import { PostgresWarehouse } from '../../src/engine/postgres/postgres-warehouse.js';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../helpers/postgres-database.js';
import { queryRows } from '../helpers/query-rows.js';
import { compareWithDuckDb } from './postgres-equality.js';

const skip = await postgresUnavailable();
const exampleDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'flights');
const GOLD_TABLES = ['gold.airport_daily_delays', 'gold.region_monthly_summary', 'gold.flights_enriched'];
/** Every origin airport of the first half month; SLUICE_TEST_FLIGHT_ROWS=3000000 compares the whole demo. */
const FLIGHT_ROWS = Number(process.env.SLUICE_TEST_FLIGHT_ROWS ?? 200_000);

describe('the flights demo on PostgreSQL', { skip, timeout: 1_200_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-flights-pg-'));
  const landing = join(dataDir, 'landing');
  let database: TestDatabase;
  let duck: Sluice;
  let postgres: Sluice;
  let client: pg.Client;

  before(async () => {
    database = await createTestDatabase('flights');
    const { lateDeliveryCsv, lateDeliveryJsonLines } = await import('../../examples/flights/scripts/inject-bad-rows.js');
    mkdirSync(landing);
    const flights = join(dataDir, 'flights.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    const demoFile = join(exampleDir, '..', '..', 'node_modules', 'vega-datasets', 'data', 'flights-3m.parquet');
    await connection.run(`COPY (SELECT * FROM read_parquet(${sqlString(demoFile)}) LIMIT ${FLIGHT_ROWS}) TO ${sqlString(flights)} (FORMAT parquet)`);
    connection.closeSync();
    db.closeSync();
    process.env.SLUICE_FLIGHTS_PARQUET = flights;
    writeFileSync(join(landing, 'flights-late-delivery.csv'), lateDeliveryCsv());
    writeFileSync(join(landing, 'flights-late-delivery.jsonl'), lateDeliveryJsonLines());
    process.env.SLUICE_FLIGHTS_LANDING = landing;
    duck = await Sluice.open({ dir: exampleDir, warehousePath: join(dataDir, 'warehouse.duckdb'), metadataPath: join(dataDir, 'duck.sqlite') });
    postgres = await Sluice.open({
      dir: exampleDir,
      metadataPath: join(dataDir, 'pg.sqlite'),
      warehouse: (project) => PostgresWarehouse.open({ url: database.url, fileSearchPath: project.dir }),
    });
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });
  after(async () => {
    delete process.env.SLUICE_FLIGHTS_LANDING;
    delete process.env.SLUICE_FLIGHTS_PARQUET;
    await client?.end();
    await duck?.close();
    await postgres?.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('builds every asset on both warehouses, every check passing', async () => {
    for (const sluice of [duck, postgres]) {
      const result = await sluice.materialize();
      assert.equal(result.status, 'succeeded', JSON.stringify(result.assets.filter((a) => a.status !== 'succeeded')));
      const checks = await sluice.store.runCheckResults(result.runId);
      assert.ok(checks.length >= 12, `${checks.length} checks ran`);
      assert.deepEqual(
        checks.filter((c) => !c.passed).map((c) => c.checkName),
        [],
      );
    }
    assert.equal(postgres.warehouse.dialect, 'postgres');
  });

  it('gives gold tables equal to the DuckDB build, row for row, to the last bit', async () => {
    for (const table of GOLD_TABLES) {
      const comparison = await compareWithDuckDb(duck, client, table);
      assert.ok(comparison.duckRows > 0, `${table} has rows`);
      assert.deepEqual(comparison.postgresColumns, comparison.duckColumns, `${table}: the same columns in the same order`);
      assert.deepEqual(
        { rows: comparison.postgresRows, onlyDuck: comparison.onlyDuck, onlyPostgres: comparison.onlyPostgres },
        { rows: comparison.duckRows, onlyDuck: 0, onlyPostgres: 0 },
        table,
      );
    }
  });

  it('quarantines the same late rows with the same reasons, none of them published', async () => {
    const sql = `SELECT _source_file AS f, _line_number AS l, _error_type AS e, _column AS c FROM bronze.flights_quarantine ORDER BY f, l`;
    const fromDuck = await queryRows(duck, sql);
    const { rows: fromPostgres } = await client.query(sql.replace('_line_number AS l', '_line_number::int AS l'));
    assert.equal(fromDuck.length, 11);
    assert.deepEqual(fromPostgres, fromDuck);
    const { rows: leaked } = await client.query(
      `SELECT count(*)::int AS n FROM bronze.flights WHERE _source IN (SELECT _source_file || ':' || _line_number FROM bronze.flights_quarantine)`,
    );
    assert.deepEqual(leaked, [{ n: 0 }]);
    const silver = `SELECT reject_reason AS r, count(*) AS n FROM silver.flights_quarantine GROUP BY reject_reason ORDER BY r`;
    const { rows: silverPg } = await client.query(silver.replace('count(*) AS n', 'count(*)::int AS n'));
    assert.deepEqual(silverPg, await queryRows(duck, silver));
    const { rows: published } = await client.query(`SELECT count(*)::int AS n FROM silver.flights`);
    assert.deepEqual(published, await queryRows(duck, 'SELECT count(*)::INTEGER AS n FROM silver.flights'));
  });
});
