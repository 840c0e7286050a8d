// Parquet ingestion against a real in-memory DuckDB: lossy casts, nulls, duplicate keys, drift, corrupt files, accounting.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ingestParquet } from '../../src/ingest/parquet-ingest.js';
import type { ParquetIngestOptions } from '../../src/ingest/parquet-ingest.js';
import type { IngestColumn } from '../../src/ingest/ingest-columns.js';
import { ErrorBudgetExceededError } from '../../src/ingest/quarantine-load.js';
import type { IngestResult } from '../../src/ingest/quarantine-load.js';
import { ingestTestbed, tableExists, temporaryTables } from './ingest-fixtures.js';

const bed = ingestTestbed();

const COLUMNS: IngestColumn[] = [
  { name: 'id', type: 'INTEGER', required: true },
  { name: 'name', type: 'VARCHAR' },
  { name: 'amount', type: 'DOUBLE' },
  { name: 'day', type: 'DATE' },
];

/** Writes a Parquet file from a SELECT, with DuckDB itself. */
async function parquet(name: string, select: string): Promise<string> {
  const file = `${bed.dir.path}/${name}`;
  await bed.db.exec(`COPY (${select}) TO '${file}' (FORMAT parquet)`);
  return file;
}

function ingest(files: string[], options: Partial<ParquetIngestOptions> = {}): Promise<IngestResult> {
  return ingestParquet(bed.db, { files, columns: COLUMNS, key: ['id'], target: 'target', quarantine: 'target_quarantine', ...options });
}

async function quarantine(): Promise<{ offset: number; type: string; column: string | null; raw: string }[]> {
  const rows = await bed.db.query('SELECT _row_offset, _error_type, _column, _raw_line FROM target_quarantine ORDER BY _source_file, _row_offset');
  return rows.map((row) => ({
    offset: Number(row._row_offset),
    type: String(row._error_type),
    column: row._column === null ? null : String(row._column),
    raw: String(row._raw_line),
  }));
}

/** Source columns typed loosely (text ids and days, a BIGINT amount), as exports from other systems often are. */
const LOOSE = `SELECT * FROM (VALUES
  ('1', 'alpha', 10::BIGINT, '2024-01-01'),
  ('2', 'beta', NULL, '2024-01-02'),
  ('x3', 'gamma', 1, '2024-01-03'),
  ('4.5', 'delta', 1, '2024-01-04'),
  (NULL, 'eps', 1, '2024-01-05'),
  ('6', 'zeta', 1, '2024-02-30'),
  ('7', 'eta', 1, '2024-01-07 10:30:00'),
  ('1', 'alpha again', 1, '2024-01-01')
) AS t(id, name, amount, day)`;

