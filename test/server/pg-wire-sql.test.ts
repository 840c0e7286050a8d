import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCatalogQuery, rewriteCatalogSql } from '../../src/server/pg-wire/catalog-sql.js';
import { inlineParameters } from '../../src/server/pg-wire/inline-params.js';
import { PG_TYPES, pgText, pgTypeOf } from '../../src/server/pg-wire/pg-types.js';
import { sessionCommand } from '../../src/server/pg-wire/session-commands.js';
import { splitStatements, tokenize } from '../../src/server/pg-wire/sql-tokens.js';

describe('the wire protocol SQL helpers', () => {
  it('tokenizes without looking inside strings, quoted names, dollar quotes or comments', () => {
    const sql = `SELECT 'a;b''c', "x;""y", $$ $1; $$, E'\\';' /* ; */ -- ;\n, $1`;
    assert.equal(
      tokenize(sql)
        .map((t) => t.text)
        .join(''),
      sql,
    );
    assert.deepEqual(
      splitStatements(`${sql}; SET x = 1;;`).map((s) => s.trim()),
      [sql, 'SET x = 1'],
    );
    assert.throws(() => tokenize("SELECT 'open"), /unterminated string/);
  });

  it('tells catalog queries from data queries', () => {
    assert.equal(isCatalogQuery('SELECT * FROM pg_catalog.pg_class'), true);
    assert.equal(isCatalogQuery('select relname from PG_CLASS'), true);
    assert.equal(isCatalogQuery('SELECT * FROM information_schema.tables'), true);
    assert.equal(isCatalogQuery('SELECT version()'), true);
    assert.equal(isCatalogQuery('SELECT count(*) FROM gold.region_monthly_summary'), false);
    assert.equal(isCatalogQuery("SELECT 'pg_catalog' AS word FROM gold.x"), false);
    assert.equal(isCatalogQuery('SELECT version FROM gold.releases'), false);
  });

  it("rewrites psql's PostgreSQL-only syntax for the emulated catalog", () => {
    assert.equal(
      rewriteCatalogSql("WHERE c.relname OPERATOR(pg_catalog.~) '^(t)$' COLLATE pg_catalog.default AND x"),
      "WHERE c.relname  ~  '(?s).*(?:^(t)$).*'  AND x",
    );
    assert.equal(rewriteCatalogSql("n.nspname !~ '^pg_'"), "n.nspname !~ '(?s).*(?:^pg_).*'");
    assert.equal(rewriteCatalogSql("name ~* 'abc'"), "name ~ '(?si).*(?:abc).*'");
    assert.equal(rewriteCatalogSql('SELECT c.oid::pg_catalog.regclass FROM pg_catalog.pg_class c'), 'SELECT c.oid::regclass FROM pgcat.pg_class c');
    assert.equal(rewriteCatalogSql("WHERE pol.polroles = '{0}'"), "WHERE pol.polroles = '[0]'");
    assert.equal(rewriteCatalogSql('FROM pg_catalog.generate_series(0, 3) s, t'), 'FROM generate_series(0, 3) s(s), t');
    assert.equal(rewriteCatalogSql('SELECT * FROM information_schema.columns'), 'SELECT * FROM pginfo.columns');
    assert.equal(rewriteCatalogSql("SELECT 'pg_catalog.pg_class'"), "SELECT 'pg_catalog.pg_class'");
    assert.equal(rewriteCatalogSql("d.classoid = 'pg_class'::regclass"), 'd.classoid = 1259::regclass');
    assert.match(rewriteCatalogSql("a.attrelid = 'gold.x'::pg_catalog.regclass"), /c\.relname = 'x' AND n\.nspname = 'gold'\)::regclass$/);
  });

  it('answers session statements itself', () => {
    assert.deepEqual(sessionCommand("SET DateStyle = 'ISO, MDY'"), { kind: 'set', tag: 'SET', name: 'DateStyle', value: 'ISO, MDY' });
    assert.deepEqual(sessionCommand('set search_path to public'), { kind: 'set', tag: 'SET', name: 'search_path', value: 'public' });
    assert.deepEqual(sessionCommand('SHOW TRANSACTION ISOLATION LEVEL'), { kind: 'show', name: 'transaction_isolation' });
    assert.deepEqual(sessionCommand('begin'), { kind: 'transaction', tag: 'BEGIN' });
    assert.equal(sessionCommand('SELECT 1'), undefined);
  });

  it('writes bind parameters as literals that cannot become SQL', () => {
    assert.equal(inlineParameters("SELECT $1, '$1', $2", ["it's", '7'], [25, 23]), "SELECT 'it''s', '$1', 7");
    assert.equal(inlineParameters('SELECT $1, $2', [null, true]), 'SELECT NULL, true');
    assert.throws(() => inlineParameters('SELECT $1', ['1; DROP TABLE x'], [23]), /declared numeric/);
    assert.throws(() => inlineParameters('SELECT $3', ['a']), /uses \$3 but 1 parameter/);
  });

  it('maps DuckDB types to PostgreSQL OIDs and values to its text format', () => {
    assert.deepEqual([pgTypeOf('DECIMAL(18,3)').oid, pgTypeOf('DECIMAL(18,3)').typmod], [1700, ((18 << 16) | 3) + 4]);
    assert.equal(pgTypeOf('TIMESTAMP WITH TIME ZONE').oid, 1184);
    assert.equal(pgTypeOf('INTEGER[]').oid, 25);
    assert.equal(pgText(true, PG_TYPES.bool), 't');
    assert.equal(pgText(null, PG_TYPES.int4), null);
    assert.equal(pgText(Number.NaN, PG_TYPES.float8), 'NaN');
    assert.equal(pgText(1.5, pgTypeOf('DECIMAL(10,2)')), '1.50');
    assert.equal(pgText(new Date(Date.UTC(2001, 1, 3)), PG_TYPES.date), '2001-02-03');
    assert.equal(pgText(new Date(Date.UTC(2001, 1, 3, 4, 5, 6, 780)), PG_TYPES.timestamp), '2001-02-03 04:05:06.78');
    assert.equal(pgText(3_723_000_001n, PG_TYPES.time), '01:02:03.000001');
    assert.equal(pgText({ months: 14, days: 3, micros: 3_600_000_000n }, PG_TYPES.interval), '1 year 2 mons 3 days 01:00:00');
    assert.equal(pgText(new Uint8Array([0xab, 1]), PG_TYPES.bytea), '\\xab01');
  });
});
