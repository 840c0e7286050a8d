import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createApiToken } from '../../src/access/identity/api-tokens.js';
import { startDevServer } from '../../src/cli/commands/dev.js';
import { type Principal } from '../../src/access/principal.js';
import { Sluice } from '../../src/index.js';
import { governedReads } from '../../src/server/governed-reads.js';
import { openProjectAccess, type ProjectAccess } from '../../src/server/auth/project-access.js';
import { governedWireDescribe, governedWireQuery } from '../../src/server/pg-wire/governed-wire-query.js';
import { startPgWireServer, type PgWireServer } from '../../src/server/pg-wire/pg-wire-server.js';
import { sluiceWireBackend } from '../../src/server/pg-wire/sluice-wire-backend.js';
import { startSluicePgWire } from '../../src/server/pg-wire/start-pg-wire.js';
import { builtFlights, type BuiltFlights } from '../access/built-flights.js';

const run = promisify(execFile);

/** psql's unaligned, tuples-only output of one command (`-c`), as a user would run it. */
async function psql(port: number, command: string, user = 'local', password?: string): Promise<string> {
  const env = { ...process.env, PGCONNECT_TIMEOUT: '10', ...(password ? { PGPASSWORD: password } : { PGPASSWORD: '' }) };
  const { stdout } = await run('/usr/bin/psql', ['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', 'flights', '-X', '-A', '-t', '-w', '-c', command], {
    env,
  });
  return stdout.trim();
}

