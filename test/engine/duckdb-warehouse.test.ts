// The DuckDB warehouse passes the warehouse contract; its catalog answers (describe, publish, drop) through its public session interface.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbWarehouse } from '../../src/engine/duckdb/duckdb-warehouse.js';
import type { DuckDbSession } from '../../src/engine/duckdb/duckdb-session.js';
import type { ColumnInfo, TableProfile, WarehouseSession } from '../../src/engine/warehouse.js';
import { quoteQualified, type QualifiedName } from '../../src/model/asset-key.js';
import { runWarehouseContract } from './warehouse-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-warehouse-'));
let warehouse: DuckDbWarehouse;
let session: DuckDbSession;

/** What DuckDB's information_schema says of a relation: the reference describe() must agree with. */
async function catalogColumns(schema: string, name: string): Promise<ColumnInfo[]> {
  const rows = await session.query<{ name: string; type: string; nullable: string }>(
    `SELECT column_name AS name, data_type AS type, is_nullable AS nullable FROM information_schema.columns
     WHERE table_catalog = current_database() AND table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [schema, name],
  );
  return rows.map((r) => ({ name: r.name, type: r.type, nullable: r.nullable === 'YES' }));
}

async function kindOf(schema: string, name: string): Promise<string | undefined> {
  const rows = await session.query<{ kind: string }>(
    `SELECT table_type AS kind FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema = $1 AND table_name = $2`,
    [schema, name],
  );
  return rows[0]?.kind;
}

let contracts = 0;
runWarehouseContract({
  name: 'DuckDB',
  skip: false,
  open: async () => ({ warehouse: await DuckDbWarehouse.open({ path: join(dir, `contract-${++contracts}.duckdb`) }), cleanup: async () => undefined }),
});

before(async () => {
  warehouse = await DuckDbWarehouse.open({ path: join(dir, 'warehouse.duckdb') });
  session = await warehouse.session();
  await session.ensureSchema('cat');
});

after(async () => {
  session.close();
  await warehouse.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('DuckDB warehouse catalog', () => {
  it('describes tables and views with the names, types and nullability the catalog reports', async () => {
    await session.exec(`CREATE TYPE mood AS ENUM ('sad', 'ok')`);
    await session.exec(`CREATE SCHEMA "Odd Schema"`);
    await session.exec(
      `CREATE TABLE "Odd Schema"."t.x" (id INTEGER NOT NULL PRIMARY KEY, "Mixed Case" VARCHAR COLLATE NOCASE, d DECIMAL(18,3),
        ts TIMESTAMPTZ, tags INTEGER[], s STRUCT(x INTEGER, "y z" VARCHAR), m MAP(VARCHAR, INTEGER), feel mood,
        u UNION(n INTEGER, s VARCHAR), b BLOB, v VARCHAR DEFAULT 'x', "Ä" TINYINT)`,
    );
    await session.exec(`CREATE VIEW "Odd Schema".v AS SELECT * FROM "Odd Schema"."t.x"`);
    await session.exec(`CREATE TABLE cat.ctas AS SELECT * FROM "Odd Schema"."t.x"`);
    for (const [schema, name] of [
      ['Odd Schema', 't.x'],
      ['Odd Schema', 'v'],
      ['cat', 'ctas'],
    ] as const) {
      const expected = await catalogColumns(schema, name);
      assert.equal(expected.length, 12);
      assert.deepEqual(await session.describe({ schema, name }), expected, `${schema}.${name}`);
    }
    assert.equal((await session.describe({ schema: 'Odd Schema', name: 't.x' }))![0]!.nullable, false, 'NOT NULL is reported');
  });

  it('describes nothing for a relation or schema that does not exist', async () => {
    assert.equal(await session.describe({ schema: 'cat', name: 'absent' }), undefined);
    assert.equal(await session.describe({ schema: 'no_such_schema', name: 'absent' }), undefined);
  });

  it("describes the warehouse's own table, never a temporary table of the same name on the session", async () => {
    const other = await warehouse.session();
    try {
      await other.exec('CREATE TABLE main.shadowed AS SELECT 1 AS kept, 2 AS also_kept');
      await other.exec('CREATE TEMP TABLE shadowed AS SELECT 1 AS temp_only');
      assert.deepEqual(
        (await other.describe({ schema: 'main', name: 'shadowed' }))!.map((c) => c.name),
        ['kept', 'also_kept'],
      );
      await other.exec('CREATE TEMP TABLE only_temp AS SELECT 1 AS t');
      assert.equal(await other.describe({ schema: 'main', name: 'only_temp' }), undefined);
    } finally {
      other.close();
    }
  });

  it('describes the new schema right after a publish replaced the table', async () => {
    const target = { schema: 'cat', name: 'evolving' };
    for (const columns of ['1 AS a', "1 AS a, 'x' AS b", '2.5 AS c']) {
      const staging = await session.stagingName(target, 'run-evolving');
      await session.stageQuery(staging, `SELECT ${columns}`);
      await session.publishTable(staging, target);
      assert.deepEqual(await session.describe(target), await catalogColumns('cat', 'evolving'));
    }
    assert.deepEqual(
      (await session.describe(target))!.map((c) => `${c.name}:${c.type}`),
      ['c:DECIMAL(2,1)'],
    );
  });

  it('publishes a table over a view and a view over a table, each in place', async () => {
    const target = { schema: 'cat', name: 'shape_shifter' };
    await session.publishView(target, 'SELECT 1 AS from_view');
    assert.equal(await kindOf('cat', 'shape_shifter'), 'VIEW');
    const staging = await session.stagingName(target, 'run-shift');
    await session.stageQuery(staging, 'SELECT 2 AS from_table');
    await session.publishTables([{ staging, target }]);
    assert.equal(await kindOf('cat', 'shape_shifter'), 'BASE TABLE');
    assert.deepEqual(await session.query('SELECT * FROM cat.shape_shifter'), [{ from_table: 2 }]);
    await session.publishView(target, 'SELECT 3 AS from_view_again');
    assert.equal(await kindOf('cat', 'shape_shifter'), 'VIEW');
    assert.deepEqual(await session.query('SELECT * FROM cat.shape_shifter'), [{ from_view_again: 3 }]);
    await session.publishView(target, 'SELECT 4 AS replaced_view');
    assert.deepEqual(await session.query('SELECT * FROM cat.shape_shifter'), [{ replaced_view: 4 }]);
  });

  it('a publish that fails part-way changes none of its targets', async () => {
    const first = { schema: 'cat', name: 'pair_a' };
    const second = { schema: 'cat', name: 'pair_b' };
    await session.exec('CREATE TABLE cat.pair_a AS SELECT 1 AS version');
    await session.exec('CREATE VIEW cat.pair_b AS SELECT 1 AS version');
    const staging = await session.stagingName(first, 'run-pair');
    await session.stageQuery(staging, 'SELECT 2 AS version');
    const missing = { schema: 'cat', name: '__sluice_stage_never_created' };
    await assert.rejects(
      session.publishTables([
        { staging, target: first },
        { staging: missing, target: second },
      ]),
    );
    assert.deepEqual(await session.query('SELECT * FROM cat.pair_a'), [{ version: 1 }]);
    assert.deepEqual(await session.query('SELECT * FROM cat.pair_b'), [{ version: 1 }]);
    assert.equal(await kindOf('cat', 'pair_b'), 'VIEW');
    assert.ok(await kindOf('cat', staging.name), 'the staging table is still there to drop');
    await session.dropRelation(staging);
  });

  it('a failing view definition leaves the published table in place', async () => {
    await session.exec('CREATE TABLE cat.keeps AS SELECT 1 AS v');
    await assert.rejects(session.publishView({ schema: 'cat', name: 'keeps' }, 'SELECT * FROM cat.no_such_table'));
    assert.equal(await kindOf('cat', 'keeps'), 'BASE TABLE');
    assert.deepEqual(await session.query('SELECT * FROM cat.keeps'), [{ v: 1 }]);
  });

  it('drops tables and views, and ignores relations that do not exist', async () => {
    await session.exec('CREATE TABLE cat.drop_t AS SELECT 1 AS x');
    await session.exec('CREATE VIEW cat.drop_v AS SELECT 1 AS x');
    await session.dropRelation({ schema: 'cat', name: 'drop_t' });
    await session.dropRelation({ schema: 'cat', name: 'drop_v' });
    await session.dropRelation({ schema: 'cat', name: 'drop_none' });
    await session.dropRelation({ schema: 'no_such_schema', name: 'drop_none' });
    assert.equal(await kindOf('cat', 'drop_t'), undefined);
    assert.equal(await kindOf('cat', 'drop_v'), undefined);
  });

  it('incremental publishes create the table first, then append and merge into it', async () => {
    const target = { schema: 'cat', name: 'growing' };
    const stage = async (sql: string) => {
      const staging = await session.stagingName(target, 'run-growing');
      await session.stageQuery(staging, sql);
      return staging;
    };
    await session.publishAppend(await stage(`SELECT * FROM (VALUES (1, 'a'), (2, 'b')) t(id, v)`), target);
    await session.publishAppend(await stage(`SELECT 3 AS id, 'c' AS v`), target);
    await session.publishMerge(await stage(`SELECT * FROM (VALUES (2, 'B'), (4, 'd')) t(id, v)`), target, ['id']);
    assert.deepEqual(await session.query('SELECT * FROM cat.growing ORDER BY id'), [
      { id: 1, v: 'a' },
      { id: 2, v: 'B' },
      { id: 3, v: 'c' },
      { id: 4, v: 'd' },
    ]);
  });

  it('parses many statements asked for at once, each to its own answer, a broken one failing alone', async () => {
    const sqls = Array.from({ length: 1200 }, (_, i) => (i === 700 ? 'SELECT FROM WHERE' : `SELECT * FROM s${i}.t${i} WHERE x = $p${i}`));
    const answers = await Promise.allSettled(sqls.map((sql) => Promise.all([warehouse.tableReferences(sql), warehouse.sqlParameters(sql)])));
    answers.forEach((answer, i) => {
      if (i === 700) {
        assert.equal(answer.status, 'rejected');
        assert.match(String((answer as PromiseRejectedResult).reason), /cannot parse SQL: .*syntax error/);
      } else {
        assert.equal(answer.status, 'fulfilled', `statement ${i}`);
        assert.deepEqual((answer as PromiseFulfilledResult<unknown>).value, [[{ schema: `s${i}`, name: `t${i}` }], [`p${i}`]]);
      }
    });
    const tree = (await warehouse.parseTree('SELECT 42 AS answer')) as { statements: unknown[] };
    assert.equal(tree.statements.length, 1);
  });

  it('answers repeated questions about the same SQL alike, and reports a parse error every time', async () => {
    const sql = 'SELECT * FROM cat.a JOIN other.b USING (id) WHERE ts >= $partition_start';
    const first = await warehouse.tableReferences(sql);
    first.pop();
    (await warehouse.sqlParameters(sql)).push('tampered');
    assert.deepEqual(await warehouse.tableReferences(sql), [
      { schema: 'cat', name: 'a' },
      { schema: 'other', name: 'b' },
    ]);
    assert.deepEqual(await warehouse.sqlParameters(sql), ['partition_start']);
    await assert.rejects(warehouse.tableReferences('SELEC nonsense'), /cannot parse SQL/);
    await assert.rejects(warehouse.sqlParameters('SELEC nonsense'), /cannot parse SQL/);
  });
});

describe('DuckDB staging transaction (a staged query is committed with its publish)', () => {
  const staged = async (target: QualifiedName, sql: string, on: WarehouseSession = session) => {
    const staging = await on.stagingName(target, 'run-tx');
    await on.stageQuery(staging, sql);
    return staging;
  };

  it('a staged query that is never published leaves nothing once its session ends or the step drops it, and the old table stays', async () => {
    const other = await warehouse.session();
    await staged({ schema: 'cat', name: 'never_published' }, 'SELECT 1 AS x', other);
    other.close();
    const target = { schema: 'cat', name: 'tx_kept' };
    await session.publishTable(await staged(target, 'SELECT 1 AS v'), target);
    await session.dropRelation(await staged(target, 'SELECT 2 AS v'));
    assert.deepEqual(await session.query(`SELECT table_name AS name FROM information_schema.tables WHERE starts_with(table_name, '__sluice_stage_')`), []);
    assert.deepEqual(await session.query('SELECT * FROM cat.tx_kept'), [{ v: 1 }]);
  });

  it('a check whose SQL fails at run time (which aborts a DuckDB transaction) does not lose the staged table', async () => {
    const target = { schema: 'cat', name: 'tx_checked' };
    const staging = await staged(target, `SELECT 'not a number' AS s`);
    await assert.rejects(session.query(`SELECT s::INTEGER FROM ${quoteQualified(staging)}`), /Conversion Error/);
    await session.publishTable(staging, target);
    assert.deepEqual(await session.query('SELECT * FROM cat.tx_checked'), [{ s: 'not a number' }]);
  });

  it("a staging name replaces a dead attempt's leftover, whether staged from a query, from rows or created by SQL", async () => {
    const target = { schema: 'cat', name: 'tx_leftover' };
    const leftover = await session.stagingName(target, 'run-tx');
    for (const stage of [
      (staging: QualifiedName) => session.stageQuery(staging, 'SELECT 2 AS fresh'),
      (staging: QualifiedName) => session.stageRows(staging, [{ fresh: 2 }]),
      (staging: QualifiedName) => session.exec(`CREATE TABLE ${quoteQualified(staging)} AS SELECT 2 AS fresh`),
    ]) {
      await session.exec(`CREATE OR REPLACE TABLE ${quoteQualified(leftover)} AS SELECT 1 AS old`);
      const staging = await session.stagingName(target, 'run-tx');
      assert.deepEqual(staging, leftover);
      await stage(staging);
      await session.publishTable(staging, target);
      assert.deepEqual(await session.query('SELECT * FROM cat.tx_leftover'), [{ fresh: 2 }]);
    }
  });

  it('profiles name every column with the type describe reports, min/max only where ordered', async () => {
    const relation = { schema: 'Odd Schema', name: 't.x' };
    await session.exec(`INSERT INTO "Odd Schema"."t.x" (id, tags, s) VALUES (1, [1, 2], {'x': 1, 'y z': 'a'}), (2, NULL, NULL)`);
    const profile = await session.profile(relation);
    assert.deepEqual(
      profile.columns.map((c) => [c.name, c.type]),
      (await session.describe(relation))!.map((c) => [c.name, c.type]),
    );
    assert.equal(profile.rowCount, 2);
    const byName = new Map(profile.columns.map((c) => [c.name, c]));
    assert.deepEqual([byName.get('id')!.min, byName.get('id')!.max], ['1', '2']);
    assert.deepEqual([byName.get('tags')!.min, byName.get('s')!.max, byName.get('tags')!.nullCount], [null, null, 1]);
    assert.equal(byName.get('Mixed Case')!.nullCount, 2);
    // A small staged table takes the other path (min/max of every column computed, the unordered ones dropped): same
    // answer. Neither is large enough for exact counts to pay, so both estimate every column.
    const staging = await staged({ schema: 'Odd Schema', name: 't.x' }, 'SELECT * FROM "Odd Schema"."t.x"');
    const small = await session.profile(staging);
    assert.ok([...small.columns, ...profile.columns].every((c) => !c.distinctExact));
    assert.deepEqual(small, profile);
    await session.dropRelation(staging);
  });

  it("profiles a staged table by the size it was written with after a caller's SQL ran (a check), and by what it holds", async () => {
    // A large staged table keeps its planned (exact) counts after a check committed the staging transaction.
    const large = await staged({ schema: 'cat', name: 'checked_large' }, `SELECT i AS id, 'r' || (i % 40) AS region FROM range(200000) AS r(i)`);
    await session.query(`SELECT count(*) FROM cat.${large.name} WHERE region IS NULL`);
    const planned = await session.profile(large);
    assert.deepEqual(
      planned.columns.map((c) => [c.name, c.distinctExact]),
      [
        ['id', false],
        ['region', true],
      ],
    );
    await session.dropRelation(large);
    // A caller that grew a small staged table past the row path's size gets the profile of what the table holds.
    const grown = await staged({ schema: 'cat', name: 'checked_grown' }, 'SELECT range AS n FROM range(5)');
    await session.exec(`INSERT INTO cat.${grown.name} SELECT range FROM range(5, 300)`);
    const profile = await session.profile(grown);
    assert.deepEqual([profile.rowCount, profile.columns[0]!.min, profile.columns[0]!.max], [300, '0', '299']);
    await session.dropRelation(grown);
  });
});

describe('DuckDB one-step publish of a query (a SQL table with nothing to audit)', () => {
  it("publishes the query's result and profiles it; a failing query leaves the old table as it was", async () => {
    const target = { schema: 'cat', name: 'one_step' };
    const profile = await session.publishQuery(target, 'SELECT range AS n, range % 2 = 0 AS even FROM range(5);');
    assert.deepEqual(await session.query('SELECT count(*) AS n FROM cat.one_step'), [{ n: 5 }]);
    assert.equal(profile!.rowCount, 5);
    assert.deepEqual(
      profile!.columns.map((c) => [c.name, c.type, c.min, c.max]),
      [
        ['n', 'BIGINT', '0', '4'],
        ['even', 'BOOLEAN', 'false', 'true'],
      ],
    );
    // The same content staged and profiled the other way has the same profile (data versions must not depend on the path).
    const staging = await session.stagingName(target, 'run-one');
    await session.stageQuery(staging, 'SELECT range AS n, range % 2 = 0 AS even FROM range(5)');
    assert.deepEqual(await session.profile(staging), profile);
    await session.dropRelation(staging);
    await assert.rejects(session.publishQuery(target, `SELECT 'x'::INTEGER AS n`), /Conversion Error/);
    assert.deepEqual(await session.query('SELECT count(*) AS n FROM cat.one_step'), [{ n: 5 }]);
  });

  it('profiles a small table from its rows as the aggregate profile does (distinct counts exact), for every type it orders itself, and in SQL otherwise', async () => {
    const values = [
      `(1::TINYINT, -5::SMALLINT, 7, -9007199254740993::BIGINT, 18446744073709551615::UBIGINT, -170141183460469231731687303715884105727::HUGEINT,
        1.5::FLOAT, -0.25::DOUBLE, true, 'é', DATE '2001-01-31', TIME '23:59:59.5', TIMESTAMP '2001-01-01 00:00:00', TIMESTAMPTZ '2001-01-01 00:00:00+00',
        '2001-01-01'::TIMESTAMP_S, '2001-01-01 00:00:00.123'::TIMESTAMP_MS, '2001-01-01 00:00:00.123456789'::TIMESTAMP_NS, 12.345::DECIMAL(18,3))`,
      `(-3, 5, NULL, 2, 0, 3, -1e30, 1e300, false, '😀', DATE '1999-12-31', TIME '00:00:00', TIMESTAMP '2024-02-29 12:00:00', TIMESTAMPTZ '1970-01-01 00:00:00+00',
        '1900-01-01'::TIMESTAMP_S, '2100-01-01'::TIMESTAMP_MS, '2001-01-01 00:00:00.123456788'::TIMESTAMP_NS, -0.001)`,
      `(NULL, 5, 7, NULL, 1, NULL, NULL, NULL, NULL, 'Z', 'infinity'::DATE, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
      `(0, 0, 0, 0, 0, 0, 0, 0, true, 'z', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0)`,
    ];
    const columns = 'a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r';
    for (const [name, sql] of [
      ['rows_typed', `SELECT * FROM (VALUES ${values.join(', ')}) AS v(${columns})`],
      ['rows_empty', `SELECT * FROM (VALUES ${values[0]}) AS v(${columns}) LIMIT 0`],
      ['rows_nan', `SELECT * FROM (VALUES (1, 'nan'::DOUBLE), (2, 3.0)) AS v(a, b)`],
      ['rows_nested', `SELECT [1, 2] AS l, {'x': 1} AS s, 'ok' AS v`],
    ] as const) {
      const target = { schema: 'cat', name };
      const fromRows = (await session.publishQuery(target, sql))!;
      const fromSql = await session.profile(target);
      const withoutDistinct = (p: TableProfile) => ({ ...p, columns: p.columns.map(({ distinctApprox: _, distinctExact: __, ...c }) => c) });
      // NaN and nested values send the profile to SQL, which estimates the counts of a table this small (exactly here).
      const profiledInSql = name === 'rows_nan' || name === 'rows_nested';
      assert.equal(
        fromRows.columns.every((c) => c.distinctExact),
        !profiledInSql,
        name,
      );
      assert.deepEqual(withoutDistinct(fromRows), withoutDistinct(fromSql), name);
      const exact = await session.query<{ n: number }>(`SELECT count(DISTINCT COLUMNS(*)) FROM cat.${name}`);
      assert.deepEqual(
        fromRows.columns.map((c) => c.distinctApprox),
        Object.values(exact[0]!),
        `${name}: distinct counts`,
      );
    }
  });

  it("counts a large table's (200,000 rows or more) low-cardinality columns and booleans exactly, by DuckDB's own estimate, and estimates the others", async () => {
    const target = { schema: 'cat', name: 'distinct_plan' };
    const sql = `SELECT i AS id, i % 7 AS weekday, 'region-' || (i % 40) AS region, i % 3 = 0 AS flag FROM range(200000) AS r(i)`;
    const profile = (await session.publishQuery(target, sql))!;
    const byName = new Map(profile.columns.map((c) => [c.name, c]));
    assert.deepEqual(
      ['weekday', 'region', 'flag'].map((name) => [name, byName.get(name)!.distinctApprox, byName.get(name)!.distinctExact]),
      [
        ['weekday', 7, true],
        ['region', 40, true],
        ['flag', 2, true],
      ],
    );
    const id = byName.get('id')!;
    assert.equal(id.distinctExact, false);
    assert.ok(Math.abs(id.distinctApprox! - 200_000) < 20_000, `HyperLogLog estimate ${id.distinctApprox}`);
    // One row fewer, and exact counts no longer pay for their fixed cost: every column is estimated, in one statement.
    const smaller = (await session.publishQuery({ schema: 'cat', name: 'distinct_unplanned' }, sql.replace('range(200000)', 'range(199999)')))!;
    assert.deepEqual(
      smaller.columns.map((c) => [c.name, c.distinctExact]),
      ['id', 'weekday', 'region', 'flag'].map((name) => [name, false]),
    );
    assert.equal(smaller.columns.find((c) => c.name === 'region')!.distinctApprox, 40);
  });

  it('binds named parameters', async () => {
    const target = { schema: 'cat', name: 'one_step_bound' };
    assert.equal((await session.publishQuery(target, 'SELECT $run_id AS run', { run_id: 'r-1' }))!.rowCount, 1);
    assert.deepEqual(await session.query('SELECT * FROM cat.one_step_bound'), [{ run: 'r-1' }]);
  });

  it('declines, changing nothing, SQL of several statements and a target that is a view (the staging path handles both)', async () => {
    const target = { schema: 'cat', name: 'one_step_declined' };
    await session.publishView(target, 'SELECT 1 AS v');
    assert.equal(await session.publishQuery(target, 'SELECT 2 AS v'), undefined);
    assert.equal(await kindOf('cat', 'one_step_declined'), 'VIEW');
    assert.equal(await session.publishQuery({ schema: 'cat', name: 'one_step_two' }, 'SELECT 1 AS v; SELECT 2 AS v'), undefined);
    assert.equal(await session.describe({ schema: 'cat', name: 'one_step_two' }), undefined);
  });
});

