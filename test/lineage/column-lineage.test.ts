// Column lineage from real DuckDB parse trees: the flights demo's SQL and every supported SQL shape.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import {
  inferColumnLineage,
  type ColumnLineageOptions,
  type ColumnLineageResult,
  type ColumnSource,
  type ColumnTransform,
} from '../../src/lineage/column-lineage.js';

const CATALOG: Readonly<Record<string, string[]>> = {
  'bronze.flights': ['date', 'delay', 'distance', 'origin', 'destination', '_batch_id', '_ingested_at', '_source'],
  'bronze.airports': ['iata', 'name', 'city', 'state', 'country', 'latitude', 'longitude'],
  'bronze.state_regions': ['state', 'region'],
  'silver.flights': ['departed_at', 'flight_date', 'origin', 'destination', 'delay_min', 'distance_mi', 'is_delayed'],
  'silver.airports': ['iata', 'name', 'city', 'state', 'country', 'latitude', 'longitude', 'region'],
  'gold.flights_enriched': ['departed_at', 'flight_date', 'origin', 'destination', 'delay_min', 'origin_region', 'destination_region'],
  'main.events': ['event_id', 'asset_id', 'created_ts', 'value', 'tags', 'payload'],
  'main.assets': ['asset_id', 'asset_name', 'asset_type'],
};
const catalog = (table: string): string[] | undefined => CATALOG[table];

let instance: DuckDBInstance;
let connection: DuckDBConnection;

before(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
});

after(() => {
  connection.closeSync();
  instance.closeSync();
});

async function parseTree(sql: string): Promise<unknown> {
  const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR) AS tree', [sql]);
  const [row] = reader.getRowObjectsJson();
  return JSON.parse(String(row?.['tree']));
}

async function lineageOf(sql: string, options?: ColumnLineageOptions, lookup = catalog): Promise<ColumnLineageResult> {
  return inferColumnLineage(await parseTree(sql), lookup, options);
}

const src = (table: string, column: string, transform: ColumnTransform): ColumnSource => ({ table, column, transform });

/** Output column name -> its sources, so assertions read like the lineage they check. */
function sourcesByColumn(result: ColumnLineageResult): Record<string, ColumnSource[]> {
  return Object.fromEntries(result.columns.map((c) => [c.column, c.sources]));
}

function sorted(sources: readonly ColumnSource[]): ColumnSource[] {
  const key = (s: ColumnSource): string => `${s.table}.${s.column}.${s.transform}`;
  return [...sources].sort((a, b) => key(a).localeCompare(key(b)));
}

function assertIndirect(result: ColumnLineageResult, expected: ColumnSource[]): void {
  assert.deepEqual(sorted(result.indirect), sorted(expected));
}

