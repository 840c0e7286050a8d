// Schema contracts on CSV ingestion against a real DuckDB: ignore_extra, evolve, freeze, discard_row and the drift report.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ingestCsv } from '../../src/ingest/csv-ingest.js';
import { ErrorBudgetExceededError } from '../../src/ingest/quarantine-load.js';
import type { CsvColumn, CsvIngestOptions, CsvIngestResult } from '../../src/ingest/csv-ingest.js';
import { SluiceError } from '../../src/errors.js';
import { bytes, ingestTestbed, quarantineRows, tableExists, temporaryTables } from './ingest-fixtures.js';

let good: string;
let drifted: string;

const COLUMNS: CsvColumn[] = [
  { name: 'id', type: 'INTEGER', required: true },
  { name: 'name', type: 'VARCHAR' },
  { name: 'amount', type: 'DOUBLE' },
];

const bed = ingestTestbed(({ dir }) => {
  good = dir.write('a.csv', 'id,name,amount\n1,one,1.5\n2,two,2.5\n');
  // Drifted: a new column "Region", no "amount"; a blank line and a repeated header are still only skipped.
  drifted = dir.write('b.csv', bytes('id,Region,name\n3,north,three\n\n4,,four\nid,Region,name\n5,so', [0xff], 'uth,five\n'));
});

function ingest(options: Partial<CsvIngestOptions> = {}): Promise<CsvIngestResult> {
  return ingestCsv(bed.db, { files: [good, drifted], columns: COLUMNS, key: ['id'], target: 'target', quarantine: 'target_quarantine', ...options });
}

function assertBalanced(result: CsvIngestResult): void {
  assert.equal(result.accepted + result.quarantined + result.skipped, result.read);
  assert.equal(
    Object.values(result.byReason).reduce((sum, n) => sum + n, 0),
    result.quarantined + result.skipped,
  );
}

