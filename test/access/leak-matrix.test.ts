// The leak matrix: every flights user x every read path x every flights asset, against figures computed from the raw files.
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { Sluice } from '../../src/runtime/sluice.js';
import { createApp } from '../../src/server/app.js';
import { AccessControl } from '../../src/access/grants/access-control.js';
import { builtFlights, type BuiltFlights } from './built-flights.js';
import { mayRead, type Principal } from '../../src/access/principal.js';
import { GovernedReader } from '../../src/access/governed-query/governed-reader.js';
import { loadPolicies } from '../../src/access/policy/load-policies.js';
import type { AssetDetailResponse, PreviewResponse, QueryResponse } from '../../src/server/api-types.js';
import type { QuarantineResponse } from '../../src/server/views/quarantine-sources.js';
import type { CheckHistoryResponse, ChecksOverviewResponse } from '../../src/server/views/checks-overview.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const exampleDir = join(root, 'examples', 'flights');
const vega = join(root, 'node_modules', 'vega-datasets', 'data');
const USERS = ['admin', 'operator', 'analyst-west', 'viewer'] as const;
type User = (typeof USERS)[number];
type Rows = Record<string, unknown>[];

/** What each user may do, from the role table of the flights access configuration (not from the code under test). */
const CAN_QUERY: Record<User, boolean> = { admin: true, operator: true, 'analyst-west': true, viewer: false };
const GOLD = ['gold/airport_daily_delays', 'gold/flights_enriched', 'gold/region_monthly_summary'];
/** The example's policies, restated: who is filtered to West origins, whose airport names are partial, whose delays are rounded. */
const westOnly = (user: User): boolean => user === 'analyst-west';
const namesMasked = (user: User): boolean => user === 'analyst-west' || user === 'viewer';
const FILTERED = ['bronze/flights', 'silver/flights', 'silver/flights_validated', 'silver/flights_quarantine', ...GOLD];
const NAME_COLUMNS: Record<string, string[]> = {
  'bronze/airports': ['name'],
  'silver/airports': ['name'],
  'gold/flights_enriched': ['origin_name', 'destination_name'],
};
const ROUNDED: Record<string, string[]> = { 'gold/airport_daily_delays': ['avg_delay_min'], 'gold/region_monthly_summary': ['avg_delay_min'] };

/** The `partial` mask, implemented again here: first two characters, the rest `*`; short values all `*`. */
const partial = (value: string): string => (value.length <= 2 ? '*'.repeat(value.length) : value.slice(0, 2) + '*'.repeat(value.length - 2));

/** Probe per asset: one query whose answer covers the asset's policy-relevant columns, and its expectation from the raw files. */
const PROBES: Record<string, { sql: string; raw: (west: boolean) => string; names?: boolean }> = {
  'bronze/flights': {
    sql: 'SELECT origin, count(*) AS n FROM bronze.flights GROUP BY origin ORDER BY origin',
    raw: (w) => `SELECT origin, count(*) AS n FROM raw_flights ${w ? 'WHERE origin IN (SELECT iata FROM west)' : ''} GROUP BY origin ORDER BY origin`,
  },
  'silver/flights_validated': {
    sql: 'SELECT origin, count(*) AS n FROM silver.flights_validated GROUP BY origin ORDER BY origin',
    raw: (w) => `SELECT origin, count(*) AS n FROM raw_flights ${w ? 'WHERE origin IN (SELECT iata FROM west)' : ''} GROUP BY origin ORDER BY origin`,
  },
  'silver/flights': {
    sql: 'SELECT origin, count(*) AS n FROM silver.flights GROUP BY origin ORDER BY origin',
    raw: (w) => `SELECT origin, count(*) AS n FROM distinct_flights ${w ? 'WHERE origin IN (SELECT iata FROM west)' : ''} GROUP BY origin ORDER BY origin`,
  },
  'silver/flights_quarantine': { sql: 'SELECT count(*) AS n FROM silver.flights_quarantine', raw: () => 'SELECT 0::BIGINT AS n' },
  'gold/airport_daily_delays': {
    sql: 'SELECT origin, sum(flights) AS n FROM gold.airport_daily_delays GROUP BY origin ORDER BY origin',
    raw: (w) =>
      `SELECT origin, count(*)::HUGEINT AS n FROM distinct_flights ${w ? 'WHERE origin IN (SELECT iata FROM west)' : ''} GROUP BY origin ORDER BY origin`,
  },
  'gold/region_monthly_summary': {
    sql: 'SELECT region, sum(flights) AS n FROM gold.region_monthly_summary GROUP BY region ORDER BY region',
    raw: (w) =>
      `SELECT r.region, count(*)::HUGEINT AS n FROM distinct_flights f JOIN regions r ON r.iata = f.origin ${w ? "WHERE r.region = 'West'" : ''} GROUP BY r.region ORDER BY r.region`,
  },
  'gold/flights_enriched': {
    sql: 'SELECT origin, min(origin_name) AS origin_name, count(*) AS n FROM gold.flights_enriched GROUP BY origin ORDER BY origin',
    raw: (w) =>
      `SELECT f.origin, min(a.name) AS origin_name, count(*) AS n FROM distinct_flights f LEFT JOIN raw_airports a ON a.iata = f.origin ${w ? 'WHERE f.origin IN (SELECT iata FROM west)' : ''} GROUP BY f.origin ORDER BY f.origin`,
    names: true,
  },
  'bronze/airports': {
    sql: 'SELECT iata, name FROM bronze.airports ORDER BY iata',
    raw: () => 'SELECT iata, name FROM raw_airports ORDER BY iata',
    names: true,
  },
  'silver/airports': {
    sql: 'SELECT iata, name FROM silver.airports ORDER BY iata',
    raw: () => 'SELECT iata, name FROM raw_airports WHERE iata IS NOT NULL ORDER BY iata',
    names: true,
  },
  'bronze/state_regions': {
    sql: 'SELECT * FROM bronze.state_regions ORDER BY state',
    raw: () => `SELECT * FROM read_csv('${join(exampleDir, 'seeds', 'state_regions.csv')}', header = true) ORDER BY state`,
  },
};

