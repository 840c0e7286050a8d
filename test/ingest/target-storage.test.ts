// The target as created for speed (columns declared from DESCRIBE, `_source_file` stored as a dictionary, then the rows
// inserted) is the table a plain CREATE TABLE AS of the same rows gives: same columns, order, types, no default, same
// rows; and a failure half way leaves no target behind, nor touches a table that was there before.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ingestParquet } from '../../src/ingest/parquet-ingest.js';
import type { IngestColumn } from '../../src/ingest/ingest-columns.js';
import { createTarget, createTargetSql } from '../../src/ingest/target-table.js';
import type { AcceptedRows, TargetShape, TargetTable } from '../../src/ingest/target-table.js';
import { ingestTestbed, recordingConnection, tableExists } from './ingest-fixtures.js';
import { openTestDuckDb } from '../checks/duckdb-test-connection.js';

const bed = ingestTestbed();

/** Every column of a table as the catalog has it: name, position, type, default, nullability. */
async function catalogOf(table: string, database = 'memory'): Promise<string[]> {
  const rows = await bed.db.query(
    `SELECT column_name, column_index, data_type, column_default, is_nullable FROM duckdb_columns()
     WHERE database_name = $1 AND table_name = $2 ORDER BY column_index`,
    [database, table],
  );
  return rows.map(
    (row) =>
      `${String(row.column_index)} ${String(row.column_name)} ${String(row.data_type)} default=${String(row.column_default)} null=${String(row.is_nullable)}`,
  );
}

/** Rows of `a` missing from `b` or the other way round, counting repeats. */
async function differingRows(a: string, b: string): Promise<number> {
  const [row] = await bed.db.query(
    `SELECT (SELECT count(*) FROM (FROM ${a} EXCEPT ALL FROM ${b})) + (SELECT count(*) FROM (FROM ${b} EXCEPT ALL FROM ${a})) AS n`,
  );
  return Number(row?.n);
}

async function parquet(name: string, select: string): Promise<string> {
  const file = `${bed.dir.path}/${name}`;
  await bed.db.exec(`COPY (${select}) TO '${file}' (FORMAT parquet)`);
  return file;
}

const COLUMNS: IngestColumn[] = [
  { name: 'id', type: 'INTEGER', required: true },
  { name: 'big', type: 'BIGINT' },
  { name: 'name', type: 'VARCHAR' },
];

describe('createTarget', () => {
  const files = ['/data/landing/a-2024-01-01.parquet', '/data/landing/b-2024-01-02.parquet'];
  const rows: AcceptedRows = { from: 'scratch_rows', where: 'keep', fileIndex: 'file_index', position: 'line_number' };
  // Extra columns of types whose names DESCRIBE spells out and the CREATE TABLE must read back.
  const shape: TargetShape = {
    extraColumns: {
      amount: 'CAST(id AS DECIMAL(18, 3)) / 8',
      tags: `['a', "Name With Space"]`,
      info: `{'k': id, 'odd name': "Name With Space"}`,
      at: "CAST(TIMESTAMP '2024-01-01 10:00:00' AS TIMESTAMPTZ)",
      mood: "CAST(CASE WHEN id > 1 THEN 'ok' ELSE 'bad' END AS ENUM('ok', 'bad'))",
      pairs: `MAP(['k'], [id])`,
      origin: "_source_file || ':' || _row_offset",
    },
  };
  const columns: IngestColumn[] = [
    { name: 'id', type: 'INTEGER' },
    { name: 'Name With Space', type: 'VARCHAR' },
  ];
  const table: TargetTable = { target: 'target', columns, files, positionColumn: '_row_offset', shape, rows };

  it('creates the table CREATE TABLE AS creates, with the same rows', async () => {
    await bed.db.exec(`CREATE OR REPLACE TEMP TABLE scratch_rows AS SELECT * FROM (VALUES
      (1, 'x', 1, 0::BIGINT, true), (2, NULL, 2, 5, true), (NULL, 'z', 1, 7, true), (4, 'w', 2, 9, false)
    ) AS t(c0, c1, file_index, line_number, keep)`);
    await bed.db.exec(createTargetSql({ ...table, target: 'expected' }));
    const written = await createTarget(bed.db, table);
    assert.equal(written, 3);
    assert.deepEqual(await catalogOf('target'), await catalogOf('expected'));
    assert.equal(await differingRows('target', 'expected'), 0);
    const [first] = await bed.db.query('SELECT _source_file, _row_offset FROM target WHERE id = 2');
    assert.deepEqual([first?._source_file, first?._row_offset], [files[1], 5n]);
    await bed.db.exec('DROP TABLE expected; DROP TABLE scratch_rows');
  });

  it('leaves no target when writing the rows fails, and leaves a table that was there before alone', async () => {
    await bed.db.exec(
      `CREATE OR REPLACE TEMP TABLE scratch_rows AS SELECT 1 AS c0, 'not a number' AS c1, 1 AS file_index, 0::BIGINT AS line_number, true AS keep`,
    );
    // Binds (DESCRIBE and CREATE TABLE succeed), fails on the first row.
    const failing: TargetShape = { extraColumns: { n: 'CAST("Name With Space" AS INTEGER)' } };
    await assert.rejects(createTarget(bed.db, { ...table, shape: failing }), /Conversion Error/);
    assert.equal(await tableExists(bed.db, 'target'), false);

    await bed.db.exec('CREATE TABLE target AS SELECT 42 AS answer');
    await assert.rejects(createTarget(bed.db, table), /already exists/);
    assert.deepEqual(await bed.db.query('SELECT answer FROM target'), [{ answer: 42 }]);
    await bed.db.exec('DROP TABLE scratch_rows');
  });
});