describe('flights demo gold SQL', () => {
  test('the monthly region summary traces each metric to its silver column, with join keys and group keys as indirect', async () => {
    const result = await lineageOf(`
      SELECT a.region, date_trunc('month', f.flight_date)::DATE AS month, count(*) AS flights,
             count(*) FILTER (WHERE f.is_delayed) AS delayed_flights, avg(f.delay_min) AS avg_delay_min,
             100.0 * count(*) FILTER (WHERE f.is_delayed) / count(*) AS pct_delayed
      FROM silver.flights f JOIN silver.airports a ON a.iata = f.origin
      GROUP BY ALL`);
    assert.deepEqual(result.warnings, []);
    assert.deepEqual(sourcesByColumn(result), {
      region: [src('silver.airports', 'region', 'identity')],
      month: [src('silver.flights', 'flight_date', 'transformation')],
      flights: [],
      delayed_flights: [src('silver.flights', 'is_delayed', 'aggregation')],
      avg_delay_min: [src('silver.flights', 'delay_min', 'aggregation')],
      pct_delayed: [src('silver.flights', 'is_delayed', 'aggregation')],
    });
    assert.deepEqual(
      result.columns.map((c) => c.transform),
      ['identity', 'transformation', 'aggregation', 'aggregation', 'aggregation', 'aggregation'],
    );
    assertIndirect(result, [
      src('silver.airports', 'iata', 'join'),
      src('silver.flights', 'origin', 'join'),
      src('silver.airports', 'region', 'group_by'),
      src('silver.flights', 'flight_date', 'group_by'),
    ]);
  });

  test('the airport daily delays resolve unqualified columns through the catalog and group by origin and date', async () => {
    const result = await lineageOf(`
      SELECT origin, flight_date, count(*) AS flights, count(*) FILTER (WHERE is_delayed) AS delayed_flights,
             avg(delay_min) AS avg_delay_min, sum(distance_mi) AS total_distance_mi
      FROM silver.flights GROUP BY origin, flight_date`);
    assert.deepEqual(result.warnings, []);
    assert.deepEqual(sourcesByColumn(result), {
      origin: [src('silver.flights', 'origin', 'identity')],
      flight_date: [src('silver.flights', 'flight_date', 'identity')],
      flights: [],
      delayed_flights: [src('silver.flights', 'is_delayed', 'aggregation')],
      avg_delay_min: [src('silver.flights', 'delay_min', 'aggregation')],
      total_distance_mi: [src('silver.flights', 'distance_mi', 'aggregation')],
    });
    assertIndirect(result, [src('silver.flights', 'origin', 'group_by'), src('silver.flights', 'flight_date', 'group_by')]);
  });

  test('the enriched flights view expands f.* and tells the two aliased airport joins apart', async () => {
    const result = await lineageOf(`
      SELECT f.*, o.name AS origin_name, o.region AS origin_region, d.region AS destination_region
      FROM silver.flights AS f
      LEFT JOIN silver.airports AS o ON o.iata = f.origin
      LEFT JOIN silver.airports AS d ON d.iata = f.destination`);
    assert.deepEqual(result.warnings, []);
    assert.deepEqual(
      result.columns.map((c) => c.column),
      [...(CATALOG['silver.flights'] ?? []), 'origin_name', 'origin_region', 'destination_region'],
    );
    const byColumn = sourcesByColumn(result);
    assert.deepEqual(byColumn['delay_min'], [src('silver.flights', 'delay_min', 'identity')]);
    assert.deepEqual(byColumn['destination_region'], [src('silver.airports', 'region', 'identity')]);
    assertIndirect(result, [src('silver.airports', 'iata', 'join'), src('silver.flights', 'origin', 'join'), src('silver.flights', 'destination', 'join')]);
  });

  test('the silver flights SQL keeps DISTINCT columns as identity and reports the WHERE column as a filter', async () => {
    const result = await lineageOf(`
      SELECT DISTINCT date AS departed_at, CAST(date AS DATE) AS flight_date, origin,
             TRY_CAST(delay AS INTEGER) AS delay_min, TRY_CAST(delay AS INTEGER) > 15 AS is_delayed
      FROM bronze.flights WHERE _source IS NOT NULL`);
    assert.deepEqual(sourcesByColumn(result), {
      departed_at: [src('bronze.flights', 'date', 'identity')],
      flight_date: [src('bronze.flights', 'date', 'transformation')],
      origin: [src('bronze.flights', 'origin', 'identity')],
      delay_min: [src('bronze.flights', 'delay', 'transformation')],
      is_delayed: [src('bronze.flights', 'delay', 'transformation')],
    });
    assertIndirect(result, [src('bronze.flights', '_source', 'filter')]);
  });
  const sqlDir = new URL('../../examples/flights/sql/', import.meta.url);
  test(
    'the demo pipeline SQL files chain through a catalog built from their own lineage, without warnings',
    { skip: !existsSync(sqlDir) && 'examples/flights/sql is absent' },
    async () => {
      const chained: Record<string, string[]> = { ...CATALOG };
      const files = [
        'silver/flights_validated',
        'silver/flights',
        'silver/flights_quarantine',
        'silver/airports',
        'gold/flights_enriched',
        'gold/airport_daily_delays',
        'gold/region_monthly_summary',
      ];
      for (const file of files.filter((f) => existsSync(new URL(`${f}.sql`, sqlDir)))) {
        const result = await lineageOf(readFileSync(new URL(`${file}.sql`, sqlDir), 'utf8'), {}, (table) => chained[table]);
        assert.deepEqual(result.warnings, [], file);
        // What this asset outputs is what the next one reads: a view over a view resolves one hop at a time.
        chained[file.replace('/', '.')] = result.columns.map((c) => c.column);
        for (const column of result.columns) {
          assert.ok(column.sources.length > 0 || column.transform === 'aggregation', `${file}.${column.column} should have a source`);
        }
      }
    },
  );
});