describe('the leak matrix of the flights example', { timeout: 600_000 }, () => {
  let flights: BuiltFlights;
  let sluice: Sluice;
  let app: ReturnType<typeof createApp>;
  let raw: (sql: string) => Promise<Rows>;
  let closeRaw: () => void;
  let westAirports: Set<string>;
  const principals = new Map<string, Principal>();
  const as = (user: User, path: string, body?: unknown): Promise<Response> =>
    Promise.resolve(
      app.request(
        path,
        body === undefined
          ? { headers: { 'x-user': user } }
          : { method: 'POST', headers: { 'x-user': user, 'content-type': 'application/json' }, body: JSON.stringify(body) },
      ),
    );

  before(async () => {
    // The example built once per machine and shared with the export and wire-protocol tests; this file reads a private copy.
    flights = await builtFlights();
    sluice = await Sluice.open({ dir: flights.dir });
    const access = AccessControl.fromProject(sluice.project.definition.access, sluice.project.graph);
    for (const user of USERS) principals.set(user, access.principalFor(user)!);
    app = createApp(sluice, { resolvePrincipal: (request) => principals.get(request.headers.get('x-user') ?? '')! });
    // The independent side: a separate DuckDB over the raw files, never the pipeline's SQL.
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    raw = async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJson() as Rows;
    closeRaw = () => (connection.closeSync(), db.closeSync());
    await connection.run(`
      CREATE VIEW raw_flights AS SELECT * FROM read_parquet('${join(vega, 'flights-3m.parquet')}');
      CREATE TABLE distinct_flights AS SELECT DISTINCT * FROM raw_flights;
      CREATE TABLE raw_airports AS SELECT * FROM read_csv('${join(vega, 'airports.csv')}', header = true, all_varchar = true);
      CREATE TABLE regions AS SELECT a.iata, COALESCE(r.region, 'Other') AS region FROM raw_airports a
        LEFT JOIN read_csv('${join(exampleDir, 'seeds', 'state_regions.csv')}', header = true) r ON r.state = a.state;
      CREATE TABLE west AS SELECT iata FROM regions WHERE region = 'West';`);
    westAirports = new Set((await raw('SELECT iata FROM west')).map((r) => String(r.iata)));
  });
  after(async () => {
    closeRaw?.();
    await sluice?.close();
    flights?.remove();
  });

  test('the probes cover every asset of the example', () => {
    assert.deepEqual(Object.keys(PROBES).sort(), [...sluice.project.graph.keys()].sort());
  });

  for (const user of USERS) {
    for (const key of Object.keys(PROBES)) {
      test(`${user} x POST /api/query x ${key}`, async () => {
        const response = await as(user, '/api/query', { sql: PROBES[key]!.sql });
        if (!CAN_QUERY[user]) return assert.equal(response.status, 403);
        assert.equal(response.status, 200, await response.clone().text());
        const body = (await response.json()) as QueryResponse;
        const expected = await raw(PROBES[key]!.raw(westOnly(user)));
        const mask = PROBES[key]!.names && namesMasked(user);
        const normalize = (rows: Rows, masked: boolean): string =>
          JSON.stringify(
            rows.map((row) =>
              Object.fromEntries(
                Object.entries(row).map(([k, v]) => [k, k.endsWith('name') && masked && typeof v === 'string' ? partial(v) : v === null ? null : String(v)]),
              ),
            ),
          );
        assert.equal(normalize(body.rows, false), normalize(expected, Boolean(mask)));
      });

      test(`${user} x GET preview x ${key}`, async () => {
        const [schema, name] = key.split('/');
        const response = await as(user, `/api/assets/${schema}/${name}/preview?limit=1000`);
        if (!CAN_QUERY[user]) return assert.ok([403, 404].includes(response.status), String(response.status));
        assert.equal(response.status, 200);
        const { rows } = (await response.json()) as PreviewResponse;
        assert.ok(rows.length <= 1000);
        for (const row of rows) {
          if ('origin' in row && FILTERED.includes(key) && westOnly(user))
            assert.ok(westAirports.has(String(row.origin)), `${String(row.origin)} is not a West airport`);
          for (const column of NAME_COLUMNS[key] ?? []) {
            const value = row[column];
            if (typeof value === 'string' && namesMasked(user)) assert.match(value, /^.{0,2}\**$/u, `${column} = ${value} is not masked`);
          }
        }
        if (westOnly(user) && key === 'gold/region_monthly_summary') assert.ok(rows.every((r) => r.region === 'West'));
      });

      test(`${user} x GET asset page (stats, samples) x ${key}`, async () => {
        const [schema, name] = key.split('/');
        const response = await as(user, `/api/assets/${schema}/${name}`);
        const readable = user !== 'viewer' || GOLD.includes(key);
        if (!readable) return assert.ok([403, 404].includes(response.status), String(response.status));
        assert.equal(response.status, 200);
        const body = (await response.json()) as AssetDetailResponse;
        const filtered = FILTERED.includes(key) && westOnly(user);
        const hidden = new Set([...(namesMasked(user) ? (NAME_COLUMNS[key] ?? []) : []), ...(user === 'viewer' ? (ROUNDED[key] ?? []) : [])]);
        for (const materialization of body.materializations) {
          const stats = (materialization.metadata.columnStats ?? []) as { name: string; min: string | null; max: string | null }[];
          for (const s of stats) {
            if (filtered || hidden.has(s.name)) assert.deepEqual([s.name, s.min, s.max], [s.name, null, null]);
          }
          if (!filtered && hidden.size === 0 && stats.length > 0 && key !== 'silver/flights_quarantine' && user === 'admin')
            assert.ok(stats.some((s) => s.min !== null));
        }
        if (filtered || hidden.size > 0) for (const check of body.checks) assert.deepEqual(check.latest?.sampleFailing ?? [], []);
        if (key === 'gold/flights_enriched') {
          assert.deepEqual(body.sensitivity?.origin_name?.tags, ['sensitive']);
          // Inherited from bronze.airports.name, which a gold-only viewer may not even hear of.
          if (user === 'viewer') assert.deepEqual(body.sensitivity?.origin_name?.from, []);
          else assert.deepEqual(body.sensitivity?.origin_name?.from, ['bronze/airports.name']);
        }
      });
    }
  }

  test('viewer x the governed reader (TypeScript API) x gold: avg_delay_min in whole minutes, other assets refused', async () => {
    const reader = new GovernedReader({
      warehouse: sluice.warehouse,
      assetKeys: () => sluice.project.graph.keys(),
      policies: await loadPolicies(sluice.project, sluice.warehouse),
      mayRead,
      audit: () => undefined,
    });
    const viewer = principals.get('viewer')!;
    const { rows } = await reader.query(viewer, 'SELECT region, month, avg_delay_min FROM gold.region_monthly_summary ORDER BY region, month');
    const expected = await raw(
      `SELECT r.region, strftime(f.date, '%Y-%m') AS month, round(avg(f.delay)) AS avg_delay_min FROM distinct_flights f JOIN regions r ON r.iata = f.origin GROUP BY ALL ORDER BY 1, 2`,
    );
    assert.deepEqual(
      rows.map((r) => [r.region, Number(r.avg_delay_min)]),
      expected.map((r) => [r.region, Number(r.avg_delay_min)]),
    );
    await assert.rejects(reader.query(viewer, 'SELECT count(*) FROM silver.flights'), /not an asset you may read/);
  });
  // The quarantine and checks pages. These tests change the data, so they come last (tests of a describe run in order).
  const change = async (sql: string): Promise<void> => {
    const session = await sluice.warehouse.session();
    try {
      await session.query(sql);
    } finally {
      session.close();
    }
  };

  test('every user x GET quarantine x bronze/flights (side output) and silver/flights_quarantine (asset): no row outside policy', async () => {
    assert.ok(westAirports.has('LAX') && !westAirports.has('JFK'));
    await change(`INSERT INTO silver.flights_quarantine (SELECT * REPLACE ('leak_probe' AS reject_reason) FROM silver.flights_validated WHERE origin = 'LAX' LIMIT 3)
      UNION ALL (SELECT * REPLACE ('leak_probe' AS reject_reason) FROM silver.flights_validated WHERE origin = 'JFK' LIMIT 3)`);
    await change(
      `INSERT INTO bronze.flights_quarantine BY NAME SELECT 'late.parquet' AS _source_file, 'bad_cast' AS _error_type, '{"origin":"JFK","secret":"east-only"}' AS _raw_line`,
    );
    for (const user of USERS) {
      const side = await as(user, '/api/assets/bronze/flights/quarantine?limit=1000');
      const own = await as(user, '/api/assets/silver/flights_quarantine/quarantine?limit=1000');
      if (user === 'viewer') {
        // The viewer may not even hear of bronze and silver assets.
        assert.deepEqual([side.status, own.status], [404, 404]);
        continue;
      }
      const [sideTable] = ((await side.json()) as QuarantineResponse).tables;
      assert.equal(sideTable?.table, 'bronze.flights_quarantine');
      const [ownTable] = ((await own.json()) as QuarantineResponse).tables;
      assert.equal(ownTable?.table, 'silver.flights_quarantine');
      if (westOnly(user)) {
        // bronze/flights filters by origin, which the side output has only inside its raw line: hidden whole.
        assert.deepEqual([sideTable.rows, sideTable.byReason, sideTable.total], [[], [], 0]);
        assert.match(sideTable.hidden ?? '', /hidden from you: the policy of bronze\/flights applies to you/);
        assert.equal(ownTable.total, 3);
        assert.deepEqual(ownTable.byReason, [{ reason: 'leak_probe', count: 3 }]);
        assert.ok(
          ownTable.rows.every((r) => westAirports.has(String(r.origin))),
          JSON.stringify(ownTable.rows.map((r) => r.origin)),
        );
      } else {
        assert.equal(sideTable.hidden, undefined);
        assert.ok(sideTable.rows.some((r) => String(r._raw_line).includes('east-only')));
        assert.equal(ownTable.total, 6);
        assert.deepEqual(ownTable.rows.map((r) => r.origin).sort(), ['JFK', 'JFK', 'JFK', 'LAX', 'LAX', 'LAX']);
      }
    }
  });

  test('every user x GET /api/checks and /api/checks/history: failing samples only for callers no policy restricts', async () => {
    await change(`INSERT INTO silver.airports SELECT * REPLACE ('ZZZ' AS iata, 'Atlantis' AS region, 'Secret Airfield' AS name) FROM silver.airports LIMIT 1`);
    const run = await as('admin', '/api/checks', { select: 'silver/airports' });
    assert.equal(run.status, 200, await run.clone().text());
    for (const user of USERS) {
      const response = await as(user, '/api/checks');
      assert.equal(response.status, 200);
      const { checks } = (await response.json()) as ChecksOverviewResponse;
      const failing = checks.find((c) => c.assetKey === 'silver/airports' && c.state === 'failed');
      const history = failing
        ? ((await (await as(user, `/api/checks/history?asset=silver/airports&check=${encodeURIComponent(failing.name)}`)).json()) as CheckHistoryResponse)
        : undefined;
      const samples = [...checks.flatMap((c) => c.latest?.sampleFailing ?? []), ...(history?.results.flatMap((r) => r.sampleFailing ?? []) ?? [])];
      if (user === 'viewer') assert.equal(failing, undefined);
      else assert.ok(failing && history && history.results.length > 0, `${user} sees the failing check and its history`);
      if (namesMasked(user)) assert.deepEqual(samples, [], `${user} got failing samples`);
      else assert.match(JSON.stringify(samples), /Atlantis/);
    }
  });
});
