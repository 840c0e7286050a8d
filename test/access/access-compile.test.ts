import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { TrinoRulesFile } from '../../src/access/compile/trino-rules-schema.js';
import { AccessControl } from '../../src/access/grants/access-control.js';
import { compileAccess } from '../../src/cli/commands/access-compile.js';
import { Sluice } from '../../src/index.js';
import { governedReads } from '../../src/server/governed-reads.js';
import { builtFlights, type BuiltFlights } from './built-flights.js';

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const SELECTION = 'silver/airports,gold/airport_daily_delays,gold/region_monthly_summary';

describe('sluice access compile', { timeout: 300_000 }, () => {
  let flights: BuiltFlights;

  before(async () => {
    flights = await builtFlights();
  });
  after(() => flights?.remove());

  it('writes Trino rules that match the documented rules-file structure, per user, with filters and masks', async () => {
    const rules = TrinoRulesFile.parse(JSON.parse(await compileAccess({ project: flights.dir }, { engine: 'trino', catalog: 'lake' })));
    const tables = rules.tables!;
    const forUser = (user: string) => tables.filter((t) => new RegExp(`^(?:${t.user})$`).test(user));
    // Each rule names exactly one user: no regex accidentally matches another.
    assert.ok(tables.every((t) => !new RegExp(`^(?:${t.user})$`).test(`x${t.user}`)));
    const west = forUser('analyst-west');
    assert.equal(west.find((t) => t.schema === 'gold' && t.table === 'region_monthly_summary')!.filter, "(region = 'West')");
    assert.match(
      west.find((t) => t.schema === 'gold' && t.table === 'airport_daily_delays')!.filter!,
      /origin IN \(SELECT iata FROM silver\.airports WHERE region = 'West'\)/,
    );
    assert.deepEqual(
      west.find((t) => t.schema === 'silver' && t.table === 'airports')!.columns!.map((c) => c.name),
      ['name'],
    );
    const admin = forUser('admin');
    assert.ok(admin.length > 0 && admin.every((t) => t.filter === undefined && t.columns === undefined && t.catalog === 'lake'));
    assert.deepEqual(rules.catalogs!.map((c) => c.user).sort(), ['admin', 'analyst\\-west', 'operator']);
    // The schema catches what Trino would refuse to load.
    assert.equal(TrinoRulesFile.safeParse({ tables: [{ table: 'x', privileges: ['READ'] }] }).success, false);
    assert.equal(TrinoRulesFile.safeParse({ catalogs: [{ catalog: '(', allow: 'all' }] }).success, false);
    assert.equal(TrinoRulesFile.safeParse({ tables: [{ privileges: ['SELECT'], columns: [{ name: 'a', masked: true }] }] }).success, false);
  });

  it('writes PostgreSQL row-level security and masking views that give each role exactly what Sluice gives that user', async () => {
    const prefix = `t13b_${process.pid}_`;
    const database = `sluice_t13b_${process.pid}_${Date.now()}`;
    const adminClient = new pg.Client({ connectionString: ADMIN_URL });
    await adminClient.connect();
    await adminClient.query(`CREATE DATABASE "${database}"`);
    const db = new pg.Client({ connectionString: ADMIN_URL.replace(/\/postgres$/, `/${database}`) });
    const sluice = await Sluice.open({ dir: flights.dir });
    try {
      await db.connect();
      // The three published tables, loaded as they are in the warehouse.
      const session = await sluice.warehouse.session();
      try {
        await db.query('CREATE SCHEMA silver; CREATE SCHEMA gold');
        await db.query(
          'CREATE TABLE silver.airports (iata text, name text, city text, state text, country text, latitude double precision, longitude double precision, region text)',
        );
        await db.query(
          'CREATE TABLE gold.region_monthly_summary (region text, month date, flights bigint, delayed_flights bigint, avg_delay_min double precision, pct_delayed double precision)',
        );
        await db.query(
          'CREATE TABLE gold.airport_daily_delays (origin text, flight_date date, flights bigint, delayed_flights bigint, avg_delay_min double precision, total_distance_mi bigint)',
        );
        for (const [table, columns, types] of [
          ['silver.airports', 'iata, name, city, state, country, latitude, longitude, region', 'text,text,text,text,text,float8,float8,text'],
          ['gold.region_monthly_summary', 'region, month::VARCHAR, flights, delayed_flights, avg_delay_min, pct_delayed', 'text,date,int8,int8,float8,float8'],
          [
            'gold.airport_daily_delays',
            'origin, flight_date::VARCHAR, flights, delayed_flights, avg_delay_min, total_distance_mi',
            'text,date,int8,int8,float8,int8',
          ],
        ] as const) {
          const rows = await session.query(`SELECT ${columns} FROM ${table}`);
          const names = Object.keys(rows[0]!);
          const arrays = names.map((n) => rows.map((r) => (r[n] === null || r[n] === undefined ? null : String(r[n]))));
          await db.query(
            `INSERT INTO ${table} SELECT * FROM unnest(${types
              .split(',')
              .map((t, i) => `$${i + 1}::${t}[]`)
              .join(', ')})`,
            arrays,
          );
        }
      } finally {
        session.close();
      }
      await db.query(await compileAccess({ project: flights.dir }, { engine: 'postgres', select: SELECTION, rolePrefix: prefix }));

      const access = AccessControl.fromProject(sluice.project.definition.access, sluice.project.graph);
      const reader = await governedReads(sluice).reader();
      const asRole = async (user: string, sql: string) => {
        await db.query(`SET ROLE "${prefix}${user}"`);
        try {
          return (await db.query(sql)).rows;
        } finally {
          await db.query('RESET ROLE');
        }
      };
      const governed = async (user: string, sql: string) => (await reader.query(access.principalFor(user)!, sql, { maxRows: 100_000 })).rows;
      const norm = (rows: Record<string, unknown>[]) =>
        rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : String(v)])));

      for (const user of ['admin', 'operator', 'analyst-west']) {
        const summary = 'SELECT region, month::VARCHAR AS month, flights, avg_delay_min FROM gold.region_monthly_summary ORDER BY region, month';
        assert.deepEqual(
          norm(await asRole(user, summary.replace('month::VARCHAR', 'month::text'))),
          norm(await governed(user, summary)),
          `${user}: gold.region_monthly_summary`,
        );
        const daily = 'SELECT origin, count(*) AS days, sum(flights) AS flights FROM gold.airport_daily_delays GROUP BY origin ORDER BY origin';
        assert.deepEqual(norm(await asRole(user, daily)), norm(await governed(user, daily)), `${user}: gold.airport_daily_delays`);
        const airports = 'SELECT iata, name FROM {} ORDER BY iata';
        assert.deepEqual(
          norm(await asRole(user, airports.replace('{}', 'silver_masked.airports'))),
          norm(await governed(user, airports.replace('{}', 'silver.airports'))),
          `${user}: airport names`,
        );
      }
      const westRegions = await asRole('analyst-west', 'SELECT DISTINCT region FROM gold.region_monthly_summary');
      assert.deepEqual(westRegions, [{ region: 'West' }]);
      // The mask cannot be bypassed by reading the table itself, and a user without access reads nothing.
      await assert.rejects(asRole('analyst-west', 'SELECT name FROM silver.airports'), /permission denied/);
      assert.equal((await asRole('analyst-west', "SELECT count(*)::int AS n FROM silver.airports WHERE region = 'West'"))[0]!.n > 0, true);
      await assert.rejects(asRole('viewer', 'SELECT count(*) FROM silver.airports'), /permission denied/);
      // Applying it again (after a change of policies) is safe.
      await db.query(await compileAccess({ project: flights.dir }, { engine: 'postgres', select: SELECTION, rolePrefix: prefix }));
    } finally {
      await sluice.close();
      await db.end().catch(() => undefined);
      await adminClient.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      const roles = await adminClient.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE starts_with(rolname, $1)', [prefix]);
      for (const { rolname } of roles.rows) await adminClient.query(`DROP ROLE "${rolname}"`);
      await adminClient.end();
    }
  });
});