describe('DuckDB warehouse sessions', () => {
  it("write a query's table in any row order but an ORDER BY's, leaving no row group for a checkpoint to rewrite; a caller's SQL, on that session or the next, keeps DuckDB's order", async () => {
    const rowGroups = async (name: string) =>
      Number((await session.query<{ n: number }>(`SELECT count(DISTINCT row_group_id) AS n FROM pragma_storage_info('cat.${name}')`))[0]!.n);
    // Parquet row groups of 150,000 rows: kept in order, each would end in a partly filled row group of DuckDB's 122,880
    // (in any order, each thread fills its own and leaves at most its last one partly filled).
    const file = join(dir, 'ordered.parquet');
    await session.exec(`COPY (SELECT i, i % 7 AS k FROM range(1000000) AS r(i)) TO '${file}' (ROW_GROUP_SIZE 150000)`);
    await session.exec('CHECKPOINT');
    await session.publishQuery({ schema: 'cat', name: 'any_order' }, `SELECT * FROM read_parquet('${file}')`);
    const staging = await session.stagingName({ schema: 'cat', name: 'sorted' }, 'run-order');
    await session.stageQuery(staging, `SELECT i FROM read_parquet('${file}') ORDER BY i DESC`);
    await session.publishTable(staging, { schema: 'cat', name: 'sorted' });
    const written = [await rowGroups('any_order'), await rowGroups('sorted')];
    await session.exec('CHECKPOINT');
    assert.deepEqual([await rowGroups('any_order'), await rowGroups('sorted')], written, 'the checkpoint merged nothing');
    const [order] = await session.query<{ unsorted: number }>(
      'SELECT count(*) AS unsorted FROM (SELECT i, lag(i) OVER (ORDER BY rowid) AS before FROM cat.sorted) WHERE i > before',
    );
    assert.equal(Number(order!.unsorted), 0, 'stored in the ORDER BY order');
    const setting = `SELECT current_setting('preserve_insertion_order') AS kept`;
    assert.deepEqual(await session.query(setting), [{ kept: true }]);
    const first = await warehouse.session();
    await first.publishQuery({ schema: 'cat', name: 'any_order_small' }, 'SELECT 1 AS x');
    first.close();
    const next = await warehouse.session();
    try {
      assert.deepEqual(await next.query(setting), [{ kept: true }], 'the next session on that connection');
    } finally {
      next.close();
    }
  });

  it("hand a closed session's connection to the next one only if no caller's SQL ran on it: settings and temp tables never carry over", async () => {
    const project = join(dir, 'reuse');
    mkdirSync(join(project, 'data'), { recursive: true });
    writeFileSync(join(project, 'data', 'points.csv'), 'id\n1\n');
    const scoped = await DuckDbWarehouse.open({ path: join(dir, 'reuse.duckdb'), fileSearchPath: project });
    try {
      const first = await scoped.session();
      await first.ensureSchema('s');
      await first.publishQuery({ schema: 's', name: 'a' }, 'SELECT 1 AS x');
      first.close();
      const second = await scoped.session();
      await second.exec(`SET file_search_path = '/nonexistent'`);
      await second.exec('CREATE TEMP TABLE scratch AS SELECT 1 AS x');
      second.close();
      for (let i = 0; i < 3; i++) {
        const next = await scoped.session();
        try {
          assert.deepEqual(await next.query(`SELECT count(*) AS n FROM read_csv('data/points.csv')`), [{ n: 1 }]);
          await assert.rejects(next.query('SELECT * FROM scratch'), /scratch/);
        } finally {
          next.close();
        }
      }
    } finally {
      await scoped.close();
    }
  });

  it('resolve relative file paths against the project folder, and keep their own settings and temp tables to themselves', async () => {
    const project = join(dir, 'project');
    mkdirSync(join(project, 'data'), { recursive: true });
    writeFileSync(join(project, 'data', 'points.csv'), 'id,label\n1,a\n2,b\n');
    const scoped = await DuckDbWarehouse.open({ path: join(dir, 'scoped.duckdb'), fileSearchPath: project });
    try {
      const first = await scoped.session();
      assert.deepEqual(await first.query(`SELECT count(*) AS n FROM read_csv('data/points.csv')`), [{ n: 2 }]);
      await first.exec(`SET file_search_path = '/nonexistent'`);
      await first.exec('CREATE TEMP TABLE scratch AS SELECT 1 AS x');
      await assert.rejects(first.query(`SELECT count(*) AS n FROM read_csv('data/points.csv')`));
      const second = await scoped.session();
      try {
        assert.deepEqual(await second.query(`SELECT count(*) AS n FROM read_csv('data/points.csv')`), [{ n: 2 }]);
        await assert.rejects(second.query('SELECT * FROM scratch'), /scratch/);
      } finally {
        second.close();
        first.close();
      }
    } finally {
      await scoped.close();
    }
  });
});
