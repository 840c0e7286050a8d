import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { readManifest } from '../../src/access/export/export-manifest.js';
import { exportParquet } from '../../src/access/export/parquet-export.js';
import { AccessControl } from '../../src/access/grants/access-control.js';
import { ddlFor } from '../../src/cli/commands/ddl.js';
import { startDevServer } from '../../src/cli/commands/dev.js';
import { runExport } from '../../src/cli/commands/export.js';
import { Sluice } from '../../src/index.js';
import { governedReads } from '../../src/server/governed-reads.js';
import { builtFlights, type BuiltFlights } from './built-flights.js';

describe('sluice export and sluice ddl', { timeout: 300_000 }, () => {
  let flights: BuiltFlights;
  let out: string;
  let db: DuckDBInstance;
  let duck: DuckDBConnection;
  const rows = async (sql: string) => (await duck.runAndReadAll(sql)).getRowObjectsJson();

  before(async () => {
    flights = await builtFlights();
    out = mkdtempSync(join(tmpdir(), 'sluice-export-'));
    db = await DuckDBInstance.create(':memory:');
    duck = await db.connect();
  });
  after(() => {
    duck?.closeSync();
    db?.closeSync();
    flights?.remove();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  /** Rows of the published table that the export lacks, plus rows of the export the table lacks. */
  async function difference(exported: string, table: string): Promise<number> {
    await duck.run(`ATTACH IF NOT EXISTS '${flights.warehousePath}' AS wh (READ_ONLY)`);
    try {
      const columns = (await rows(`SELECT column_name FROM (DESCRIBE wh.${table})`)).map((r) => `"${String(r.column_name)}"`).join(', ');
      const source = `read_parquet('${exported}/**/*.parquet', hive_partitioning = true)`;
      const [diff] = await rows(
        `SELECT (SELECT count(*) FROM (SELECT ${columns} FROM wh.${table} EXCEPT ALL SELECT ${columns} FROM ${source})) +
                (SELECT count(*) FROM (SELECT ${columns} FROM ${source} EXCEPT ALL SELECT ${columns} FROM wh.${table})) AS n`,
      );
      return Number(diff!.n);
    } finally {
      await duck.run('DETACH wh');
    }
  }

  it('writes Hive partitions that DuckDB reads back as exactly the warehouse table, with a manifest of the data version', async () => {
    const { exports } = await runExport({ project: flights.dir }, { select: 'gold/region_monthly_summary', to: out, partitionBy: 'region' });
    assert.equal(exports.length, 1);
    const path = join(out, 'gold', 'region_monthly_summary');
    const manifest = readManifest(path);
    assert.equal(manifest.rows, 32);
    assert.deepEqual(manifest.partitionBy, ['region']);
    assert.deepEqual(
      [...new Set(manifest.files.map((f) => f.partition.region))].sort(),
      (await rows(`SELECT DISTINCT region FROM read_parquet('${path}/**/*.parquet', hive_partitioning = true) ORDER BY 1`)).map((r) => r.region),
    );
    assert.ok(manifest.files.every((f) => f.path.startsWith(`region=${f.partition.region}/`)));
    assert.deepEqual(
      manifest.columns.map((c) => c.name),
      ['region', 'month', 'flights', 'delayed_flights', 'avg_delay_min', 'pct_delayed'],
    );
    assert.equal(await difference(path, 'gold.region_monthly_summary'), 0);
    const sluice = await Sluice.open({ dir: flights.dir });
    try {
      const latest = (await sluice.store.latestMaterializations()).get('gold/region_monthly_summary')!;
      assert.equal(manifest.dataVersion, latest.dataVersion);
      assert.equal(manifest.runId, latest.runId);
    } finally {
      await sluice.close();
    }
  });

  it('re-exports atomically: the path switches to a complete new version, a reader of the old one keeps it whole', async () => {
    const path = join(out, 'gold', 'region_monthly_summary');
    const before = realpathSync(path);
    await runExport({ project: flights.dir }, { select: 'gold/region_monthly_summary', to: out });
    const after = realpathSync(path);
    assert.notEqual(after, before);
    // The previous version stays for readers in flight, complete; the new one is unpartitioned now.
    assert.equal(Number((await rows(`SELECT count(*) AS n FROM read_parquet('${before}/**/*.parquet')`))[0]!.n), 32);
    assert.deepEqual(readManifest(path).partitionBy, []);
    assert.equal(await difference(path, 'gold.region_monthly_summary'), 0);
    await runExport({ project: flights.dir }, { select: 'gold/region_monthly_summary', to: out });
    assert.equal(existsSync(before), false, 'versions older than the previous one are removed');
    assert.equal(readdirSync(join(out, 'gold')).filter((f) => f.endsWith('.tmp')).length, 0);
  });

  it('refuses an unknown partition column with a suggestion and leaves the current export as it was', async () => {
    const path = join(out, 'gold', 'region_monthly_summary');
    const current = realpathSync(path);
    const entries = readdirSync(join(out, 'gold')).sort();
    await assert.rejects(
      runExport({ project: flights.dir }, { select: 'gold/region_monthly_summary', to: out, partitionBy: 'regoin' }),
      /"regoin" is not a column of gold\/region_monthly_summary; did you mean "region"\?/,
    );
    assert.equal(realpathSync(path), current);
    assert.deepEqual(readdirSync(join(out, 'gold')).sort(), entries);
    await assert.rejects(
      runExport({ project: flights.dir }, { select: 'gold/region_monthly_summary', to: out, format: 'csv' }),
      /--format csv is not supported/,
    );
  });

  it('exports what the governed path answers the principal, no more: a gold-only viewer cannot export silver', async () => {
    const sluice = await Sluice.open({ dir: flights.dir });
    try {
      const access = AccessControl.fromProject(sluice.project.definition.access, sluice.project.graph);
      const reader = await governedReads(sluice).reader();
      const config = { warehouse: sluice.warehouse, store: sluice.store, planner: reader };
      await assert.rejects(
        exportParquet(config, { principal: access.principalFor('viewer')!, keys: ['silver/flights'], to: out }),
        /not an asset you may read/,
      );
      assert.equal(existsSync(join(out, 'silver')) && readdirSync(join(out, 'silver')).length > 0, false);
      const analyst = access.principalFor('analyst-west')!;
      const [done] = await exportParquet(config, { principal: analyst, keys: ['gold/region_monthly_summary'], to: join(out, 'analyst'), partitionBy: 'month' });
      assert.equal(done!.manifest.exportedBy, 'analyst-west');
      // Row for row what the same principal's governed query returns (policies applied the same way).
      const governed = await reader.query(analyst, 'SELECT region, month::VARCHAR AS month, flights FROM gold.region_monthly_summary ORDER BY ALL');
      const exported = await rows(
        `SELECT region, month::VARCHAR AS month, flights FROM read_parquet('${done!.path}/**/*.parquet', hive_partitioning = true) ORDER BY ALL`,
      );
      assert.deepEqual(
        exported.map((r) => ({ ...r, flights: Number(r.flights) })),
        governed.rows.map((r) => ({ ...r, flights: Number(r.flights) })),
      );
      assert.equal(done!.manifest.rows, governed.rows.length);
    } finally {
      await sluice.close();
    }
  });

  it('goes through the running sluice dev, which owns the warehouse, with the same result', async () => {
    const dev = await startDevServer({ project: flights.dir, port: 0, uiDir: out }, () => undefined);
    try {
      const { exports } = await runExport({ project: flights.dir }, { select: 'gold/region_monthly_summary', to: join(out, 'via-dev'), partitionBy: 'region' });
      assert.equal(exports[0]!.manifest.rows, 32);
      assert.equal(exports[0]!.manifest.exportedBy, 'local');
      await assert.rejects(
        runExport({ project: flights.dir }, { select: 'gold/region_monthly_summary', to: join(out, 'via-dev'), partitionBy: 'nope' }),
        /"nope" is not a column/,
      );
    } finally {
      await dev.stop();
    }
    assert.equal(await difference(join(out, 'via-dev', 'gold', 'region_monthly_summary'), 'gold.region_monthly_summary'), 0);
  });

  it('prints DuckDB DDL that reads the export where it lies, and engine DDL with identifiers quoted per engine', async () => {
    await runExport({ project: flights.dir }, { select: 'gold/airport_daily_delays', to: out, partitionBy: 'flight_date' });
    const duckdbDdl = await ddlFor({ project: flights.dir }, { engine: 'duckdb', select: 'gold/airport_daily_delays', location: out });
    await duck.run(duckdbDdl);
    await duck.run(`ATTACH '${flights.warehousePath}' AS wh (READ_ONLY)`);
    try {
      const [cmp] = await rows(
        `SELECT (SELECT count(*) FROM gold.airport_daily_delays) AS exported, (SELECT count(*) FROM wh.gold.airport_daily_delays) AS published,
                (SELECT count(*) FROM (SELECT origin, flight_date, flights FROM wh.gold.airport_daily_delays EXCEPT ALL SELECT origin, flight_date, flights FROM gold.airport_daily_delays)) AS missing`,
      );
      assert.equal(cmp!.exported, cmp!.published);
      assert.equal(Number(cmp!.missing), 0);
      assert.equal((await rows(`SELECT typeof(flight_date) AS t FROM gold.airport_daily_delays LIMIT 1`))[0]!.t, 'DATE');
    } finally {
      await duck.run('DETACH wh');
    }
    const trino = await ddlFor(
      { project: flights.dir },
      { engine: 'trino', select: 'gold/airport_daily_delays', location: 's3://lake/exports/', from: out, catalog: 'hive' },
    );
    assert.match(trino, /CREATE TABLE "hive"\."gold"\."airport_daily_delays" \(\n {2}"origin" varchar,[\s\S]*"flight_date" date\n\)/);
    assert.match(trino, /external_location = 's3:\/\/lake\/exports\/gold\/airport_daily_delays'[\s\S]*partitioned_by = ARRAY\['flight_date'\]/);
    assert.match(trino, /CALL "hive"\.system\.sync_partition_metadata\('gold', 'airport_daily_delays', 'FULL'\)/);
    const spark = await ddlFor({ project: flights.dir }, { engine: 'spark', select: 'gold/airport_daily_delays', location: 's3://lake/exports', from: out });
    assert.match(
      spark,
      /CREATE TABLE IF NOT EXISTS `gold`\.`airport_daily_delays` \([\s\S]*`flights` BIGINT[\s\S]*\)\nUSING PARQUET\nPARTITIONED BY \(`flight_date`\)\nLOCATION 's3:\/\/lake\/exports\/gold\/airport_daily_delays';\nMSCK REPAIR TABLE `gold`\.`airport_daily_delays`;/,
    );
    const postgres = await ddlFor({ project: flights.dir }, { engine: 'postgres', select: 'gold/airport_daily_delays', location: out });
    assert.equal((postgres.match(/CREATE FOREIGN TABLE/g) ?? []).length, readManifest(join(out, 'gold', 'airport_daily_delays')).files.length);
    assert.match(postgres, /'2001-01-01'::date AS "flight_date" FROM "gold"\."airport_daily_delays__part_0"/);
    await assert.rejects(
      ddlFor({ project: flights.dir }, { engine: 'postgres', select: 'gold/airport_daily_delays', location: 's3://lake/x', from: out }),
      /reads local files only/,
    );
    await assert.rejects(
      ddlFor({ project: flights.dir }, { engine: 'trino', select: 'gold/airport_daily_delays', location: 's3://lake/x' }),
      /pass --from DIR/,
    );
  });
});
