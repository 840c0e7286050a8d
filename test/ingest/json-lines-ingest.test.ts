// JSON-lines ingestion against a real in-memory DuckDB: every defect kind, accounting, contracts and budgets.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ingestJsonLines } from '../../src/ingest/json-lines-ingest.js';
import type { JsonLinesIngestOptions } from '../../src/ingest/json-lines-ingest.js';
import type { IngestColumn } from '../../src/ingest/ingest-columns.js';
import { ErrorBudgetExceededError } from '../../src/ingest/quarantine-load.js';
import type { IngestResult } from '../../src/ingest/quarantine-load.js';
import { SluiceError } from '../../src/errors.js';
import { bytes, ingestTestbed, quarantineRows, tableExists, temporaryTables } from './ingest-fixtures.js';

const bed = ingestTestbed();

const COLUMNS: IngestColumn[] = [
  { name: 'id', type: 'INTEGER', required: true },
  { name: 'name', type: 'VARCHAR' },
  { name: 'amount', type: 'DOUBLE' },
  { name: 'day', type: 'DATE' },
  { name: 'ok', type: 'BOOLEAN' },
];

function ingest(files: string[], options: Partial<JsonLinesIngestOptions> = {}): Promise<IngestResult> {
  return ingestJsonLines(bed.db, { files, columns: COLUMNS, key: ['id'], target: 'target', quarantine: 'target_quarantine', ...options });
}

function assertBalanced(result: IngestResult): void {
  assert.equal(result.accepted + result.quarantined + result.skipped, result.read);
  assert.equal(
    Object.values(result.byReason).reduce((sum, n) => sum + n, 0),
    result.quarantined + result.skipped,
  );
}

const DEFECTS = bytes(
  '\uFEFF{"id": 1, "name": "alpha", "amount": 1.5, "day": "2024-01-01", "ok": true}\n', // 1: good, behind a byte-order mark
  '{"id": 2, "name": "beta, \\"the second\\"", "amount": 2, "ok": false}\n', // 2: good, escaped quotes, absent optional key
  '{"id": 3, "name": null, "amount": null, "day": null, "ok": null}\n', // 3: good, explicit nulls
  '{"id": 4, "name": "gamma", "amount": "abc"}\n', // 4: bad_cast:amount
  '{"id": 5.5, "name": "delta"}\n', // 5: bad_cast:id (a fraction is not an integer)
  '{"name": "eps"}\n', // 6: missing_columns:id
  '{"id": null, "name": "zeta"}\n', // 7: null_required:id
  '{"id": 6, "name": "eta", "amount": 1,\n', // 8: bad_json (truncated)
  '[1, 2, 3]\n', // 9: not_an_object
  '{"id": 7, "name": "th',
  [0xff],
  'eta"}\n', // 10: invalid_utf8
  '{"id": 8, "name": {"first": "iota"}}\n', // 11: bad_cast:name (an object where a string belongs)
  '{"id": 9, "id": 10, "name": "kappa"}\n', // 12: duplicate_field
  '{"id": 1, "name": "alpha again"}\n', // 13: duplicate_key
  '\n', // 14: blank line, skipped
  '{"id": 11, "day": "2024-01-06 10:30:00"}\n', // 15: bad_cast:day (would drop the time)
  '{"id": 12, "name": "lambda", "site": "north"}\r\n', // 16: good (extra key ignored by default), CRLF
  '{"id": "13", "amount": 1e3, "ok": "true"}', // 17: good, numbers as strings are cast, no final newline
);

describe('ingestJsonLines on a file with every defect kind', () => {
  it('accepts the good lines with their values, types and provenance', async () => {
    const file = bed.dir.write('defects.jsonl', DEFECTS);
    await ingest([file]);
    const rows = await bed.db.query('SELECT * FROM target ORDER BY _line_number');
    assert.deepEqual(
      rows.map((row) => [row.id, row.name, row.amount, row.ok, Number(row._line_number), row._source_file]),
      [
        [1, 'alpha', 1.5, true, 1, file],
        [2, 'beta, "the second"', 2, false, 2, file],
        [3, null, null, null, 3, file],
        [12, 'lambda', null, null, 16, file],
        [13, null, 1000, true, 17, file],
      ],
    );
  });

  it('quarantines each bad line with its line number, error type, column and raw text', async () => {
    const file = bed.dir.write('defects.jsonl', DEFECTS);
    await ingest([file]);
    const rows = await quarantineRows(bed.db, 'target_quarantine');
    assert.deepEqual(
      rows.map((row) => [row.line, row.type, row.column]),
      [
        [4, 'bad_cast', 'amount'],
        [5, 'bad_cast', 'id'],
        [6, 'missing_columns', 'id'],
        [7, 'null_required', 'id'],
        [8, 'bad_json', null],
        [9, 'not_an_object', null],
        [10, 'invalid_utf8', null],
        [11, 'bad_cast', 'name'],
        [12, 'duplicate_field', 'id'],
        [13, 'duplicate_key', 'id'],
        [15, 'bad_cast', 'day'],
      ],
    );
    assert.equal(rows[0]?.raw, '{"id": 4, "name": "gamma", "amount": "abc"}');
    assert.equal(rows[6]?.raw, '{"id": 7, "name": "th\\xFFeta"}', 'a line that is not UTF-8 keeps its bytes, escaped');
  });

  it('accounts for every line: accepted + quarantined + skipped = read', async () => {
    const file = bed.dir.write('defects.jsonl', DEFECTS);
    const result = await ingest([file]);
    assertBalanced(result);
    assert.deepEqual([result.read, result.accepted, result.quarantined, result.skipped], [17, 5, 11, 1]);
    assert.equal(result.byReason['bad_cast:amount'], 1);
    assert.equal(result.byReason.blank_line, 1);
    assert.deepEqual(result.drift, [{ file, added: ['site'], missing: [] }]);
    assert.deepEqual(await temporaryTables(bed.db), [], 'no scratch table is left behind');
  });
});

