// CSV ingestion against a real in-memory DuckDB: every defect kind, accounting, budgets, files and the seed's landing files.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ingestCsv } from '../../src/ingest/csv-ingest.js';
import { ErrorBudgetExceededError } from '../../src/ingest/quarantine-load.js';
import type { CsvColumn, CsvIngestOptions, CsvIngestResult } from '../../src/ingest/csv-ingest.js';
import { SluiceError } from '../../src/errors.js';
import { bytes, fixtureDir, ingestTestbed, quarantineRows, tableExists, temporaryTables } from './ingest-fixtures.js';

const SEED = '/work/shared/seed-data';

const bed = ingestTestbed();

const COLUMNS: CsvColumn[] = [
  { name: 'id', type: 'INTEGER', required: true },
  { name: 'name', type: 'VARCHAR' },
  { name: 'amount', type: 'DOUBLE' },
  { name: 'day', type: 'DATE' },
  { name: 'ok', type: 'BOOLEAN' },
  { name: 'uid', type: 'UUID' },
];
const UID = '48527327-6fd3-4599-b242-f3de287b1e38';

function ingest(files: string[], options: Partial<CsvIngestOptions> = {}): Promise<CsvIngestResult> {
  return ingestCsv(bed.db, { files, columns: COLUMNS, key: ['id'], target: 'target', quarantine: 'target_quarantine', header: true, ...options });
}

function assertBalanced(result: CsvIngestResult): void {
  assert.equal(result.accepted + result.quarantined + result.skipped, result.read);
  assert.equal(
    Object.values(result.byReason).reduce((sum, n) => sum + n, 0),
    result.quarantined + result.skipped,
  );
}

const DEFECTS = bytes(
  '\uFEFFid,name,amount,day,ok,uid\n', // 1: header behind a byte-order mark
  `1,alpha,1.5,2024-01-01,true,${UID}\n`, // 2: good
  '2,"beta, the second",2.5,2024-01-02,false,\n', // 3: good, quoted delimiter
  '3,"say ""hi""",,2024-01-03,,\n', // 4: good, escaped quotes and nulls
  '4,gamma,3.5\n', // 5: missing_columns
  '5,delta,1,2024-01-01,true,,extra\n', // 6: extra_columns
  '6,eps,abc,2024-01-01,true,\n', // 7: bad_cast:amount
  '7,zeta,1,2024-02-30,true,\n', // 8: bad_cast:day
  '7.5,eta,1,2024-01-01,true,\n', // 9: bad_cast:id (a fraction is not an integer)
  ',theta,1,2024-01-01,true,\n', // 10: null_required:id
  '8,io',
  [0xff],
  'ta,1,2024-01-01,true,\n', // 11: invalid_utf8
  '9,"kappa,1,2024-01-01,true,\n', // 12: bad_quoting (unterminated)
  '10,la"mbda,1,2024-01-01,true,\n', // 13: bad_quoting (stray quote)
  '1,alpha again,1,2024-01-01,true,\n', // 14: duplicate_key
  'id,name,amount,day,ok,uid\n', // 15: header_repeat
  '\n', // 16: blank_line
  '11,mu,2,2024-01-05 00:00:00,yes,not-a-uuid\n', // 17: bad_cast:uid (midnight timestamp is a fine date)
  '12,nu,2,2024-01-06 10:30:00,true,\n', // 18: bad_cast:day (would drop the time)
  '13,xi,2,2024-01-07,maybe,\n', // 19: bad_cast:ok
  '14,omicron,2,2024-01-08,true,\r\n', // 20: good, CRLF
  `15,"pi",3,2024-01-09,1,${UID}`, // 21: good, no final newline
);