describe('stars and aliases', () => {
  test('SELECT * lists the catalog columns in order, each as identity', async () => {
    const result = await lineageOf('SELECT * FROM bronze.state_regions');
    assert.deepEqual(result.columns, [
      { column: 'state', sources: [src('bronze.state_regions', 'state', 'identity')], transform: 'identity' },
      { column: 'region', sources: [src('bronze.state_regions', 'region', 'identity')], transform: 'identity' },
    ]);
    assert.deepEqual(result.warnings, []);
  });

  test('EXCLUDE drops columns, REPLACE turns one into a transformation and RENAME renames it', async () => {
    const result = await lineageOf(`
      SELECT * EXCLUDE (latitude, longitude) REPLACE (upper(name) AS name) RENAME (iata AS code)
      FROM bronze.airports`);
    assert.deepEqual(
      result.columns.map((c) => c.column),
      ['code', 'name', 'city', 'state', 'country'],
    );
    assert.deepEqual(sourcesByColumn(result)['name'], [src('bronze.airports', 'name', 'transformation')]);
    assert.deepEqual(sourcesByColumn(result)['code'], [src('bronze.airports', 'iata', 'identity')]);
  });

  test('t.* expands only that table and qualified EXCLUDE removes only its column', async () => {
    const result = await lineageOf('SELECT a.* EXCLUDE (a.asset_type), e.value FROM main.assets a JOIN main.events e USING (asset_id)');
    assert.deepEqual(
      result.columns.map((c) => c.column),
      ['asset_id', 'asset_name', 'value'],
    );
    assert.deepEqual(sourcesByColumn(result)['asset_id'], [src('main.assets', 'asset_id', 'identity')]);
  });

  test('column aliases rename outputs and table aliases qualify references, also schema.table.column', async () => {
    const result = await lineageOf('SELECT s.origin AS from_airport, silver.flights.destination AS to_airport FROM silver.flights s, silver.flights');
    assert.deepEqual(sourcesByColumn(result), {
      from_airport: [src('silver.flights', 'origin', 'identity')],
      to_airport: [src('silver.flights', 'destination', 'identity')],
    });
  });

  test('an unqualified column resolves to the one joined table whose catalog entry has it', async () => {
    const result = await lineageOf('SELECT asset_name, value FROM main.events e JOIN main.assets a ON a.asset_id = e.asset_id');
    assert.deepEqual(sourcesByColumn(result), {
      asset_name: [src('main.assets', 'asset_name', 'identity')],
      value: [src('main.events', 'value', 'identity')],
    });
  });

  test('a later select item may use an earlier alias, inheriting its sources', async () => {
    const result = await lineageOf('SELECT delay_min AS d, d * 60 AS delay_s FROM silver.flights');
    assert.deepEqual(sourcesByColumn(result)['delay_s'], [src('silver.flights', 'delay_min', 'transformation')]);
  });

  test('an unaliased column is named as the catalog spells it, whatever case the query uses', async () => {
    const result = await lineageOf('SELECT ORIGIN, F.Delay_Min FROM Silver.Flights F');
    assert.deepEqual(
      result.columns.map((c) => c.column),
      ['origin', 'delay_min'],
    );
    assert.deepEqual(result.warnings, []);
  });

  test('WHERE prefers a FROM column over a select alias of the same name, as DuckDB does', async () => {
    const result = await lineageOf('SELECT origin AS destination FROM silver.flights WHERE destination IS NOT NULL');
    assertIndirect(result, [src('silver.flights', 'destination', 'filter')]);
  });

  test('struct field access is a transformation of the struct column', async () => {
    const result = await lineageOf('SELECT payload.sensor.unit AS unit, e.payload.kind AS kind FROM main.events e');
    assert.deepEqual(sourcesByColumn(result), {
      unit: [src('main.events', 'payload', 'transformation')],
      kind: [src('main.events', 'payload', 'transformation')],
    });
  });
});