describe('ingestJsonLines across files', () => {
  it('reads globs in name order, finds duplicate keys across files and names the file of each row', async () => {
    const first = bed.dir.write('batch-1.jsonl', '{"id": 1, "name": "a"}\n{"id": 2, "name": "b"}\n');
    const second = bed.dir.write('batch-2.jsonl', '{"id": 2, "name": "b again"}\n{"id": 3, "name": "c"}\n');
    const result = await ingest([`${bed.dir.path}/batch-*.jsonl`]);
    assert.deepEqual([result.files, result.accepted, result.quarantined], [2, 3, 1]);
    const rows = await bed.db.query('SELECT id, _source_file FROM target ORDER BY id');
    assert.deepEqual(
      rows.map((row) => [row.id, row._source_file]),
      [
        [1, first],
        [2, first],
        [3, second],
      ],
    );
    const [dup] = await bed.db.query('SELECT _source_file, _line_number, _error_type FROM target_quarantine');
    assert.deepEqual([dup?._source_file, Number(dup?._line_number), dup?._error_type], [second, 1, 'duplicate_key']);
  });

  it('fails with a clear error, creating nothing, for a missing file', async () => {
    await assert.rejects(ingest([`${bed.dir.path}/nope.jsonl`]), (error: unknown) => {
      assert.ok(error instanceof SluiceError);
      assert.match(error.message, /JSON lines file\(s\) not found: .*nope\.jsonl/);
      return true;
    });
    assert.equal(await tableExists(bed.db, 'target'), false);
  });
});

describe('ingestJsonLines error budget', () => {
  it('creates nothing and reports the accounting when the quarantined share is over budget', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: i, name: `n${i}` }));
    lines.push('{"id": "x"}', 'not json');
    const file = bed.dir.write('budget.jsonl', `${lines.join('\n')}\n`);
    await assert.rejects(ingest([file], { errorBudgetPercent: 1 }), (error: unknown) => {
      assert.ok(error instanceof ErrorBudgetExceededError);
      assert.match(error.message, /2 of 52 data rows \(3\.85 %\).*over the error budget of 1 %/);
      assertBalanced(error.result);
      return true;
    });
    assert.equal(await tableExists(bed.db, 'target'), false);
    assert.equal(await tableExists(bed.db, 'target_quarantine'), false);
    assert.deepEqual(await temporaryTables(bed.db), []);
    const result = await ingest([file], { errorBudgetPercent: 5 });
    assert.equal(result.quarantined, 2);
  });
});

describe('ingestJsonLines schema contracts', () => {
  const drifting = (): string => bed.dir.write('drift.jsonl', '{"id": 1, "name": "a"}\n{"id": 2, "name": "b", "site": "north", "tags": ["x"]}\n');

  it('evolve adds each new key as a VARCHAR column, objects and arrays as JSON text', async () => {
    const result = await ingest([drifting()], { schemaContract: 'evolve' });
    assert.deepEqual(
      result.drift.map((d) => d.added),
      [['site', 'tags']],
    );
    const rows = await bed.db.query('SELECT id, site, tags FROM target ORDER BY id');
    assert.deepEqual(
      rows.map((row) => [row.id, row.site, row.tags]),
      [
        [1, null, null],
        [2, 'north', '["x"]'],
      ],
    );
  });

  it('freeze fails on a new key, naming the file and the key, and creates nothing', async () => {
    const file = drifting();
    await assert.rejects(
      ingest([file], { schemaContract: 'freeze' }),
      new RegExp(`schema contract 'freeze'.*drift\\.jsonl \\(added site, tags\\).*nothing was loaded|nothing was loaded.*drift\\.jsonl \\(added site, tags\\)`),
    );
    assert.equal(await tableExists(bed.db, 'target'), false);
    assert.deepEqual(await temporaryTables(bed.db), []);
  });

  it('discard_row quarantines the lines with new keys as schema_drift, naming the keys', async () => {
    const result = await ingest([drifting()], { schemaContract: 'discard_row' });
    assertBalanced(result);
    assert.deepEqual([result.accepted, result.quarantined], [1, 1]);
    const rows = await quarantineRows(bed.db, 'target_quarantine');
    assert.deepEqual(
      rows.map((row) => [row.line, row.type, row.column]),
      [[2, 'schema_drift', 'added site, tags']],
    );
  });

  it('evolve refuses a key that differs from a column only in case, since DuckDB columns ignore case', async () => {
    const file = bed.dir.write('case.jsonl', '{"id": 1, "Name": "a"}\n');
    await assert.rejects(ingest([file], { schemaContract: 'evolve' }), /the key "Name" differs from "name" only in case/);
  });
});

describe('ingestJsonLines options', () => {
  it('rejects a key that is not a column and an unknown contract, naming the fix', async () => {
    await assert.rejects(ingest(['/x.jsonl'], { key: ['nope'] }), /JSON lines ingestion: key column "nope" is not one of the columns/);
    await assert.rejects(
      ingest(['/x.jsonl'], { schemaContract: 'loose' as never }),
      /schemaContract "loose" is not one of ignore_extra, evolve, freeze, discard_row/,
    );
  });
});