describe('ingestCsv on a file with every defect kind', () => {
  it('accepts the good lines with their values, types and provenance', async () => {
    const file = bed.dir.write('defects.csv', DEFECTS);
    await ingest([file]);
    const rows = await bed.db.query('SELECT * FROM target ORDER BY _line_number');
    assert.deepEqual(
      rows.map((row) => [row.id, row.name, row.amount, row.ok, row.uid, Number(row._line_number)]),
      [
        [1, 'alpha', 1.5, true, UID, 2],
        [2, 'beta, the second', 2.5, false, null, 3],
        [3, 'say "hi"', null, null, null, 4],
        [14, 'omicron', 2, true, null, 20],
        [15, 'pi', 3, true, UID, 21],
      ],
    );
    assert.ok(rows.every((row) => row._source_file === file));
    const types = await bed.db.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'target' ORDER BY ordinal_position`);
    assert.deepEqual(
      types.map((row) => `${String(row.column_name)} ${String(row.data_type)}`),
      ['id INTEGER', 'name VARCHAR', 'amount DOUBLE', 'day DATE', 'ok BOOLEAN', 'uid UUID', `_source_file VARCHAR`, '_line_number BIGINT'],
    );
  });

  it('quarantines each bad line once, with its line, first defect, column and raw text', async () => {
    const file = bed.dir.write('defects.csv', DEFECTS);
    await ingest([file]);
    assert.deepEqual(await quarantineRows(bed.db, 'target_quarantine'), [
      { line: 5, type: 'missing_columns', column: null, raw: '4,gamma,3.5' },
      { line: 6, type: 'extra_columns', column: null, raw: '5,delta,1,2024-01-01,true,,extra' },
      { line: 7, type: 'bad_cast', column: 'amount', raw: '6,eps,abc,2024-01-01,true,' },
      { line: 8, type: 'bad_cast', column: 'day', raw: '7,zeta,1,2024-02-30,true,' },
      { line: 9, type: 'bad_cast', column: 'id', raw: '7.5,eta,1,2024-01-01,true,' },
      { line: 10, type: 'null_required', column: 'id', raw: ',theta,1,2024-01-01,true,' },
      { line: 11, type: 'invalid_utf8', column: null, raw: '8,io\\xFFta,1,2024-01-01,true,' },
      { line: 12, type: 'bad_quoting', column: null, raw: '9,"kappa,1,2024-01-01,true,' },
      { line: 13, type: 'bad_quoting', column: null, raw: '10,la"mbda,1,2024-01-01,true,' },
      { line: 14, type: 'duplicate_key', column: 'id', raw: '1,alpha again,1,2024-01-01,true,' },
      { line: 17, type: 'bad_cast', column: 'uid', raw: '11,mu,2,2024-01-05 00:00:00,yes,not-a-uuid' },
      { line: 18, type: 'bad_cast', column: 'day', raw: '12,nu,2,2024-01-06 10:30:00,true,' },
      { line: 19, type: 'bad_cast', column: 'ok', raw: '13,xi,2,2024-01-07,maybe,' },
    ]);
    const [stamp] = await bed.db.query('SELECT count(*) AS n FROM target_quarantine WHERE _quarantined_at IS NULL');
    assert.equal(Number(stamp?.n), 0);
  });

  it('reports the accounting: accepted + quarantined + skipped = read, by reason', async () => {
    const result = await ingest([bed.dir.write('defects.csv', DEFECTS)]);
    assert.deepEqual(result, {
      read: 20,
      accepted: 5,
      quarantined: 13,
      skipped: 2,
      files: 1,
      drift: [],
      byReason: {
        missing_columns: 1,
        extra_columns: 1,
        'bad_cast:amount': 1,
        'bad_cast:day': 2,
        'bad_cast:id': 1,
        'bad_cast:uid': 1,
        'bad_cast:ok': 1,
        'null_required:id': 1,
        invalid_utf8: 1,
        bad_quoting: 2,
        duplicate_key: 1,
        header_repeat: 1,
        blank_line: 1,
      },
    });
    assertBalanced(result);
  });

  it('keeps the raw bytes of an invalid UTF-8 line recoverable from its escaped form', async () => {
    await ingest([bed.dir.write('defects.csv', DEFECTS)]);
    const [row] = await bed.db.query(`SELECT hex(CAST(_raw_line AS BLOB)) AS hex FROM target_quarantine WHERE _error_type = 'invalid_utf8'`);
    assert.equal(
      row?.hex,
      Buffer.from(bytes('8,io', [0xff], 'ta,1,2024-01-01,true,'))
        .toString('hex')
        .toUpperCase(),
    );
  });

  it('leaves no scratch tables behind', async () => {
    await ingest([bed.dir.write('defects.csv', DEFECTS)]);
    assert.deepEqual(
      (await temporaryTables(bed.db)).filter((name) => name.startsWith('_sluice_ingest_')),
      [],
    );
  });
});

describe('ingestCsv over several files', () => {
  it('reads globs in file-name order, maps columns by header name and keeps the first of a repeated key', async () => {
    const sub = fixtureDir();
    try {
      sub.write('a.csv', `id,name,amount,day,ok,uid\n1,one,1,2024-01-01,true,\n2,two,2,2024-01-02,false,\n`);
      const b = sub.write('b.csv', `uid,ok,day,amount,name,id,comment\n,true,2024-02-01,3,three,3,x\n,true,2024-02-02,9,second one,1,y\n`);
      sub.write('c.csv', '');
      sub.write('d.csv', 'id,name,amount,day,ok,uid\n');
      const result = await ingest([`${sub.path}/*.csv`, `${sub.path}/a.csv`]);
      assert.deepEqual(result, {
        read: 4,
        accepted: 3,
        quarantined: 1,
        skipped: 0,
        files: 4,
        byReason: { duplicate_key: 1 },
        drift: [{ file: b, added: ['comment'], missing: [] }],
      });
      const rows = await bed.db.query('SELECT id, name, amount FROM target ORDER BY _source_file, _line_number');
      assert.deepEqual(rows, [
        { id: 1, name: 'one', amount: 1 },
        { id: 2, name: 'two', amount: 2 },
        { id: 3, name: 'three', amount: 3 },
      ]);
      const [dup] = await quarantineRows(bed.db, 'target_quarantine');
      assert.deepEqual(dup, { line: 3, type: 'duplicate_key', column: 'id', raw: ',true,2024-02-02,9,second one,1,y' });
    } finally {
      sub.remove();
    }
  });

  it('treats a null key as never duplicate', async () => {
    const file = bed.dir.write('nullkeys.csv', 'id,name\n,a\n,b\n1,c\n');
    const result = await ingestCsv(bed.db, {
      files: [file],
      columns: [
        { name: 'id', type: 'INTEGER' },
        { name: 'name', type: 'VARCHAR' },
      ],
      key: ['id'],
      target: 'target',
      quarantine: 'target_quarantine',
    });
    assert.equal(result.accepted, 3);
  });

  it('supports another delimiter, quoted delimiters included', async () => {
    const file = bed.dir.write('semi.csv', 'id;name\n1;"a;b"\n2;c,d\n');
    const result = await ingestCsv(bed.db, {
      files: [file],
      columns: [
        { name: 'id', type: 'INTEGER' },
        { name: 'name', type: 'VARCHAR' },
      ],
      delimiter: ';',
      target: 'target',
      quarantine: 'target_quarantine',
    });
    assert.equal(result.accepted, 2);
    assert.deepEqual(await bed.db.query('SELECT name FROM target ORDER BY id'), [{ name: 'a;b' }, { name: 'c,d' }]);
  });
});

describe('ingestCsv refusals', () => {
  it('fails over the error budget, creating neither table', async () => {
    const lines = Array.from({ length: 98 }, (_, i) => `${i + 1},n,1,2024-01-01,true,`);
    const file = bed.dir.write('budget.csv', ['id,name,amount,day,ok,uid', ...lines, 'x,n,1,2024-01-01,true,', '100,n,1,2024-01-01'].join('\n'));
    await assert.rejects(ingest([file], { errorBudgetPercent: 1 }), (error: unknown) => {
      assert.ok(error instanceof ErrorBudgetExceededError);
      assert.equal(error.code, 'SOURCE_ERROR');
      assert.deepEqual([error.result.read, error.result.accepted, error.result.quarantined], [100, 98, 2]);
      assert.match(error.message, /2 of 100 data rows \(2\.00 %\).*bad_cast:id 1, missing_columns 1.*error budget of 1 %/);
      return true;
    });
    assert.equal(await tableExists(bed.db, 'target'), false);
    assert.equal(await tableExists(bed.db, 'target_quarantine'), false);
    assert.deepEqual(
      (await temporaryTables(bed.db)).filter((name) => name.startsWith('_sluice_ingest_')),
      [],
    );
    const within = await ingest([file], { errorBudgetPercent: 2 });
    assert.equal(within.quarantined, 2);
  });

  it('fails when a header lacks a configured column, naming the file and the column', async () => {
    const file = bed.dir.write('nocol.csv', 'id,name\n1,a\n');
    await assert.rejects(ingest([file]), (error: unknown) => {
      assert.ok(error instanceof SluiceError);
      assert.equal(error.code, 'SOURCE_ERROR');
      assert.match(error.message, /nocol\.csv: the header "id,name" lacks column\(s\) amount, day, ok, uid/);
      return true;
    });
    assert.equal(await tableExists(bed.db, 'target'), false);
  });

  it('fails on a header that is not UTF-8, has broken quoting or never ends', async () => {
    const cases: [string, string | Uint8Array, RegExp][] = [
      ['latin1.csv', bytes('id,n', [0xe9], 'me\n1,a\n'), /latin1\.csv: the header line is not valid UTF-8/],
      ['quoting.csv', 'id,"name\n1,a\n', /quoting\.csv: the header "id,"name" has broken quoting/],
      ['endless.csv', 'x'.repeat(1_048_577), /endless\.csv: no line break in the first 1048576 bytes/],
    ];
    for (const [name, content, pattern] of cases) {
      await assert.rejects(
        ingest([bed.dir.write(name, content)]),
        (error: unknown) => error instanceof SluiceError && error.code === 'SOURCE_ERROR' && pattern.test(error.message),
      );
    }
  });

  it('fails when a file is missing or a glob matches nothing', async () => {
    await assert.rejects(ingest([`${bed.dir.path}/missing.csv`]), /CSV file\(s\) not found: .*missing\.csv/);
    await assert.rejects(ingest([`${bed.dir.path}/none-*.csv`]), /no CSV file matches/);
  });

  it('refuses invalid options before reading anything', async () => {
    const file = bed.dir.write('ok.csv', 'id\n1\n');
    const cases: [Partial<CsvIngestOptions>, RegExp][] = [
      [{ columns: [{ name: 'id', type: 'TEXT' as 'VARCHAR' }] }, /type "TEXT"/],
      [
        {
          columns: [
            { name: 'id', type: 'INTEGER' },
            { name: 'ID', type: 'INTEGER' },
          ],
        },
        /listed twice/,
      ],
      [{ columns: [{ name: '_source_file', type: 'VARCHAR' }] }, /clashes with the lineage column/],
      [{ columns: [{ name: 'id', type: 'INTEGER' }], key: ['nope'] }, /key column "nope"/],
      [{ columns: [{ name: 'id', type: 'INTEGER' }], delimiter: '"' }, /delimiter/],
      [{ columns: [{ name: 'id', type: 'INTEGER' }], errorBudgetPercent: 150 }, /between 0 and 100/],
      [{ columns: [] }, /no columns/],
      [{ files: [] }, /no files given/],
    ];
    for (const [options, pattern] of cases) {
      await assert.rejects(ingest([file], options), (error: unknown) => error instanceof SluiceError && pattern.test(error.message));
    }
    await assert.rejects(ingest([file], { columns: [{ name: 'bad name', type: 'INTEGER' }] }), /not a valid identifier/);
  });
});

describe("ingestCsv on the seed's landing files", () => {
  it('loads every event once and recognises the repeated header lines', async () => {
    const result = await ingestCsv(bed.db, {
      files: [`${SEED}/events.csv`],
      columns: [
        { name: 'created_ts', type: 'TIMESTAMP', required: true },
        { name: 'event_id', type: 'UUID', required: true },
        { name: 'asset_id', type: 'INTEGER' },
        { name: 'value', type: 'INTEGER' },
      ],
      key: ['event_id'],
      target: 'target',
      quarantine: 'target_quarantine',
      errorBudgetPercent: 1,
    });
    assert.deepEqual(result, { read: 182, accepted: 180, quarantined: 0, skipped: 2, files: 1, byReason: { header_repeat: 2 }, drift: [] });
    const [stats] = await bed.db.query('SELECT count(DISTINCT event_id) AS ids, count(*) FILTER (WHERE created_ts IS NULL) AS no_ts FROM target');
    assert.deepEqual([Number(stats?.ids), Number(stats?.no_ts)], [180, 0]);
  });

  it('quarantines re-delivered assets after the first delivery when asset_id is the key', async () => {
    const columns: CsvColumn[] = [
      { name: 'asset_id', type: 'INTEGER', required: true },
      { name: 'asset_name', type: 'VARCHAR', required: true },
      { name: 'asset_type', type: 'VARCHAR' },
      { name: 'created_on', type: 'TIMESTAMP' },
    ];
    const keyed = await ingestCsv(bed.db, { files: [`${SEED}/asset.csv`], columns, key: ['asset_id'], target: 'target', quarantine: 'target_quarantine' });
    assert.deepEqual(keyed, { read: 32, accepted: 10, quarantined: 20, skipped: 2, files: 1, byReason: { duplicate_key: 20, header_repeat: 2 }, drift: [] });
    const [first] = await bed.db.query('SELECT max(created_on) AS latest FROM target');
    assert.equal((first?.latest as Date).toISOString(), '2025-03-18T00:59:07.446Z');
    await bed.db.exec('DROP TABLE target; DROP TABLE target_quarantine');
    const all = await ingestCsv(bed.db, { files: [`${SEED}/asset.csv`], columns, target: 'target', quarantine: 'target_quarantine' });
    assert.deepEqual([all.accepted, all.skipped], [30, 2]);
    assertBalanced(all);
  });
});
