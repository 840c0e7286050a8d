// CSV ingestion's one-pass load (DuckDB's CSV reader straight into the target) gives what the line-by-line path gives,
// and every file the reader would read differently, or any line with a defect, goes line by line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ingestCsv } from '../../src/ingest/csv-ingest.js';
import type { CsvColumn, CsvIngestResult } from '../../src/ingest/csv-ingest.js';
import { bytes, ingestTestbed, quarantineRows, recordingConnection } from './ingest-fixtures.js';

const bed = ingestTestbed();

const COLUMNS: CsvColumn[] = [
  { name: 'id', type: 'INTEGER', required: true },
  { name: 'name', type: 'VARCHAR' },
  { name: 'amount', type: 'DOUBLE' },
];

/** Ingests the files, telling which path loaded them from the statements that ran. */
async function ingest(files: string[], key: string[] = ['id']): Promise<{ result: CsvIngestResult; path: 'one pass' | 'line by line'; readerRan: boolean }> {
  const { connection, statements } = recordingConnection(bed.db);
  const result = await ingestCsv(connection, { files, columns: COLUMNS, key, target: 'target', quarantine: 'target_quarantine' });
  const readerRan = statements.some((sql) => sql.includes('read_csv('));
  return { result, path: statements.some((sql) => sql.includes('read_text(')) ? 'line by line' : 'one pass', readerRan };
}

async function loaded(): Promise<unknown[]> {
  return bed.db.query(
    `SELECT regexp_extract(_source_file, '[^/]+$') AS file, CAST(_line_number AS INTEGER) AS line, id, name, amount FROM target ORDER BY file, line`,
  );
}