async function columnTypes(table: string): Promise<string[]> {
  const rows = await bed.db.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`, [table]);
  return rows.map((row) => `${String(row.column_name)} ${String(row.data_type)}`);
}

async function assertNothingCreated(): Promise<void> {
  assert.equal(await tableExists(bed.db, 'target'), false);
  assert.equal(await tableExists(bed.db, 'target_quarantine'), false);
  assert.deepEqual(
    (await temporaryTables(bed.db)).filter((name) => name.startsWith('_sluice_ingest_')),
    [],
  );
}

const DRIFT = () => [{ file: drifted, added: ['Region'], missing: ['amount'] }];

describe('schemaContract ignore_extra (the default)', () => {
  it('ignores extra header columns, reports them as drift and keeps the configured columns only', async () => {
    const file = bed.dir.write('extra.csv', 'id,name,amount,note\n3,three,3,hello\n');
    const result = await ingest({ files: [good, file] });
    assert.deepEqual(result.drift, [{ file, added: ['note'], missing: [] }]);
    assert.deepEqual([result.read, result.accepted], [3, 3]);
    assert.deepEqual(await columnTypes('target'), ['id INTEGER', 'name VARCHAR', 'amount DOUBLE', `_source_file VARCHAR`, '_line_number BIGINT']);
  });

  it('still fails on a missing configured column, as before, creating nothing', async () => {
    await assert.rejects(ingest(), /b\.csv: the header "id,Region,name" lacks column\(s\) amount; fix the file or the column list/);
    await assertNothingCreated();
  });

  it('reports an empty drift list when every header matches', async () => {
    const result = await ingest({ files: [good], schemaContract: 'freeze' });
    assert.deepEqual(result.drift, []);
    assert.equal(result.accepted, 2);
  });
});

describe('schemaContract freeze', () => {
  it('fails on drift in one of two files, naming the file, its added and missing columns and the fix', async () => {
    await assert.rejects(ingest({ schemaContract: 'freeze' }), (error: unknown) => {
      assert.ok(error instanceof SluiceError);
      assert.equal(error.code, 'SOURCE_ERROR');
      assert.match(error.message, /'freeze': 1 file\(s\) differ/);
      assert.ok(error.message.includes(`${drifted} (added Region; missing amount)`));
      assert.ok(!error.message.includes(good));
      assert.match(error.message, /nothing was loaded.*Fix the files' columns, or update `columns`.*'evolve' or 'discard_row'/);
      return true;
    });
  });

  it('creates neither table nor leaves scratch tables when it fails', async () => {
    await assert.rejects(ingest({ schemaContract: 'freeze' }), SluiceError);
    await assertNothingCreated();
  });

  it('names every drifted file, extra columns alone included', async () => {
    const extra = bed.dir.write('c.csv', 'id,name,amount,note\n9,x,1,y\n');
    await assert.rejects(ingest({ files: [good, drifted, extra], schemaContract: 'freeze' }), (error: unknown) => {
      assert.ok(error instanceof SluiceError);
      assert.match(error.message, /2 file\(s\) differ/);
      assert.ok(error.message.includes(`${extra} (added note)`));
      return true;
    });
  });
});

describe('schemaContract evolve', () => {
  it('adds the new header column as VARCHAR, spelled as in the header, and reports the drift', async () => {
    const result = await ingest({ schemaContract: 'evolve' });
    assert.deepEqual(result.drift, DRIFT());
    assert.deepEqual(await columnTypes('target'), [
      'id INTEGER',
      'name VARCHAR',
      'amount DOUBLE',
      'Region VARCHAR',
      `_source_file VARCHAR`,
      '_line_number BIGINT',
    ]);
    assertBalanced(result);
    assert.deepEqual([result.read, result.accepted, result.quarantined, result.skipped], [7, 4, 1, 2]);
    assert.deepEqual(result.byReason, { blank_line: 1, header_repeat: 1, invalid_utf8: 1 });
  });

  it('fills per file: the new column is NULL where the file lacks it, the missing optional column is NULL in the drifted file', async () => {
    await ingest({ schemaContract: 'evolve' });
    const rows = await bed.db.query('SELECT id, name, amount, "Region" AS region, _source_file AS file FROM target ORDER BY file, _line_number');
    assert.deepEqual(rows, [
      { id: 1, name: 'one', amount: 1.5, region: null, file: good },
      { id: 2, name: 'two', amount: 2.5, region: null, file: good },
      { id: 3, name: 'three', amount: null, region: 'north', file: drifted },
      { id: 4, name: 'four', amount: null, region: null, file: drifted },
    ]);
  });

  it('still fails, creating nothing, when a file lacks a required column', async () => {
    const noId = bed.dir.write('noid.csv', 'name,amount\nx,1\n');
    await assert.rejects(ingest({ files: [good, noId], schemaContract: 'evolve' }), /noid\.csv: the header "name,amount" lacks required column\(s\) id/);
    await assertNothingCreated();
  });

  it('refuses a new header column that is not a valid identifier or clashes with a lineage column', async () => {
    const spaced = bed.dir.write('spaced.csv', 'id,name,amount,my note\n1,a,1,x\n');
    await assert.rejects(
      ingest({ files: [spaced], schemaContract: 'evolve' }),
      /spaced\.csv: the new column "my note" cannot be added.*not a valid identifier/,
    );
    const lineage = bed.dir.write('lineage.csv', 'id,name,amount,_line_number\n1,a,1,7\n');
    await assert.rejects(ingest({ files: [lineage], schemaContract: 'evolve' }), /lineage\.csv: the new column "_line_number" clashes with the lineage column/);
    await assertNothingCreated();
  });
});

describe('schemaContract discard_row', () => {
  it('quarantines every data line of the drifted file as schema_drift naming the drift, and loads the other file', async () => {
    const result = await ingest({ schemaContract: 'discard_row' });
    assert.deepEqual(result.drift, DRIFT());
    const column = 'added Region; missing amount';
    assert.deepEqual(await quarantineRows(bed.db, 'target_quarantine'), [
      { line: 2, type: 'schema_drift', column, raw: '3,north,three' },
      { line: 4, type: 'schema_drift', column, raw: '4,,four' },
      { line: 6, type: 'schema_drift', column, raw: '5,so\\xFFuth,five' },
    ]);
    assert.deepEqual(await bed.db.query('SELECT id FROM target ORDER BY id'), [{ id: 1 }, { id: 2 }]);
    assert.deepEqual(await columnTypes('target'), ['id INTEGER', 'name VARCHAR', 'amount DOUBLE', `_source_file VARCHAR`, '_line_number BIGINT']);
  });

  it('keeps the invariant accepted + quarantined + skipped = read, blank lines and repeated headers only skipped', async () => {
    const result = await ingest({ schemaContract: 'discard_row' });
    assertBalanced(result);
    assert.deepEqual(
      { read: result.read, accepted: result.accepted, quarantined: result.quarantined, skipped: result.skipped, byReason: result.byReason },
      { read: 7, accepted: 2, quarantined: 3, skipped: 2, byReason: { schema_drift: 3, blank_line: 1, header_repeat: 1 } },
    );
  });

  it('counts schema_drift lines against the error budget, creating nothing when over it', async () => {
    await assert.rejects(ingest({ schemaContract: 'discard_row', errorBudgetPercent: 50 }), (error: unknown) => {
      assert.ok(error instanceof ErrorBudgetExceededError);
      assert.match(error.message, /3 of 5 data rows \(60\.00 %\).*schema_drift 3/);
      assert.deepEqual(error.result.drift, DRIFT());
      return true;
    });
    await assertNothingCreated();
  });
});

describe('schemaContract option', () => {
  it('keeps the accounting invariant under every contract that loads', async () => {
    for (const schemaContract of ['evolve', 'discard_row'] as const) {
      assertBalanced(await ingest({ schemaContract }));
      await bed.db.exec('DROP TABLE target; DROP TABLE target_quarantine');
    }
    assertBalanced(await ingest({ files: [good], schemaContract: 'ignore_extra' }));
  });

  it('refuses an unknown contract before reading anything', async () => {
    await assert.rejects(ingest({ schemaContract: 'loose' as 'evolve' }), /schemaContract "loose" is not one of ignore_extra, evolve, freeze, discard_row/);
  });
});