describe('ingestParquet on loosely typed columns', () => {
  it('loads the rows that convert, typed, with their file and row offset', async () => {
    const file = await parquet('loose.parquet', LOOSE);
    const result = await ingest([file]);
    assert.deepEqual([result.read, result.accepted, result.quarantined, result.skipped], [8, 2, 6, 0]);
    const rows = await bed.db.query('SELECT id, name, amount, day::VARCHAR AS day, _source_file, _row_offset FROM target ORDER BY id');
    assert.deepEqual(
      rows.map((row) => [row.id, row.name, row.amount, row.day, row._source_file, Number(row._row_offset)]),
      [
        [1, 'alpha', 10, '2024-01-01', file, 0],
        [2, 'beta', null, '2024-01-02', file, 1],
      ],
    );
    const types = await bed.db.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'target' ORDER BY ordinal_position`);
    assert.deepEqual(
      types.slice(0, 4).map((row) => row.data_type),
      ['INTEGER', 'VARCHAR', 'DOUBLE', 'DATE'],
    );
  });

  it('quarantines each bad row with its offset, error type, column and values as JSON', async () => {
    await ingest([await parquet('loose.parquet', LOOSE)]);
    const rows = await quarantine();
    assert.deepEqual(
      rows.map((row) => [row.offset, row.type, row.column]),
      [
        [2, 'bad_cast', 'id'],
        [3, 'bad_cast', 'id'],
        [4, 'null_required', 'id'],
        [5, 'bad_cast', 'day'],
        [6, 'bad_cast', 'day'],
        [7, 'duplicate_key', 'id'],
      ],
    );
    assert.deepEqual(JSON.parse(rows[0]?.raw ?? ''), { id: 'x3', name: 'gamma', amount: 1, day: '2024-01-03' });
    assert.deepEqual(await temporaryTables(bed.db), []);
  });
});

describe('ingestParquet on natively typed columns', () => {
  it('quarantines lossy conversions (a fraction into an integer, an overflow, a timestamp with a time into a date)', async () => {
    const file = await parquet(
      'typed.parquet',
      `SELECT * FROM (VALUES (1::BIGINT, 1.0::DOUBLE, TIMESTAMP '2024-01-01 00:00:00'), (2, 2.5, TIMESTAMP '2024-01-02 00:00:00'),
        (3000000000, 3.0, TIMESTAMP '2024-01-03 00:00:00'), (4, 4.0, TIMESTAMP '2024-01-04 12:00:00')) AS t(id, amount, day)`,
    );
    const columns: IngestColumn[] = [
      { name: 'id', type: 'INTEGER', required: true },
      { name: 'amount', type: 'INTEGER' },
      { name: 'day', type: 'DATE' },
    ];
    const result = await ingest([file], { columns });
    assert.deepEqual([result.accepted, result.quarantined], [1, 3]);
    assert.deepEqual(
      (await quarantine()).map((row) => [row.offset, row.type, row.column]),
      [
        [1, 'bad_cast', 'amount'],
        [2, 'bad_cast', 'id'],
        [3, 'bad_cast', 'day'],
      ],
    );
  });
});

describe('ingestParquet across files and contracts', () => {
  it('finds duplicate keys across files in name order', async () => {
    await parquet('b-1.parquet', `SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS t(id, name)`);
    const second = await parquet('b-2.parquet', `SELECT * FROM (VALUES (2, 'b again'), (3, 'c')) AS t(id, name)`);
    const result = await ingest([`${bed.dir.path}/b-*.parquet`], { schemaContract: 'evolve' });
    assert.deepEqual([result.files, result.accepted, result.quarantined], [2, 3, 1]);
    const [dup] = await bed.db.query('SELECT _source_file, _row_offset, _error_type FROM target_quarantine');
    assert.deepEqual([dup?._source_file, Number(dup?._row_offset), dup?._error_type], [second, 0, 'duplicate_key']);
  });

  it('evolve adds a new column with its Parquet type; ignore_extra fails on a missing column; discard_row quarantines the file', async () => {
    const good = await parquet('c-1.parquet', `SELECT 1 AS id, 'a' AS name, 1.5 AS amount, DATE '2024-01-01' AS day`);
    const drifted = await parquet('c-2.parquet', `SELECT 2 AS id, 'b' AS name, 7::BIGINT AS site_id, DATE '2024-01-02' AS day`);
    const evolved = await ingest([good, drifted], { schemaContract: 'evolve' });
    assert.deepEqual(evolved.drift, [{ file: drifted, added: ['site_id'], missing: ['amount'] }]);
    const rows = await bed.db.query('SELECT id, amount, site_id, typeof(site_id) AS t FROM target ORDER BY id');
    assert.deepEqual(
      rows.map((row) => [row.id, row.amount, row.site_id, row.t]),
      [
        [1, 1.5, null, 'BIGINT'],
        [2, null, 7n, 'BIGINT'],
      ],
    );
    await bed.db.exec('DROP TABLE target; DROP TABLE target_quarantine');

    await assert.rejects(ingest([good, drifted]), /c-2\.parquet: its schema \(id, name, site_id, day\) lacks column\(s\) amount/);
    assert.equal(await tableExists(bed.db, 'target'), false);

    const discarded = await ingest([good, drifted], { schemaContract: 'discard_row' });
    assert.deepEqual([discarded.accepted, discarded.quarantined], [1, 1]);
    assert.deepEqual(
      (await quarantine()).map((row) => [row.type, row.column]),
      [['schema_drift', 'added site_id; missing amount']],
    );
  });

  it('fails, naming the file and creating nothing, when a file is not Parquet', async () => {
    const good = await parquet('d-1.parquet', `SELECT 1 AS id`);
    const broken = bed.dir.write('d-2.parquet', 'this is not a parquet file\n');
    await assert.rejects(ingest([good, broken], { columns: [{ name: 'id', type: 'INTEGER' }] }), /cannot read Parquet files .*d-2\.parquet/);
    assert.equal(await tableExists(bed.db, 'target'), false);
    assert.deepEqual(await temporaryTables(bed.db), []);
  });

  it('enforces the error budget, creating nothing', async () => {
    const file = await parquet('e.parquet', `SELECT CASE WHEN i % 10 = 0 THEN 'bad' ELSE i::VARCHAR END AS id FROM range(100) t(i)`);
    await assert.rejects(ingest([file], { columns: [{ name: 'id', type: 'INTEGER' }], errorBudgetPercent: 5 }), (error: unknown) => {
      assert.ok(error instanceof ErrorBudgetExceededError);
      assert.equal(error.result.quarantined, 10);
      assert.equal(error.result.accepted + error.result.quarantined, error.result.read);
      return true;
    });
    assert.equal(await tableExists(bed.db, 'target'), false);
  });
});
