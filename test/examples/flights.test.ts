import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { Sluice } from '../../src/index.js';
import { queryRows } from '../helpers/query-rows.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const exampleDir = join(root, 'examples', 'flights');
const vegaData = join(root, 'node_modules', 'vega-datasets', 'data');

/** Independent computations, straight from the source files, never through the pipeline's SQL. */
async function independentFigures() {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  const rows = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, string | number>[];
  const parquet = `'${join(vegaData, 'flights-3m.parquet')}'`;
  const distinctFlights = Number((await rows(`SELECT count(*) AS n FROM (SELECT DISTINCT * FROM ${parquet})`))[0]!.n);
  const perOriginMonth = await rows(
    `SELECT origin, strftime(date, '%Y-%m') AS month, count(*) AS flights, count(*) FILTER (WHERE delay > 15) AS delayed, sum(delay) AS delay_sum
     FROM (SELECT DISTINCT * FROM ${parquet}) GROUP BY ALL`,
  );
  const ordDay = (
    await rows(
      `SELECT count(*) AS flights, sum(distance) AS distance FROM (SELECT DISTINCT * FROM ${parquet}) WHERE origin = 'ORD' AND date::DATE = DATE '2001-03-15'`,
    )
  )[0]!;
  connection.closeSync();
  db.closeSync();
  return { distinctFlights, perOriginMonth, ordDay };
}