describe('query structure', () => {
  test('a CTE referencing another CTE passes lineage through both layers', async () => {
    const result = await lineageOf(`
      WITH delays AS (SELECT origin AS airport, delay_min FROM silver.flights WHERE delay_min > 0),
           per_airport AS (SELECT airport, max(delay_min) AS worst FROM delays GROUP BY airport)
      SELECT airport, worst FROM per_airport ORDER BY worst DESC`);
    assert.deepEqual(sourcesByColumn(result), {
      airport: [src('silver.flights', 'origin', 'identity')],
      worst: [src('silver.flights', 'delay_min', 'aggregation')],
    });
    assertIndirect(result, [
      src('silver.flights', 'delay_min', 'filter'),
      src('silver.flights', 'origin', 'group_by'),
      src('silver.flights', 'delay_min', 'sort'),
    ]);
  });

  test('an unused CTE contributes nothing', async () => {
    const result = await lineageOf('WITH unused AS (SELECT * FROM nowhere.at_all WHERE x > 1) SELECT region FROM silver.airports');
    assert.deepEqual(result.warnings, []);
    assert.deepEqual(result.indirect, []);
  });

  test('a subquery in FROM with column aliases maps the new names to the inner sources', async () => {
    const result = await lineageOf(`
      SELECT s.o, s.n FROM (SELECT origin, count(*) FROM silver.flights GROUP BY origin) AS s(o, n)`);
    assert.deepEqual(sourcesByColumn(result), { o: [src('silver.flights', 'origin', 'identity')], n: [] });
    assert.equal(result.columns[1]?.transform, 'aggregation');
    assert.deepEqual(result.warnings, []);
  });

  test('JOIN USING merges the key into one column fed by both sides and records both as join keys', async () => {
    const result = await lineageOf('SELECT * FROM main.assets JOIN main.events USING (asset_id)');
    assert.deepEqual(
      result.columns.map((c) => c.column),
      ['asset_id', 'asset_name', 'asset_type', 'event_id', 'created_ts', 'value', 'tags', 'payload'],
    );
    assert.deepEqual(sourcesByColumn(result)['asset_id'], [src('main.assets', 'asset_id', 'identity'), src('main.events', 'asset_id', 'identity')]);
    assertIndirect(result, [src('main.assets', 'asset_id', 'join'), src('main.events', 'asset_id', 'join')]);
  });

  test('a LEFT JOIN USING key comes from the left table only', async () => {
    const result = await lineageOf('SELECT asset_id FROM main.events LEFT JOIN main.assets USING (asset_id)');
    assert.deepEqual(sourcesByColumn(result)['asset_id'], [src('main.events', 'asset_id', 'identity')]);
  });

  test('GROUP BY a position or an alias records the referenced expression’s columns', async () => {
    const result = await lineageOf(`
      SELECT date_trunc('month', flight_date) AS m, origin, count(*) AS n FROM silver.flights GROUP BY m, 2 HAVING sum(delay_min) > 0`);
    assertIndirect(result, [
      src('silver.flights', 'flight_date', 'group_by'),
      src('silver.flights', 'origin', 'group_by'),
      src('silver.flights', 'delay_min', 'filter'),
    ]);
  });

  test('CASE, casts and functions are transformations of every column they read, conditions included', async () => {
    const result = await lineageOf(`
      SELECT CASE WHEN delay_min > 15 THEN 'late' WHEN is_delayed IS NULL THEN NULL ELSE 'on time' END AS status,
             coalesce(origin, destination)::VARCHAR AS airport, 42 AS answer
      FROM silver.flights`);
    assert.deepEqual(sourcesByColumn(result), {
      status: [src('silver.flights', 'delay_min', 'transformation'), src('silver.flights', 'is_delayed', 'transformation')],
      airport: [src('silver.flights', 'origin', 'transformation'), src('silver.flights', 'destination', 'transformation')],
      answer: [],
    });
    assert.equal(result.columns[2]?.transform, 'transformation');
  });

  test('window functions aggregate or pick their argument and read partition and order columns as window', async () => {
    const result = await lineageOf(`
      SELECT sum(delay_min) OVER (PARTITION BY origin ORDER BY departed_at) AS running_delay,
             lag(delay_min) OVER w AS previous_delay,
             row_number() OVER (PARTITION BY origin ORDER BY departed_at DESC) AS rn
      FROM silver.flights WINDOW w AS (PARTITION BY destination ORDER BY departed_at)
      QUALIFY rn = 1`);
    assert.deepEqual(sourcesByColumn(result), {
      running_delay: [
        src('silver.flights', 'delay_min', 'aggregation'),
        src('silver.flights', 'origin', 'window'),
        src('silver.flights', 'departed_at', 'window'),
      ],
      previous_delay: [
        src('silver.flights', 'delay_min', 'window'),
        src('silver.flights', 'destination', 'window'),
        src('silver.flights', 'departed_at', 'window'),
      ],
      rn: [src('silver.flights', 'origin', 'window'), src('silver.flights', 'departed_at', 'window')],
    });
    assertIndirect(result, [src('silver.flights', 'origin', 'filter'), src('silver.flights', 'departed_at', 'filter')]);
  });

  test('UNION ALL merges sources by position and takes names from the first query', async () => {
    const result = await lineageOf('SELECT origin AS airport, delay_min FROM silver.flights UNION ALL SELECT iata, NULL FROM silver.airports');
    assert.deepEqual(sourcesByColumn(result), {
      airport: [src('silver.flights', 'origin', 'identity'), src('silver.airports', 'iata', 'identity')],
      delay_min: [src('silver.flights', 'delay_min', 'identity')],
    });
    assert.equal(result.columns[1]?.transform, 'transformation');
  });

  test('UNION BY NAME merges by name and keeps columns only one side has', async () => {
    const result = await lineageOf('SELECT origin, delay_min FROM silver.flights UNION BY NAME SELECT region, iata AS origin FROM silver.airports');
    assert.deepEqual(sourcesByColumn(result), {
      origin: [src('silver.flights', 'origin', 'identity'), src('silver.airports', 'iata', 'identity')],
      delay_min: [src('silver.flights', 'delay_min', 'identity')],
      region: [src('silver.airports', 'region', 'identity')],
    });
  });

  test('EXCEPT takes values from the left side and reads the right side as a filter', async () => {
    const result = await lineageOf('SELECT origin FROM silver.flights EXCEPT SELECT iata FROM silver.airports ORDER BY origin');
    assert.deepEqual(sourcesByColumn(result), { origin: [src('silver.flights', 'origin', 'identity')] });
    assertIndirect(result, [src('silver.airports', 'iata', 'filter'), src('silver.flights', 'origin', 'sort')]);
  });

  test('ORDER BY prefers select aliases, ORDER BY ALL sorts by every output, DISTINCT ON groups', async () => {
    const byAlias = await lineageOf('SELECT origin AS destination FROM silver.flights ORDER BY destination');
    assertIndirect(byAlias, [src('silver.flights', 'origin', 'sort')]);
    const all = await lineageOf('SELECT DISTINCT ON (origin) origin, delay_min FROM silver.flights ORDER BY ALL');
    assertIndirect(all, [src('silver.flights', 'origin', 'group_by'), src('silver.flights', 'origin', 'sort'), src('silver.flights', 'delay_min', 'sort')]);
  });

  test('scalar, IN and EXISTS subqueries feed values or filters, correlated references included', async () => {
    const result = await lineageOf(`
      SELECT e.event_id, (SELECT max(a.asset_name) FROM main.assets a WHERE a.asset_id = e.asset_id) AS asset_name
      FROM main.events e
      WHERE e.asset_id IN (SELECT asset_id FROM main.assets WHERE asset_type = 'pump')
        AND NOT EXISTS (SELECT 1 FROM main.events d WHERE d.event_id = e.event_id AND d.created_ts > e.created_ts)`);
    assert.deepEqual(sourcesByColumn(result)['asset_name'], [src('main.assets', 'asset_name', 'aggregation')]);
    assertIndirect(result, [
      src('main.assets', 'asset_id', 'filter'),
      src('main.events', 'asset_id', 'filter'),
      src('main.assets', 'asset_type', 'filter'),
      src('main.events', 'event_id', 'filter'),
      src('main.events', 'created_ts', 'filter'),
    ]);
    assert.deepEqual(result.warnings, []);
  });

  test('a LATERAL subquery reads columns of the table before it', async () => {
    const result = await lineageOf(`
      SELECT e.event_id, x.asset_name FROM main.events e
      LEFT JOIN LATERAL (SELECT asset_name FROM main.assets a WHERE a.asset_id = e.asset_id) x ON true`);
    assert.deepEqual(sourcesByColumn(result)['asset_name'], [src('main.assets', 'asset_name', 'identity')]);
    assertIndirect(result, [src('main.assets', 'asset_id', 'filter'), src('main.events', 'asset_id', 'filter')]);
  });

  test('lambda parameters are not mistaken for columns', async () => {
    const result = await lineageOf('SELECT list_transform(tags, (tag, i) -> upper(tag) || value) AS labels FROM main.events');
    assert.deepEqual(sourcesByColumn(result)['labels'], [src('main.events', 'tags', 'transformation'), src('main.events', 'value', 'transformation')]);
    assert.deepEqual(result.warnings, []);
  });

  test('a recursive CTE combines its anchor and its step', async () => {
    const result = await lineageOf(`
      WITH RECURSIVE chain(id, depth) AS (SELECT asset_id, 0 FROM main.assets UNION ALL SELECT id, depth + 1 FROM chain WHERE depth < 3)
      SELECT id, depth FROM chain`);
    assert.deepEqual(sourcesByColumn(result), { id: [src('main.assets', 'asset_id', 'identity')], depth: [] });
    assert.deepEqual(result.warnings, []);
  });

  test('VALUES and generator table functions are sources without tables', async () => {
    const result = await lineageOf('SELECT v.code, r.range AS n FROM (VALUES (1, 2)) v(code, label), range(3) r');
    assert.deepEqual(sourcesByColumn(result), { code: [], n: [] });
    assert.deepEqual(result.warnings, []);
  });

  test('unnest in FROM reads the list column of the table beside it', async () => {
    const result = await lineageOf('SELECT e.event_id, u.tag FROM main.events e, unnest(e.tags) AS u(tag)');
    assert.deepEqual(sourcesByColumn(result)['tag'], [src('main.events', 'tags', 'transformation')]);
  });
});