describe('the Parquet target', () => {
  it('has the declared columns, then _source_file and _row_offset, no defaults, and the accepted rows', async () => {
    const file = await parquet(
      'storage-clean.parquet',
      `SELECT * FROM (VALUES (1::BIGINT, 10::SMALLINT, 'a'), (2, NULL, 'b'), (3, 30, NULL)) AS t(id, big, name)`,
    );
    const result = await ingestParquet(bed.db, { files: [file], columns: COLUMNS, target: 'target', quarantine: 'target_quarantine' });
    assert.deepEqual([result.read, result.accepted, result.quarantined], [3, 3, 0]);
    assert.deepEqual(await catalogOf('target'), [
      '1 id INTEGER default=null null=true',
      '2 big BIGINT default=null null=true',
      '3 name VARCHAR default=null null=true',
      '4 _source_file VARCHAR default=null null=true',
      '5 _row_offset BIGINT default=null null=true',
    ]);
    const rows = await bed.db.query('SELECT * FROM target ORDER BY _row_offset');
    assert.deepEqual(
      rows.map((row) => [row.id, row.big, row.name, row._source_file, row._row_offset]),
      [
        [1, 10n, 'a', file, 0n],
        [2, null, 'b', file, 1n],
        [3, 30n, null, file, 2n],
      ],
    );
    // A clean load's quarantine is created empty, with the columns and types of a load that rejected rows.
    const clean = await catalogOf('target_quarantine');
    await bed.db.exec('DROP TABLE target; DROP TABLE target_quarantine');
    await ingestParquet(bed.db, {
      files: [await parquet('storage-one-bad.parquet', `SELECT NULL::BIGINT AS id, 1 AS big, 'a' AS name`)],
      columns: COLUMNS,
      target: 'target',
      quarantine: 'target_quarantine',
    });
    assert.deepEqual(await catalogOf('target_quarantine'), clean);
  });

  it('accepts integers that fit the declared integer type and quarantines the rest, from every integer type', async () => {
    const file = await parquet(
      'storage-integers.parquet',
      `SELECT * FROM (VALUES
        (1::BIGINT, 1::UBIGINT, 'fits'),
        (2147483647, 9223372036854775807, 'both at their maximum'),
        (2147483648, 1, 'id over INTEGER'),
        (-2147483649, 1, 'id under INTEGER'),
        (5, 9223372036854775808, 'big over BIGINT'),
        (NULL, 1, 'id missing')
      ) AS t(id, big, name)`,
    );
    const result = await ingestParquet(bed.db, { files: [file], columns: COLUMNS, target: 'target', quarantine: 'target_quarantine' });
    assert.deepEqual([result.read, result.accepted, result.quarantined], [6, 2, 4]);
    assert.equal(result.accepted + result.quarantined, result.read);
    assert.deepEqual(result.byReason, { 'bad_cast:id': 2, 'bad_cast:big': 1, 'null_required:id': 1 });
    const accepted = await bed.db.query('SELECT id, big, _row_offset FROM target ORDER BY _row_offset');
    assert.deepEqual(
      accepted.map((row) => [row.id, row.big, row._row_offset]),
      [
        [1, 1n, 0n],
        [2147483647, 9223372036854775807n, 1n],
      ],
    );
    const quarantined = await bed.db.query('SELECT _row_offset, _error_type, _column, _raw_line FROM target_quarantine ORDER BY _row_offset');
    assert.deepEqual(
      quarantined.map((row) => [row._row_offset, row._error_type, row._column]),
      [
        [2n, 'bad_cast', 'id'],
        [3n, 'bad_cast', 'id'],
        [4n, 'bad_cast', 'big'],
        [5n, 'null_required', 'id'],
      ],
    );
    assert.deepEqual(JSON.parse(String(quarantined[0]?._raw_line)), { id: 2147483648, big: 1, name: 'id over INTEGER' });
  });

  it('adds evolved columns of nested types (with field names to quote) as Parquet has them', async () => {
    const file = await parquet(
      'storage-evolved.parquet',
      `SELECT 1::BIGINT AS id, 2 AS big, 'a' AS name, {'x': 1.5::DECIMAL(9, 2), 'y z': ['p', 'q']} AS nested, TIMESTAMPTZ '2024-01-01 10:00:00+00' AS at`,
    );
    await ingestParquet(bed.db, { files: [file], columns: COLUMNS, target: 'target', quarantine: 'target_quarantine', schemaContract: 'evolve' });
    assert.deepEqual((await catalogOf('target')).slice(3), [
      '4 nested STRUCT(x DECIMAL(9,2), "y z" VARCHAR[]) default=null null=true',
      '5 at TIMESTAMP WITH TIME ZONE default=null null=true',
      '6 _source_file VARCHAR default=null null=true',
      '7 _row_offset BIGINT default=null null=true',
    ]);
    const [row] = await bed.db.query('SELECT CAST(nested AS VARCHAR) AS nested, _source_file FROM target');
    assert.deepEqual([row?.nested, row?._source_file], [`{'x': 1.50, 'y z': [p, q]}`, file]);
  });

  for (const storage of ['v0.10.2', 'latest']) {
    it(`stores _source_file as a dictionary in a database of storage version ${storage}`, async () => {
      const database = `storage_${storage.replace(/\W/g, '_')}`;
      await bed.db.exec(`ATTACH '${bed.dir.path}/${database}.duckdb' AS ${database} (STORAGE_VERSION '${storage}')`);
      try {
        const file = await parquet(`storage-${database}.parquet`, `SELECT range::BIGINT AS id, range AS big, 'n' || range AS name FROM range(5000)`);
        const target = `${database}.target`;
        const { connection, statements } = recordingConnection(bed.db);
        const result = await ingestParquet(connection, { files: [file], columns: COLUMNS, target, quarantine: `${database}.target_quarantine` });
        assert.equal(result.accepted, 5000);
        const compression = storage === 'latest' ? 'dict_fsst' : 'dictionary';
        assert.ok(
          statements.some((sql) => sql.startsWith(`CREATE TABLE ${target} (`) && sql.includes(`"_source_file" VARCHAR USING COMPRESSION ${compression}`)),
        );
        await bed.db.exec(`CHECKPOINT ${database}`);
        const [stored] = await bed.db.query(
          `SELECT list(DISTINCT compression) AS compressions FROM pragma_storage_info('${target}') WHERE column_name = '_source_file' AND segment_type = 'VARCHAR'`,
        );
        assert.deepEqual(stored?.compressions, [storage === 'latest' ? 'DICT_FSST' : 'Dictionary']);
        await bed.db.exec(
          `CREATE TABLE ${database}.expected AS SELECT id::INTEGER AS id, big, name, '${file}' AS _source_file, id AS _row_offset FROM read_parquet('${file}')`,
        );
        assert.deepEqual(await catalogOf('target', database), await catalogOf('expected', database));
        assert.equal(await differingRows(target, `${database}.expected`), 0);
      } finally {
        await bed.db.exec(`DETACH ${database}`);
      }
    });
  }
});

