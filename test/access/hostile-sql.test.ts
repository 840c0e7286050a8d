// A corpus of hostile statements: each is refused with a clear error or answered within policy, and each is audited.
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { QueryRefusedError } from '../../src/access/governed-query/query-refused-error.js';
import type { GovernedResult } from '../../src/access/governed-query/governed-reader.js';
import { ANALYST_WEST, HIDDEN_VALUES, governedFixture, type GovernedFixture } from './governed-fixture.js';

process.env.SLUICE_TEST_SECRET = 'env-s3cr3t-value';

type Case = { sql: string; refused: RegExp } | { sql: string; answer: (result: GovernedResult) => void; generated?: boolean };

const origins = (r: GovernedResult): string[] => r.rows.map((row) => String(row.origin));
const onlyWest = (r: GovernedResult): void =>
  assert.ok(
    origins(r).every((o) => o === 'LAX' || o === 'SFO'),
    JSON.stringify(r.rows),
  );
const rowCount =
  (n: number) =>
  (r: GovernedResult): void =>
    assert.equal(r.rows.length, n, JSON.stringify(r.rows));

const CORPUS: Case[] = [
  // Files and the network
  { sql: "SELECT content FROM read_text('/etc/hostname')", refused: /read_text.*reads files/ },
  { sql: "SELECT read_text('/etc/hostname')", refused: /read_text.*refused/ },
  { sql: "SELECT * FROM read_csv('/etc/passwd')", refused: /read_csv.*reads files/ },
  { sql: "SELECT * FROM read_parquet('/tmp/x.parquet')", refused: /read_parquet/ },
  { sql: "SELECT * FROM '/etc/passwd'", refused: /"main\.\/etc\/passwd" is not an asset/ },
  { sql: "SELECT * FROM glob('/*')", refused: /glob.*reads files/ },
  { sql: "SELECT * FROM read_json_auto('http://example.com/x.json')", refused: /read_json_auto/ },
  { sql: "COPY (SELECT 42) TO '/tmp/sluice-hostile.csv'", refused: /only read-only queries/ },
  { sql: "COPY silver.flights TO '/tmp/sluice-hostile.csv'", refused: /only read-only queries/ },
  { sql: "/* harmless */ COPY (SELECT 1) TO '/tmp/sluice-hostile.csv'", refused: /only read-only queries/ },
  { sql: "ATTACH '/tmp/sluice-hostile.duckdb' AS other", refused: /only read-only queries/ },
  { sql: 'INSTALL httpfs', refused: /only read-only queries/ },
  { sql: 'LOAD httpfs', refused: /only read-only queries/ },
  { sql: "EXPORT DATABASE '/tmp/sluice-hostile-export'", refused: /only read-only queries/ },
  // Settings, DDL, DML
  { sql: 'PRAGMA database_list', refused: /only read-only queries/ },
  { sql: 'SET enable_external_access = true', refused: /only read-only queries/ },
  { sql: "SET VARIABLE x = 'y'", refused: /only read-only queries/ },
  { sql: 'CALL pragma_version()', refused: /only read-only queries/ },
  { sql: 'DROP TABLE gold.summary', refused: /only read-only queries/ },
  { sql: 'DELETE FROM silver.flights', refused: /only read-only queries/ },
  { sql: "INSERT INTO silver.flights VALUES ('X', 'Y', 1)", refused: /only read-only queries/ },
  { sql: "UPDATE silver.airports SET name = 'x'", refused: /only read-only queries/ },
  { sql: 'CREATE TABLE silver.copy AS SELECT * FROM silver.flights', refused: /only read-only queries/ },
  { sql: 'EXPLAIN SELECT * FROM secret.payroll', refused: /only read-only queries/ },
  // More than one statement, comments and unicode
  { sql: 'SELECT 1; DROP TABLE gold.summary', refused: /only read-only|exactly one statement/ },
  { sql: 'SELECT 1; SELECT 2', refused: /exactly one statement \(got 2\)/ },
  { sql: "SELECT 1 -- ; COPY (SELECT 1) TO '/tmp/x'\n; SELECT * FROM secret.payroll", refused: /exactly one statement/ },
  { sql: 'SELECT * FROM silver./* hidden */flights', answer: onlyWest },
  { sql: 'SELECT * FROM SILVER.FLIGHTS', answer: onlyWest },
  { sql: 'SELECT * FROM "silver"."flights"', answer: onlyWest },
  { sql: 'SELECT * FROM "silver.flights"', refused: /not an asset you may read/ },
  { sql: 'SELECT * FROM silver.ｆlights', refused: /not an asset you may read/ },
  { sql: 'SELECT * FROM memory.silver.flights', refused: /without a database/ },
  { sql: 'SELECT * FROM secret.payroll', refused: /"secret\.payroll" is not an asset you may read/ },
  { sql: 'SELECT * FROM loose', refused: /"main\.loose" is not an asset/ },
  // CTEs that shadow names
  { sql: 'WITH flights AS (SELECT * FROM silver.flights) SELECT * FROM flights', answer: onlyWest },
  {
    sql: 'WITH airports AS (SELECT 1 AS x) SELECT * FROM silver.airports',
    answer: (r) => assert.ok(r.rows.every((row) => /^[A-Z][a-z]\*+$/.test(String(row.name)))),
  },
  { sql: 'WITH loose AS (SELECT 1 AS x) SELECT * FROM loose', answer: (r) => assert.deepEqual(r.rows, [{ x: 1 }]) },
  { sql: 'WITH loose AS (SELECT * FROM loose) SELECT * FROM loose', refused: /./ },
  { sql: 'WITH x AS (SELECT * FROM secret.payroll) SELECT 1', refused: /secret\.payroll/ },
  { sql: 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT * FROM r', answer: rowCount(5) },
  // Subqueries and set operations around a policy
  { sql: 'SELECT origin FROM silver.flights UNION ALL SELECT origin FROM silver.flights', answer: (r) => (onlyWest(r), rowCount(4)(r)) },
  { sql: 'SELECT * FROM silver.flights EXCEPT SELECT * FROM silver.flights WHERE false', answer: onlyWest },
  { sql: "SELECT count(*) AS n FROM silver.flights WHERE origin = 'JFK'", answer: (r) => assert.equal(r.rows[0]!.n, 0) },
  { sql: 'SELECT (SELECT max(delay_min) FROM silver.flights) AS worst', answer: (r) => assert.equal(r.rows[0]!.worst, 20) },
  { sql: 'SELECT * FROM silver.airports WHERE iata IN (SELECT destination FROM silver.flights)', answer: (r) => assert.ok(r.rows.length > 0) },
  {
    sql: 'SELECT a.name, n FROM silver.airports a, LATERAL (SELECT length(a.name) AS n)',
    answer: (r) => assert.ok(r.rows.every((row) => String(row.name).includes('*'))),
  },
  {
    sql: "SELECT * FROM silver.flights PIVOT (sum(delay_min) FOR origin IN ('LAX', 'JFK'))",
    answer: (r) => assert.ok(r.rows.every((row) => row.JFK === null)),
  },
  { sql: 'SELECT count(*) OVER () AS visible FROM silver.flights', answer: (r) => assert.ok(r.rows.every((row) => row.visible === 2)) },
  { sql: 'SELECT * FROM gold.summary', answer: (r) => assert.deepEqual(r.rows, [{ region: 'West', avg_delay_min: 12 }]) },
  { sql: 'SELECT * FROM silver.flights AS airports', answer: onlyWest },
  { sql: 'SELECT * FROM silver.flights AT (VERSION => 1)', refused: /time travel/ },
  // Catalog, settings, environment
  { sql: 'SELECT * FROM duckdb_tables()', refused: /duckdb_tables.*reveals the catalog/ },
  { sql: 'SELECT * FROM duckdb_settings()', refused: /duckdb_settings/ },
  { sql: 'SELECT * FROM information_schema.tables', refused: /information_schema\.tables" is not an asset/ },
  { sql: "SELECT * FROM pragma_table_info('secret.payroll')", refused: /pragma_table_info/ },
  { sql: 'SHOW TABLES', refused: /SHOW, DESCRIBE and SUMMARIZE/ },
  { sql: 'DESCRIBE secret.payroll', refused: /SHOW, DESCRIBE and SUMMARIZE/ },
  { sql: 'SUMMARIZE silver.flights', refused: /SHOW, DESCRIBE and SUMMARIZE/ },
  { sql: "SELECT getenv('SLUICE_TEST_SECRET')", refused: /getenv/ },
  { sql: "SELECT current_setting('threads')", refused: /current_setting.*settings/ },
  { sql: "SELECT system.main.current_setting('threads')", refused: /refused/ },
  { sql: 'SELECT version()', refused: /version/ },
  { sql: "SELECT * FROM query('SELECT * FROM secret.payroll')", refused: /query.*bypass/ },
  { sql: "SELECT * FROM query_table('secret.payroll')", refused: /query_table/ },
  { sql: "SELECT nextval('s')", refused: /nextval/ },
  { sql: 'SELECT sleep_ms(100000)', refused: /sleep_ms/ },
  { sql: 'SELECT $1', refused: /parameters/ },
  { sql: 'SELECT ?', refused: /parameters/ },
  // Huge results
  { sql: 'SELECT i FROM range(100000000) t(i)', answer: (r) => (assert.equal(r.rows.length, 50), assert.equal(r.truncated, true)), generated: true },
  {
    sql: 'SELECT * FROM (SELECT i FROM range(1000) t(i) LIMIT 900)',
    answer: (r) => (assert.equal(r.rows.length, 50), assert.equal(r.truncated, true)),
    generated: true,
  },
];

describe('hostile SQL against the governed reader', () => {
  let fixture: GovernedFixture;
  before(async () => {
    fixture = await governedFixture({ maxRows: 50 });
  });
  after(() => fixture.close());

  test(`the corpus holds at least 40 statements (${CORPUS.length})`, () => assert.ok(CORPUS.length >= 40));

  for (const entry of CORPUS) {
    test(`${'refused' in entry ? 'refused' : 'answered within policy'}: ${entry.sql.replace(/\s+/g, ' ').slice(0, 90)}`, async () => {
      const before = fixture.audit.length;
      if ('refused' in entry) {
        await assert.rejects(fixture.reader.query(ANALYST_WEST, entry.sql), (error: unknown) => {
          assert.ok(error instanceof QueryRefusedError, String(error));
          assert.match(error.message, entry.refused);
          return true;
        });
        assert.equal(fixture.audit.length, before + 1);
        assert.equal(fixture.audit.at(-1)!.allowed, false);
        assert.equal(fixture.audit.at(-1)!.sql, entry.sql);
        assert.ok(fixture.audit.at(-1)!.reason);
      } else {
        const result = await fixture.reader.query(ANALYST_WEST, entry.sql);
        entry.answer(result);
        assert.equal(fixture.audit.at(-1)!.allowed, true);
        assert.equal(fixture.audit.at(-1)!.rows, result.rows.length);
        if (!entry.generated) {
          const text = JSON.stringify(result.rows);
          for (const hidden of [...HIDDEN_VALUES, process.env.SLUICE_TEST_SECRET!, hostname()]) assert.ok(!text.includes(hidden), `${hidden} leaked: ${text}`);
        }
      }
    });
  }

  test('a statement running past the timeout is interrupted, refused and audited', async () => {
    const slow = await governedFixture({ timeoutMs: 200 });
    try {
      await assert.rejects(slow.reader.query(ANALYST_WEST, 'SELECT count(*) FROM range(100000000000) a(i) WHERE i % 7 = 3'), /ran longer than 0.2 s/);
      assert.equal(slow.audit.at(-1)!.allowed, false);
    } finally {
      await slow.close();
    }
  });

  test('nothing the corpus sent changed the warehouse', async () => {
    const result = await fixture.reader.query(
      { ...ANALYST_WEST, roles: ['admin'] },
      'SELECT (SELECT count(*) FROM silver.flights) AS flights, (SELECT count(*) FROM gold.summary) AS summary',
    );
    assert.deepEqual(result.rows, [{ flights: 4, summary: 2 }]);
  });
});