describe('the PostgreSQL wire protocol', { timeout: 300_000 }, () => {
  let flights: BuiltFlights;
  let sluice: Sluice;
  let access: ProjectAccess;
  let local: PgWireServer;
  let shared: PgWireServer;
  let scoped: PgWireServer;

  before(async () => {
    flights = await builtFlights();
    sluice = await Sluice.open({ dir: flights.dir });
    access = await openProjectAccess(sluice, 'the test server authenticates');
    local = await startSluicePgWire(sluice, { port: 0, host: '127.0.0.1', maxRows: 1_000 });
    shared = await startSluicePgWire(sluice, {
      port: 0,
      host: '127.0.0.1',
      access: { access: access.access, store: access.store, audit: access.shared.audit },
    });
    // A principal granted the analyst role on the curated (gold) assets only, signed in without a password.
    const goldKeys = new Set([...sluice.project.graph.keys()].filter((k) => k.startsWith('gold/')));
    const goldAnalyst: Principal = {
      id: 'gold-analyst',
      name: 'gold analyst',
      roles: [],
      grants: [{ role: 'analyst', selection: 'group:curation', keys: goldKeys }],
      groups: [],
      attributes: {},
    };
    const reads = governedReads(sluice);
    scoped = await startPgWireServer({
      port: 0,
      host: '127.0.0.1',
      auth: 'trust',
      backend: sluiceWireBackend({
        sluice,
        query: async (p, sql, params) => governedWireQuery(await reads.reader(), sluice.warehouse)(p, sql, params),
        describe: async (p, sql) => governedWireDescribe(await reads.reader(), sluice.warehouse)(p, sql),
        authenticate: async () => goldAnalyst,
      }),
    });
  });
  after(async () => {
    await Promise.all([local?.close(), shared?.close(), scoped?.close()]);
    await access?.close();
    await sluice?.close();
    flights?.remove();
  });

  it('answers psql: 32 rows in gold.region_monthly_summary', async () => {
    assert.equal(await psql(local.port, 'SELECT count(*) FROM gold.region_monthly_summary'), '32');
  });

  it("lists with \\dt the published tables, and with \\d a table's columns as PostgreSQL types", async () => {
    const published = async (kind: 'table' | 'view'): Promise<string[]> => {
      const session = await sluice.warehouse.session();
      try {
        const keys = [...sluice.project.graph.keys()].filter((k) => (sluice.project.graph.get(k)!.definition.kind === 'view') === (kind === 'view'));
        const built = await Promise.all(
          keys.map(async (k) => ((await session.describe({ schema: k.split('/')[0]!, name: k.split('/')[1]! })) ? k : undefined)),
        );
        return built
          .filter((k): k is string => k !== undefined)
          .sort()
          .map((k) => `${k.replace('/', '|')}|${kind}`);
      } finally {
        session.close();
      }
    };
    const tables = (await psql(local.port, '\\dt')).split('\n').map((line) => line.split('|').slice(0, 3).join('|'));
    assert.deepEqual(tables, await published('table'));
    assert.ok(tables.includes('gold|region_monthly_summary|table') && tables.includes('bronze|flights|table'));
    assert.deepEqual(
      (await psql(local.port, '\\dv')).split('\n').map((line) => line.split('|').slice(0, 3).join('|')),
      await published('view'),
    );
    const columns = await psql(local.port, '\\d silver.flights');
    assert.deepEqual(
      columns.split('\n').map((line) => line.split('|').slice(0, 2).join(' ')),
      [
        'departed_at timestamp without time zone',
        'flight_date date',
        'origin text',
        'destination text',
        'delay_min integer',
        'distance_mi integer',
        'is_delayed boolean',
      ],
    );
  });

  it('shows a principal only what they may read: \\dt, \\d and queries of a gold-only analyst', async () => {
    assert.deepEqual(
      (await psql(scoped.port, '\\dt')).split('\n').map((l) => l.split('|').slice(0, 2).join('.')),
      ['gold.airport_daily_delays', 'gold.region_monthly_summary'],
    );
    assert.deepEqual(
      (await psql(scoped.port, '\\dn')).split('\n').map((l) => l.split('|')[0]),
      ['gold', 'public'],
    );
    await assert.rejects(psql(scoped.port, '\\d silver.flights'), /Did not find any relation named "silver.flights"/);
    await assert.rejects(psql(scoped.port, 'SELECT count(*) FROM silver.flights'), /ERROR: {2}relation "silver.flights" is not an asset you may read/);
    const catalog = await psql(
      scoped.port,
      `SELECT table_schema || '.' || table_name FROM information_schema.tables UNION ALL SELECT relname FROM pg_catalog.pg_class ORDER BY 1`,
    );
    assert.doesNotMatch(catalog, /silver|bronze/);
    assert.equal(await psql(scoped.port, 'SELECT count(*) FROM gold.region_monthly_summary'), '32');
    // The catalog is read-only, private to the connection, small and without files or network.
    await assert.rejects(
      psql(scoped.port, "WITH x AS (SELECT 1) INSERT INTO pg_catalog.pg_namespace (oid, nspname) VALUES (1, 'silver')"),
      /the catalog (is read-only|answers one SELECT)/,
    );
    await assert.rejects(psql(scoped.port, 'SELECT c.oid FROM pg_catalog.pg_class c, range(20000)'), /at most 10000 rows/);
    await assert.rejects(psql(scoped.port, "SELECT * FROM pg_catalog.pg_class, read_text('/etc/hostname')"), /disabled by configuration|Permission/);
  });

  it('under sluice serve, signs in with an API token as password, refuses anything else, and audits each query', async () => {
    const admin = await createApiToken(access.store, { user: 'admin' });
    const viewer = await createApiToken(access.store, { user: 'viewer' });
    assert.equal(await psql(shared.port, 'SELECT count(*) FROM gold.region_monthly_summary', 'admin', admin.token), '32');
    await assert.rejects(psql(shared.port, 'SELECT 1', 'admin'), /no password supplied/);
    await assert.rejects(psql(shared.port, 'SELECT 1', 'admin', `${admin.token.slice(0, -1)}x`), /password authentication failed for user "admin"/);
    await assert.rejects(psql(shared.port, 'SELECT 1', 'admin', viewer.token), /password authentication failed for user "admin"/);
    const entries = await access.shared.audit.list({});
    assert.ok(
      entries.some(
        (e) => e.principal === 'admin' && e.client === 'pg-wire' && e.allowed && e.query === 'SELECT count(*) FROM gold.region_monthly_summary' && e.rows === 1,
      ),
    );
    const refusals = entries.filter((e) => e.client === 'pg-wire' && e.action === 'sign-in' && !e.allowed);
    assert.equal(refusals.length, 2);
    assert.ok(
      refusals.every((e) => !JSON.stringify(e).includes(admin.token.split('_')[2]!)),
      'no secret reaches the audit log',
    );
  });

  it("round-trips every column type through the pg client's type parsers", async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: local.port, user: 'local', database: 'flights' });
    await client.connect();
    try {
      const result = await client.query(
        `SELECT departed_at, flight_date, origin, delay_min, distance_mi::SMALLINT AS small, delay_min::BIGINT AS big, is_delayed,
                delay_min / 7.0 AS ratio, CAST(delay_min / 7.0 AS DECIMAL(12,3)) AS exact, CAST(delay_min AS FLOAT) AS single,
                CASE WHEN delay_min > 0 THEN origin END AS maybe
         FROM silver.flights ORDER BY departed_at, origin, destination, delay_min LIMIT 200`,
      );
      assert.deepEqual(
        result.fields.map((f) => [f.name, f.dataTypeID]),
        [
          ['departed_at', 1114],
          ['flight_date', 1082],
          ['origin', 25],
          ['delay_min', 23],
          ['small', 21],
          ['big', 20],
          ['is_delayed', 16],
          ['ratio', 701],
          ['exact', 1700],
          ['single', 700],
          ['maybe', 25],
        ],
      );
      const session = await sluice.warehouse.session();
      let expected: Record<string, unknown>[];
      try {
        expected = await session.query(
          `SELECT strftime(departed_at, '%Y-%m-%d %H:%M:%S') AS departed_at, flight_date::VARCHAR AS flight_date, origin, delay_min, distance_mi, is_delayed,
                  delay_min / 7.0 AS ratio, CAST(delay_min / 7.0 AS DECIMAL(12,3))::VARCHAR AS exact, CAST(delay_min AS FLOAT) AS single, CASE WHEN delay_min > 0 THEN origin END AS maybe
           FROM silver.flights ORDER BY departed_at, origin, destination, delay_min LIMIT 200`,
        );
      } finally {
        session.close();
      }
      const local = (d: Date, time: boolean): string => {
        const p = (n: number) => String(n).padStart(2, '0');
        const day = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
        return time ? `${day} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}` : day;
      };
      assert.equal(result.rows.length, 200);
      assert.ok(result.rows.some((r) => r.maybe === null) && result.rows.some((r) => r.is_delayed === true));
      result.rows.forEach((row, i) => {
        const want = expected[i]!;
        // pg reads timestamp and date as local-time Dates, int8 and numeric as strings (exact), the rest as JS numbers.
        assert.equal(local(row.departed_at as Date, true), want.departed_at);
        assert.equal(local(row.flight_date as Date, false), want.flight_date);
        assert.equal(row.origin, want.origin);
        assert.equal(row.delay_min, want.delay_min);
        assert.equal(row.small, want.distance_mi);
        assert.equal(row.big, String(want.delay_min));
        assert.equal(row.is_delayed, want.is_delayed);
        assert.equal(row.ratio, want.ratio);
        assert.equal(row.exact, want.exact);
        assert.equal(row.single, want.single);
        assert.equal(row.maybe, want.maybe);
      });
    } finally {
      await client.end();
    }
  });

  it('speaks the extended protocol (prepared statements), refuses hostile SQL with a privilege error and stays usable', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: local.port, user: 'local', database: 'flights' });
    await client.connect();
    try {
      const prepared = await client.query({ name: 'regions', text: 'SELECT DISTINCT region FROM gold.region_monthly_summary ORDER BY region' });
      assert.ok(prepared.rows.length >= 4);
      assert.deepEqual(
        (await client.query({ name: 'regions', text: 'SELECT DISTINCT region FROM gold.region_monthly_summary ORDER BY region' })).rows,
        prepared.rows,
      );
      // Bind parameters: typed, quoted, never SQL (a quote in a value stays a quote).
      const west = await client.query('SELECT count(*) AS n, min(flights) >= $2 AS big FROM gold.region_monthly_summary WHERE region = $1', ['West', 1]);
      const literal = await client.query("SELECT count(*) AS n FROM gold.region_monthly_summary WHERE region = 'West'");
      assert.ok(Number(literal.rows[0]!.n) > 0);
      assert.deepEqual(west.rows, [{ n: literal.rows[0]!.n, big: true }]);
      assert.deepEqual((await client.query('SELECT count(*) AS n FROM gold.region_monthly_summary WHERE region = $1', ["West' OR '1'='1"])).rows, [{ n: '0' }]);
      await assert.rejects(client.query('SELECT $2::INTEGER AS x', [1]), /uses \$2 but 1 parameter\(s\) were bound/);
      await assert.rejects(
        client.query("SELECT * FROM read_text('/etc/hostname')"),
        (error: Error & { code?: string }) => error.code === '42501' && /read_text/.test(error.message),
      );
      await assert.rejects(
        client.query('DROP TABLE gold.region_monthly_summary'),
        (error: Error & { code?: string }) => error.code === '42501' && /read-only/.test(error.message),
      );
      // Result columns are named as PostgreSQL names them, for clients that read them by name.
      const named = await client.query(
        'SELECT count(*), region, 1 + 1, CAST(flights AS INTEGER), sum(flights) AS total FROM gold.region_monthly_summary GROUP BY region, flights LIMIT 1',
      );
      assert.deepEqual(
        named.fields.map((f) => f.name),
        ['count', 'region', '?column?', 'flights', 'total'],
      );
      assert.deepEqual((await client.query('SELECT version(), current_database()')).rows, [
        { version: 'PostgreSQL 15.0 (Sluice)', current_database: 'flights' },
      ]);
      // A result cut at the row cap says so.
      const notices: string[] = [];
      client.on('notice', (notice) => notices.push(notice.message ?? ''));
      assert.equal((await client.query('SELECT origin, flight_date FROM gold.airport_daily_delays')).rows.length, 1_000);
      assert.equal((await client.query({ name: 'capped', text: 'SELECT origin FROM gold.airport_daily_delays' })).rows.length, 1_000);
      assert.deepEqual(notices, Array(2).fill('the result was cut at 1000 rows (the governed row cap); narrow the query or aggregate it'));
      await client.query('SET application_name = test');
      assert.equal((await client.query('SHOW application_name')).rows[0]!.application_name, 'test');
      await client.query('BEGIN');
      await client.query('COMMIT');
      assert.equal((await client.query('SELECT count(*) AS n FROM gold.region_monthly_summary')).rows[0]!.n, '32');
    } finally {
      await client.end();
    }
  });

  it('is what sluice dev --pg-port serves, beside the HTTP API', async () => {
    const copy = await builtFlights();
    const lines: string[] = [];
    const dev = await startDevServer({ project: copy.dir, port: 0, pgPort: 0 }, (line) => lines.push(line));
    try {
      assert.equal(await psql(dev.pgPort!, 'SELECT count(*) FROM gold.region_monthly_summary'), '32');
      assert.ok(
        lines.some((line) => line.includes(`psql -h 127.0.0.1 -p ${dev.pgPort} -U local -d flights`)),
        lines.join('\n'),
      );
    } finally {
      await dev.stop();
      copy.remove();
    }
  });
});