describe('the target in a database file', () => {
  it("fills its row groups as it writes, so a checkpoint has none to rewrite, and puts the caller's insertion order back", async () => {
    const db = await openTestDuckDb(`${bed.dir.path}/order.duckdb`);
    try {
      // Parquet row groups of 150,000 rows: written in their order, each would end in a partly filled row group of
      // DuckDB's 122,880, which the checkpoint merges.
      const file = `${bed.dir.path}/ordered.parquet`;
      await db.exec(`COPY (SELECT i::INTEGER AS id, i * 2 AS big, 'n' || (i % 10) AS name FROM range(1000000) AS r(i)) TO '${file}' (ROW_GROUP_SIZE 150000)`);
      const rowGroups = async () => Number((await db.query(`SELECT count(DISTINCT row_group_id) AS n FROM pragma_storage_info('target')`))[0]?.n);
      const kept = async () => (await db.query(`SELECT current_setting('preserve_insertion_order') AS kept`))[0]?.kept;
      for (const callerKeepsOrder of [true, false]) {
        await db.exec(`DROP TABLE IF EXISTS target; DROP TABLE IF EXISTS target_quarantine; SET preserve_insertion_order = ${callerKeepsOrder}; CHECKPOINT`);
        const result = await ingestParquet(db, { files: [file], columns: COLUMNS, target: 'target', quarantine: 'target_quarantine' });
        assert.equal(result.accepted, 1_000_000);
        const written = await rowGroups();
        await db.exec('CHECKPOINT');
        assert.equal(await rowGroups(), written, 'the checkpoint merged no row group');
        assert.equal(await kept(), callerKeepsOrder, "the caller's setting");
        const [positions] = await db.query(
          `SELECT count(DISTINCT _row_offset) AS n, min(_row_offset) AS lo, max(_row_offset) AS hi FROM target WHERE id = _row_offset`,
        );
        assert.deepEqual([positions?.n, positions?.lo, positions?.hi].map(Number), [1_000_000, 0, 999_999], 'each row keeps its own position');
      }
    } finally {
      db.close();
    }
  });
});