/** origin airport -> census region, by parsing the two CSV files in JavaScript. */
function regionByAirport(): Map<string, string> {
  const regions = new Map(
    readFileSync(join(exampleDir, 'seeds', 'state_regions.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(',') as [string, string]),
  );
  const result = new Map<string, string>();
  for (const line of readFileSync(join(vegaData, 'airports.csv'), 'utf8').trim().split('\n').slice(1)) {
    // Names like "Union County, Troy Shelton" are quoted and hold commas.
    const fields = line.match(/("[^"]*"|[^,]*)(,|$)/g)!.map((f) => f.replace(/,$/, ''));
    result.set(fields[0]!, regions.get(fields[3]!) ?? 'Other');
  }
  return result;
}

describe('the flights demo', { timeout: 600_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-flights-'));
  let sluice: Sluice;
  const query = (sql: string) => queryRows(sluice, sql);

  before(async () => {
    sluice = await Sluice.open({ dir: exampleDir, warehousePath: join(dataDir, 'warehouse.duckdb'), metadataPath: join(dataDir, 'sluice.sqlite') });
    const result = await sluice.materialize();
    assert.equal(result.status, 'succeeded', JSON.stringify(result.assets.filter((a) => a.status !== 'succeeded')));
  });
  after(async () => {
    await sluice?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps each exact duplicate source flight once in silver.flights, with the contract types', async () => {
    const figures = await independentFigures();
    assert.equal(figures.distinctFlights, 2_999_809);
    assert.deepEqual(await query('SELECT count(*) AS n FROM silver.flights'), [{ n: 2_999_809 }]);
    assert.deepEqual(await query('SELECT count(*) AS n FROM bronze.flights'), [{ n: 3_000_000 }]);
    const types = await query(
      `SELECT column_name AS c, data_type AS t FROM information_schema.columns WHERE table_schema = 'silver' AND table_name = 'flights' ORDER BY ordinal_position`,
    );
    assert.deepEqual(types, [
      { c: 'departed_at', t: 'TIMESTAMP' },
      { c: 'flight_date', t: 'DATE' },
      { c: 'origin', t: 'VARCHAR' },
      { c: 'destination', t: 'VARCHAR' },
      { c: 'delay_min', t: 'INTEGER' },
      { c: 'distance_mi', t: 'INTEGER' },
      { c: 'is_delayed', t: 'BOOLEAN' },
    ]);
    const bronzeColumns = await query(
      `SELECT column_name AS c FROM information_schema.columns WHERE table_schema = 'bronze' AND table_name = 'flights' AND starts_with(column_name, '_') ORDER BY 1`,
    );
    assert.deepEqual(
      bronzeColumns.map((r) => r.c),
      ['_batch_id', '_ingested_at', '_source'],
    );
  });

  it('assigns census regions to airports, DC in the South and Other for non-states', async () => {
    const rows = await query(`SELECT iata, region FROM silver.airports WHERE iata IN ('DCA', 'ORD', 'JFK', 'LAX', 'ATL', 'SJU') ORDER BY iata`);
    assert.deepEqual(rows, [
      { iata: 'ATL', region: 'South' },
      { iata: 'DCA', region: 'South' },
      { iata: 'JFK', region: 'Northeast' },
      { iata: 'LAX', region: 'West' },
      { iata: 'ORD', region: 'Midwest' },
      { iata: 'SJU', region: 'Other' },
    ]);
    assert.deepEqual(await query('SELECT count(*) AS n, count(DISTINCT iata) AS d FROM silver.airports'), [{ n: 3376, d: 3376 }]);
  });

  it('computes gold.airport_daily_delays as an independent computation does', async () => {
    const { ordDay, distinctFlights } = await independentFigures();
    const [row] = await query(`SELECT flights, total_distance_mi FROM gold.airport_daily_delays WHERE origin = 'ORD' AND flight_date = DATE '2001-03-15'`);
    assert.equal(row!.flights, Number(ordDay.flights));
    assert.equal(Number(row!.total_distance_mi), Number(ordDay.distance));
    assert.deepEqual(await query('SELECT sum(flights)::BIGINT AS n FROM gold.airport_daily_delays'), [{ n: distinctFlights }]);
  });

  it('computes gold.region_monthly_summary as JavaScript does from the raw files', async () => {
    const { perOriginMonth } = await independentFigures();
    const regions = regionByAirport();
    const expected = new Map<string, { flights: number; delayed: number; delaySum: number }>();
    for (const r of perOriginMonth) {
      const key = `${regions.get(String(r.origin)) ?? 'Other'} ${r.month}`;
      const e = expected.get(key) ?? { flights: 0, delayed: 0, delaySum: 0 };
      e.flights += Number(r.flights);
      e.delayed += Number(r.delayed);
      e.delaySum += Number(r.delay_sum);
      expected.set(key, e);
    }
    const actual = await query(
      `SELECT region, strftime(month, '%Y-%m') AS month, flights, delayed_flights, avg_delay_min, pct_delayed FROM gold.region_monthly_summary`,
    );
    assert.equal(actual.length, expected.size);
    for (const row of actual) {
      const e = expected.get(`${row.region} ${row.month}`)!;
      assert.ok(e, `unexpected group ${row.region} ${row.month}`);
      assert.equal(row.flights, e.flights);
      assert.equal(row.delayed_flights, e.delayed);
      assert.ok(Math.abs(Number(row.avg_delay_min) - e.delaySum / e.flights) < 1e-9);
      assert.ok(Math.abs(Number(row.pct_delayed) - (100 * e.delayed) / e.flights) < 1e-9);
    }
    const types = await query(
      `SELECT data_type AS t FROM information_schema.columns WHERE table_schema = 'gold' AND table_name = 'region_monthly_summary' AND column_name = 'month'`,
    );
    assert.deepEqual(types, [{ t: 'DATE' }]);
  });

  it('exposes flights with both airports through the gold.flights_enriched view', async () => {
    const [row] = await query(
      `SELECT count(*) AS n, count(origin_region) AS with_origin, count(destination_name) AS with_destination FROM gold.flights_enriched`,
    );
    assert.deepEqual(row, { n: 2_999_809, with_origin: 2_999_809, with_destination: 2_999_809 });
    const kind = await query(`SELECT table_type AS t FROM information_schema.tables WHERE table_schema = 'gold' AND table_name = 'flights_enriched'`);
    assert.deepEqual(kind, [{ t: 'VIEW' }]);
  });

  it('records a materialization with row count and schema for every asset', async () => {
    const latest = await sluice.store.latestMaterializations();
    assert.equal(latest.size, sluice.project.graph.size);
    assert.equal(latest.get('gold/region_monthly_summary')!.rowCount, 32);
    assert.ok(latest.get('silver/flights')!.schema.some((c) => c.name === 'is_delayed' && c.type === 'BOOLEAN'));
  });

  it('runs its data-quality checks on every build: all pass on the real data', async () => {
    const results = await sluice.store.latestCheckResults();
    const names = results.map((r) => `${r.assetKey}:${r.checkName}`);
    for (const expected of [
      'silver/airports:unique_iata',
      'silver/flights:relationships_origin_silver_airports_iata',
      'silver/flights:relationships_destination_silver_airports_iata',
      'gold/airport_daily_delays:flights_reconcile_with_silver',
      'gold/region_monthly_summary:flights_reconcile_with_silver',
    ]) {
      assert.ok(names.includes(expected), `missing check ${expected}`);
    }
    assert.deepEqual(
      results.filter((r) => !r.passed).map((r) => r.checkName),
      [],
    );
  });

  it('quarantines late CSV and JSON-lines deliveries with realistic defects, each with its reason, and keeps the good rows', async () => {
    const landing = mkdtempSync(join(tmpdir(), 'sluice-landing-'));
    const { LATE_DELIVERY, LATE_DELIVERY_JSONL, lateDeliveryCsv, lateDeliveryJsonLines } = await import('../../examples/flights/scripts/inject-bad-rows.js');
    writeFileSync(join(landing, 'flights-late-delivery.csv'), lateDeliveryCsv());
    writeFileSync(join(landing, 'flights-late-delivery.jsonl'), lateDeliveryJsonLines());
    process.env.SLUICE_FLIGHTS_LANDING = landing;
    try {
      const result = await sluice.materialize();
      assert.equal(result.status, 'succeeded');
      const bronzeRejects = await query(`SELECT _error_type AS e, _column AS c FROM bronze.flights_quarantine ORDER BY _source_file, _line_number`);
      assert.deepEqual(
        bronzeRejects.map((r) => `${r.e}${r.c ? `:${r.c}` : ''}`),
        [
          'bad_cast:date',
          'bad_cast:delay',
          'missing_columns',
          'extra_columns',
          'bad_quoting',
          'null_required:origin',
          'bad_json',
          'not_an_object',
          'bad_cast:delay',
          'missing_columns:origin',
          'duplicate_field:origin',
        ],
      );
      const silverRejects = await query(`SELECT reject_reason AS r FROM silver.flights_quarantine ORDER BY r`);
      assert.deepEqual(
        silverRejects.map((r) => r.r),
        [
          'invalid origin airport code',
          'missing or non-integer delay',
          'missing or non-integer delay',
          'missing or non-positive distance',
          'origin equals destination',
        ],
      );
      const accepted = [...LATE_DELIVERY, ...LATE_DELIVERY_JSONL].filter((l) => l.expect === 'accepted').length;
      assert.deepEqual(await query('SELECT count(*) AS n FROM silver.flights'), [{ n: 2_999_809 + accepted }]);
      const late = (await sluice.store.materializationHistory('bronze/flights', 1))[0]!.metadata.lateDeliveries as {
        read: number;
        accepted: number;
        quarantined: number;
        skipped: number;
        byFormat: Record<string, { read: number }>;
      };
      assert.equal(late.read, LATE_DELIVERY.length + LATE_DELIVERY_JSONL.length);
      assert.equal(late.byFormat.jsonl?.read, LATE_DELIVERY_JSONL.length);
      assert.equal(late.accepted + late.quarantined + late.skipped, late.read);
    } finally {
      delete process.env.SLUICE_FLIGHTS_LANDING;
      rmSync(landing, { recursive: true, force: true });
    }
  });
});