describe('CSV ingestion in one pass', () => {
  it('loads clean files with each row at its file and line, columns found by header name, CRLF or not, with or without a final newline', async () => {
    const a = bed.dir.write('one-a.csv', 'amount,extra,id,name\n1.5,x,1,alpha\n,y,2,\n2.5,z,3, spaced \n');
    const b = bed.dir.write('one-b.csv', 'amount,extra,id,name\r\n3.5,x,4,delta\r\n4.5,y,5,epsilon');
    const empty = bed.dir.write('one-c.csv', 'amount,extra,id,name\n');
    const { result, path } = await ingest([a, b, empty]);
    assert.equal(path, 'one pass');
    assert.deepEqual(result, { read: 5, accepted: 5, quarantined: 0, skipped: 0, byReason: {}, files: 3, drift: result.drift });
    assert.deepEqual(await loaded(), [
      { file: 'one-a.csv', line: 2, id: 1, name: 'alpha', amount: 1.5 },
      { file: 'one-a.csv', line: 3, id: 2, name: null, amount: null },
      { file: 'one-a.csv', line: 4, id: 3, name: ' spaced ', amount: 2.5 },
      { file: 'one-b.csv', line: 2, id: 4, name: 'delta', amount: 3.5 },
      { file: 'one-b.csv', line: 3, id: 5, name: 'epsilon', amount: 4.5 },
    ]);
    assert.deepEqual(await quarantineRows(bed.db, 'target_quarantine'), []);
  });

  it('numbers the rows of large files (read in parallel) by their line, file by file', async () => {
    const big = (name: string, lines: number, first: number) =>
      bed.dir.write(name, ['id,name,amount', ...Array.from({ length: lines }, (_, i) => `${first + i},line-${i + 2},${i % 1000}.5`)].join('\n') + '\n');
    const files = [big('big-a.csv', 400_000, 0), big('big-b.csv', 300_000, 1_000_000)];
    const { result, path } = await ingest(files);
    assert.equal(path, 'one pass');
    assert.equal(result.accepted, 700_000);
    const [wrong] = await bed.db.query(
      `SELECT count(*) FILTER (WHERE name <> 'line-' || _line_number) AS n, count(DISTINCT _source_file) AS files FROM target`,
    );
    assert.deepEqual(wrong, { n: 0n, files: 2n });
  });

  it('creates the same tables, column for column and type for type, as the line-by-line path', async () => {
    const clean = bed.dir.write('types-clean.csv', 'id,name,amount\n1,a,1.5\n');
    await ingest([clean]);
    const types = async () =>
      bed.db.query(
        `SELECT table_name AS t, column_name AS c, data_type AS type FROM information_schema.columns WHERE table_name LIKE 'target%' ORDER BY t, ordinal_position`,
      );
    const onePass = await types();
    await bed.db.exec('DROP TABLE target; DROP TABLE target_quarantine');
    const quoted = bed.dir.write('types-quoted.csv', 'id,name,amount\n1,"a",1.5\n');
    assert.equal((await ingest([quoted])).path, 'line by line');
    const lineByLine = await types();
    assert.deepEqual(onePass, lineByLine);
    assert.ok(onePass.some((row) => row.t === 'target' && row.c === '_source_file' && row.type === 'VARCHAR'));
  });

  const LINE_BY_LINE: [string, string | Uint8Array, Partial<CsvIngestResult>][] = [
    ['a quote inside an unquoted field', 'id,name,amount\n1,a"b,1\n', { accepted: 0, byReason: { bad_quoting: 1 } }],
    ['a trailing delimiter', 'id,name,amount\n1,a,1,\n2,b,2\n', { accepted: 1, byReason: { extra_columns: 1 } }],
    ['two trailing delimiters after an empty last field', 'id,name,amount\n1,a,,,\n2,b,2\n', { accepted: 1, byReason: { extra_columns: 1 } }],
    [
      'bytes that are not UTF-8 in a column not loaded',
      bytes('id,name,amount,extra\n1,a,1,', [0xc3, 0x28], '\n2,b,2,x\n'),
      { accepted: 1, byReason: { invalid_utf8: 1 } },
    ],
    ['a byte-order mark before a data line', bytes('id,name,amount\n', [0xef, 0xbb, 0xbf], '1,a,1\n'), { accepted: 1, byReason: {} }],
    ['a repeated header line', 'id,name,amount\n1,a,1\nid,name,amount\n2,b,2\n', { accepted: 2, byReason: { header_repeat: 1 } }],
    ['a repeated header line at the end', 'id,name,amount\n1,a,1\nid,name,amount', { accepted: 1, byReason: { header_repeat: 1 } }],
    ['a blank line', 'id,name,amount\n1,a,1\n\n2,b,2\n', { accepted: 2, byReason: { blank_line: 1 } }],
    ['a line of spaces', 'id,name,amount\n1,a,1\n   \n2,b,2\n', { accepted: 2, byReason: { blank_line: 1 } }],
    ['a lone carriage return', 'id,name,amount\n1,a\rb,1\n', { accepted: 1, byReason: {} }],
    ['too few fields', 'id,name,amount\n1,a\n2,b,2\n', { accepted: 1, byReason: { missing_columns: 1 } }],
    ['a value that does not convert', 'id,name,amount\n1,a,x\n2,b,2\n', { accepted: 1, byReason: { 'bad_cast:amount': 1 } }],
    ['a fraction in an integer column', 'id,name,amount\n1.5,a,1\n2,b,2\n', { accepted: 1, byReason: { 'bad_cast:id': 1 } }],
    ['a missing required value', 'id,name,amount\n,a,1\n2,b,2\n', { accepted: 1, byReason: { 'null_required:id': 1 } }],
    ['a repeated key', 'id,name,amount\n1,a,1\n1,b,2\n', { accepted: 1, byReason: { duplicate_key: 1 } }],
    ['bytes that are not UTF-8', bytes('id,name,amount\n1,', [0xc3, 0x28], ',1\n2,b,2\n'), { accepted: 1, byReason: { invalid_utf8: 1 } }],
  ];
  for (const [what, body, expected] of LINE_BY_LINE) {
    it(`goes line by line for ${what}`, async () => {
      const file = bed.dir.write(`tricky-${what.replaceAll(' ', '-')}.csv`, body);
      const { result, path } = await ingest([file]);
      assert.equal(path, 'line by line');
      assert.deepEqual({ accepted: result.accepted, byReason: result.byReason }, expected);
    });
  }

  it('loads empty values of every column, the last one included, in one pass as NULL', async () => {
    const file = bed.dir.write('empty-values.csv', 'id,name,amount\n1,,\n2,b,\n3,,3.5\n');
    const { result, path } = await ingest([file]);
    assert.equal(path, 'one pass');
    assert.equal(result.accepted, 3);
    assert.deepEqual(await loaded(), [
      { file: 'empty-values.csv', line: 2, id: 1, name: null, amount: null },
      { file: 'empty-values.csv', line: 3, id: 2, name: 'b', amount: null },
      { file: 'empty-values.csv', line: 4, id: 3, name: null, amount: 3.5 },
    ]);
  });

  it('goes line by line for a file whose first quote comes after the first megabyte, the rows read in vain dropped', async () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => `${i},name-${i},${i}.5`);
    const file = bed.dir.write('late-quote.csv', ['id,name,amount', ...lines, '100000,"quoted",1'].join('\n') + '\n');
    const { result, path, readerRan } = await ingest([file]);
    assert.equal(path, 'line by line');
    assert.ok(readerRan);
    assert.equal(result.accepted, 100_001);
    const [last] = await bed.db.query(`SELECT name, CAST(_line_number AS INTEGER) AS line FROM target WHERE id = 100000`);
    assert.deepEqual(last, { name: 'quoted', line: 100_002 });
  });

  it('reads an integer column again, its texts checked, when a fraction first shows past the first megabyte', async () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => `${i},name-${i},${i}.5`);
    const lossless = bed.dir.write('late-whole-fraction.csv', ['id,name,amount', ...lines, '100000.0,last,1'].join('\n') + '\n');
    const { connection, statements } = recordingConnection(bed.db);
    const result = await ingestCsv(connection, { files: [lossless], columns: COLUMNS, key: ['id'], target: 'target', quarantine: 'target_quarantine' });
    const reads = statements.filter((sql) => sql.includes('read_csv('));
    assert.equal(reads.length, 2);
    assert.match(reads[0]!, /'f1': 'INTEGER'/);
    assert.match(reads[1]!, /'f1': 'VARCHAR'/);
    assert.ok(!statements.some((sql) => sql.includes('read_text(')));
    assert.equal(result.accepted, 100_001);
    const [last] = await bed.db.query(`SELECT id, name, CAST(_line_number AS INTEGER) AS line FROM target WHERE id = 100000`);
    assert.deepEqual(last, { id: 100_000, name: 'last', line: 100_002 });
    await bed.db.exec('DROP TABLE target; DROP TABLE target_quarantine');

    const lossy = bed.dir.write('late-fraction.csv', ['id,name,amount', ...lines, '100000.5,last,1'].join('\n') + '\n');
    const { result: quarantined, path } = await ingest([lossy]);
    assert.equal(path, 'line by line');
    assert.deepEqual({ accepted: quarantined.accepted, byReason: quarantined.byReason }, { accepted: 100_000, byReason: { 'bad_cast:id': 1 } });
  });

  it('reads integers as text and checks them when watching them would cost the byte scan too much', async () => {
    // Every line holds an 'e' before the integer field: the scan would look at each line's first 27 bytes.
    const lines = Array.from({ length: 1_000 }, (_, i) => `${'e'.repeat(24)},${i},${i}.5`);
    const file = bed.dir.write('costly-watch.csv', ['name,id,amount', ...lines].join('\n') + '\n');
    const { connection, statements } = recordingConnection(bed.db);
    const result = await ingestCsv(connection, { files: [file], columns: COLUMNS, key: ['id'], target: 'target', quarantine: 'target_quarantine' });
    const reads = statements.filter((sql) => sql.includes('read_csv('));
    assert.equal(reads.length, 1);
    assert.match(reads[0]!, /'f2': 'VARCHAR'/);
    assert.equal(result.accepted, 1_000);
  });

  it('goes line by line when the files have different headers', async () => {
    const a = bed.dir.write('headers-a.csv', 'id,name,amount\n1,a,1\n');
    const b = bed.dir.write('headers-b.csv', 'name,id,amount\nb,2,2\n');
    const { result, path } = await ingest([a, b]);
    assert.equal(path, 'line by line');
    assert.equal(result.accepted, 2);
    assert.deepEqual(await loaded(), [
      { file: 'headers-a.csv', line: 2, id: 1, name: 'a', amount: 1 },
      { file: 'headers-b.csv', line: 2, id: 2, name: 'b', amount: 2 },
    ]);
  });

  it('goes line by line when tables need not keep the order rows are read in (row ids would not give the lines)', async () => {
    const file = bed.dir.write('unordered.csv', 'id,name,amount\n1,a,1\n2,b,2\n');
    await bed.db.exec('SET preserve_insertion_order = false');
    try {
      assert.equal((await ingest([file])).path, 'line by line');
    } finally {
      await bed.db.exec('RESET preserve_insertion_order');
    }
    assert.deepEqual(await loaded(), [
      { file: 'unordered.csv', line: 2, id: 1, name: 'a', amount: 1 },
      { file: 'unordered.csv', line: 3, id: 2, name: 'b', amount: 2 },
    ]);
  });
});