describe('sources outside the catalog', () => {
  test('a view is reported as the table it is named as, without following its own lineage', async () => {
    const result = await lineageOf('SELECT origin_region, count(*) AS n FROM gold.flights_enriched GROUP BY ALL');
    assert.deepEqual(sourcesByColumn(result)['origin_region'], [src('gold.flights_enriched', 'origin_region', 'identity')]);
  });

  test('read_parquet with a constant path is a file source, without warnings', async () => {
    const result = await lineageOf(`SELECT origin, CAST(delay AS INTEGER) AS delay_min FROM read_parquet('data/flights-3m.parquet')`);
    assert.deepEqual(sourcesByColumn(result), {
      origin: [src('file:data/flights-3m.parquet', 'origin', 'identity')],
      delay_min: [src('file:data/flights-3m.parquet', 'delay', 'transformation')],
    });
    assert.deepEqual(result.warnings, []);
  });

  test('a star over a file in a CTE passes its columns through to the outer query', async () => {
    const result = await lineageOf(`
      WITH raw AS (SELECT *, now() AS _ingested_at FROM read_csv('seeds/state_regions.csv', header = true))
      SELECT state, _ingested_at FROM raw`);
    assert.deepEqual(sourcesByColumn(result), { state: [src('file:seeds/state_regions.csv', 'state', 'identity')], _ingested_at: [] });
    assert.deepEqual(result.warnings, []);
  });

  test('the catalog may list a file’s columns under file:<path>, which lets SELECT * expand', async () => {
    const lookup = (table: string): string[] | undefined => (table === 'file:seeds/state_regions.csv' ? ['state', 'region'] : undefined);
    const result = await lineageOf(`SELECT * FROM read_csv('seeds/state_regions.csv') UNION ALL SELECT * FROM 'seeds/state_regions.csv'`, {}, lookup);
    assert.deepEqual(
      result.columns.map((c) => c.column),
      ['state', 'region'],
    );
    assert.deepEqual(result.warnings, []);
  });

  test('a file path that is not a constant is warned about, not guessed', async () => {
    const result = await lineageOf('SELECT origin FROM read_parquet($path)');
    assert.deepEqual(result.columns, [{ column: 'origin', sources: [], transform: 'identity' }]);
    assert.match(result.warnings.join('\n'), /read_parquet\(\.\.\.\) reads a path that is not a constant string/);
  });

  test('SELECT * over a table missing from the catalog warns that its output columns are unknown', async () => {
    const result = await lineageOf('SELECT * FROM staging.mystery');
    assert.deepEqual(result.columns, []);
    assert.match(result.warnings.join('\n'), /table "staging.mystery" is not in the catalog/);
    assert.match(result.warnings.join('\n'), /some output columns come from \*/);
  });

  test('an unqualified column that two unknown tables could hold is warned about, not assigned', async () => {
    const result = await lineageOf('SELECT x, m.y FROM staging.mystery m JOIN staging.other o ON m.id = o.id');
    assert.deepEqual(sourcesByColumn(result), { x: [], y: [src('staging.mystery', 'y', 'identity')] });
    assert.match(result.warnings.join('\n'), /column "x" could come from any of "m", "o"/);
  });

  test('a column no table has is warned about by name', async () => {
    const result = await lineageOf('SELECT nope FROM silver.airports');
    assert.deepEqual(result.warnings, ['column "nope" is not a column of any table in scope, so its lineage is unknown']);
  });

  test('unqualified tables use the default schema, which can be changed', async () => {
    const result = await lineageOf('SELECT region FROM airports', { defaultSchema: 'silver' });
    assert.deepEqual(sourcesByColumn(result), { region: [src('silver.airports', 'region', 'identity')] });
  });

  test('SQL that DuckDB cannot parse yields a warning and no columns', async () => {
    const result = await lineageOf('SELEC origin FROM');
    assert.deepEqual(result.columns, []);
    assert.match(result.warnings[0] ?? '', /DuckDB could not serialize the SQL \(syntax error/);
  });
});

describe('output column names', () => {
  test('an unaliased expression gets DuckDB’s usual name and a warning; given names replace it', async () => {
    const sql = 'SELECT count(*), avg(delay_min) FROM silver.flights';
    const guessed = await lineageOf(sql);
    assert.deepEqual(
      guessed.columns.map((c) => c.column),
      ['count_star()', 'avg(delay_min)'],
    );
    assert.equal(guessed.warnings.length, 2);
    const named = await lineageOf(sql, { outputColumns: ['n', 'mean_delay'] });
    assert.deepEqual(
      named.columns.map((c) => c.column),
      ['n', 'mean_delay'],
    );
    assert.deepEqual(named.warnings, []);
  });

  test('custom aggregate functions count as aggregations when named in the options', async () => {
    const result = await lineageOf('SELECT my_median(delay_min) AS m FROM silver.flights', { aggregateFunctions: ['my_median'] });
    assert.deepEqual(sourcesByColumn(result)['m'], [src('silver.flights', 'delay_min', 'aggregation')]);
  });

  test('star, USING and EXCLUDE/REPLACE/RENAME outputs are named exactly as DuckDB names them', async () => {
    await connection.run(`
      CREATE SCHEMA IF NOT EXISTS silver;
      CREATE OR REPLACE TABLE silver.flights (departed_at TIMESTAMP, flight_date DATE, origin VARCHAR, destination VARCHAR, delay_min INTEGER, distance_mi INTEGER, is_delayed BOOLEAN);
      CREATE OR REPLACE TABLE silver.airports (iata VARCHAR, name VARCHAR, city VARCHAR, state VARCHAR, country VARCHAR, latitude DOUBLE, longitude DOUBLE, region VARCHAR)`);
    const queries = [
      'SELECT * FROM silver.flights f JOIN silver.airports a ON a.iata = f.origin',
      'SELECT * FROM silver.flights JOIN (SELECT iata AS origin, region FROM silver.airports) USING (origin)',
      'SELECT * FROM silver.flights NATURAL JOIN (SELECT iata AS destination, name FROM silver.airports)',
      'SELECT * EXCLUDE (is_delayed) REPLACE (delay_min * 60 AS delay_min) RENAME (origin AS o) FROM silver.flights',
      'SELECT a.*, f.origin FROM silver.flights f JOIN silver.airports a ON a.iata = f.origin',
    ];
    for (const sql of queries) {
      const reader = await connection.runAndReadAll(sql);
      const lookup = (table: string): string[] | undefined => CATALOG[table];
      const result = await lineageOf(sql, {}, lookup);
      assert.deepEqual(
        result.columns.map((c) => c.column),
        reader.columnNames(),
        sql,
      );
    }
  });
});

describe('properties', () => {
  const flightColumns = CATALOG['silver.flights'] ?? [];
  const aliasArbitrary = fc.stringMatching(/^[a-z_][a-z0-9_]{0,12}$/);
  const selection = fc.uniqueArray(fc.constantFrom(...flightColumns), { minLength: 1, maxLength: flightColumns.length }).chain((columns) =>
    fc.record({
      columns: fc.constant(columns),
      aliases: fc.uniqueArray(aliasArbitrary, { minLength: columns.length, maxLength: columns.length }),
    }),
  );

  test('selecting any catalog columns under any aliases maps each alias to its column as identity', async () => {
    await fc.assert(
      fc.asyncProperty(selection, async ({ columns, aliases }) => {
        const items = columns.map((column, i) => `f.${column} AS "${aliases[i]}"`);
        const result = await lineageOf(`SELECT ${items.join(', ')} FROM silver.flights AS f`);
        assert.deepEqual(result.warnings, []);
        assert.deepEqual(result.indirect, []);
        assert.deepEqual(
          result.columns,
          columns.map((column, i) => ({ column: aliases[i], sources: [src('silver.flights', column, 'identity')], transform: 'identity' })),
        );
      }),
      { numRuns: 60 },
    );
  });

  test('any JSON, however malformed, yields a result with warnings instead of throwing', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const result = inferColumnLineage(value, catalog);
        assert.ok(Array.isArray(result.columns) && Array.isArray(result.warnings));
      }),
      { numRuns: 500 },
    );
  });

  test('wrapping a selection in a CTE and a subquery leaves its lineage unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(selection, async ({ columns, aliases }) => {
        const items = columns.map((column, i) => `${column} AS "${aliases[i]}"`).join(', ');
        const names = aliases.map((alias) => `"${alias}"`).join(', ');
        const direct = await lineageOf(`SELECT ${items} FROM silver.flights`);
        const wrapped = await lineageOf(`WITH c AS (SELECT ${items} FROM silver.flights) SELECT ${names} FROM (SELECT * FROM c) AS s`);
        assert.deepEqual(wrapped, direct);
      }),
      { numRuns: 40 },
    );
  });
});
