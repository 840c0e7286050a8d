// The target's shape beyond the loaded columns: extra columns written in the same pass, lineage columns left out of the
// target (never out of the quarantine), for every format and both CSV paths.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ingestCsv } from '../../src/ingest/csv-ingest.js';
import { ingestJsonLines } from '../../src/ingest/json-lines-ingest.js';
import { ingestParquet } from '../../src/ingest/parquet-ingest.js';
import type { IngestColumn, IngestOptions } from '../../src/ingest/ingest-columns.js';
import type { IngestResult } from '../../src/ingest/quarantine-load.js';
import { SluiceError } from '../../src/errors.js';
import { ingestTestbed } from './ingest-fixtures.js';

const bed = ingestTestbed();

const COLUMNS: IngestColumn[] = [
  { name: 'id', type: 'INTEGER', required: true },
  { name: 'name', type: 'VARCHAR' },
];

type Ingest = (options: IngestOptions) => Promise<IngestResult>;

/** Each format with a file of two good rows (ids 1 and 2) and one bad row (id x), and its position column. */
const FORMATS: { name: string; position: string; file: () => Promise<string>; ingest: Ingest }[] = [
  {
    name: 'CSV in one pass',
    position: '_line_number',
    file: async () => bed.dir.write('shape-clean.csv', 'id,name\n1,a\n2,b\n'),
    ingest: (options) => ingestCsv(bed.db, options),
  },
  {
    name: 'CSV line by line',
    position: '_line_number',
    file: async () => bed.dir.write('shape-bad.csv', 'id,name\n1,a\n2,b\nx,c\n'),
    ingest: (options) => ingestCsv(bed.db, options),
  },
  {
    name: 'JSON lines',
    position: '_line_number',
    file: async () => bed.dir.write('shape.jsonl', '{"id":1,"name":"a"}\n{"id":2,"name":"b"}\n{"id":"x","name":"c"}\n'),
    ingest: (options) => ingestJsonLines(bed.db, options),
  },
  {
    name: 'Parquet',
    position: '_row_offset',
    file: async () => {
      const file = `${bed.dir.path}/shape.parquet`;
      await bed.db.exec(`COPY (SELECT * FROM (VALUES ('1', 'a'), ('2', 'b'), ('x', 'c')) AS t(id, name)) TO '${file}' (FORMAT parquet)`);
      return file;
    },
    ingest: (options) => ingestParquet(bed.db, options),
  },
];

async function columnsOf(table: string): Promise<string[]> {
  const rows = await bed.db.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`, [table]);
  return rows.map((row) => `${String(row.column_name)} ${String(row.data_type)}`);
}

for (const format of FORMATS) {
  describe(`the target of ${format.name}`, () => {
    for (const key of [[], ['id']]) {
      it(`gets the extra columns, computed from the loaded and lineage columns, after the lineage columns (key: ${key.join() || 'none'})`, async () => {
        const file = await format.file();
        await bed.db.exec('DROP TABLE IF EXISTS target; DROP TABLE IF EXISTS target_quarantine');
        await format.ingest({
          files: [file],
          columns: COLUMNS,
          key,
          target: 'target',
          quarantine: 'target_quarantine',
          extraColumns: { _batch: `'run-1'`, _where: `_source_file || ':' || ${format.position}`, id_twice: 'id * 2' },
        });
        assert.deepEqual(await columnsOf('target'), [
          'id INTEGER',
          'name VARCHAR',
          `_source_file VARCHAR`,
          `${format.position} BIGINT`,
          '_batch VARCHAR',
          '_where VARCHAR',
          'id_twice INTEGER',
        ]);
        const first = format.position === '_row_offset' ? 0 : 1 + Number(format.name.startsWith('CSV'));
        assert.deepEqual(await bed.db.query(`SELECT id, _batch, _where, id_twice FROM target ORDER BY id`), [
          { id: 1, _batch: 'run-1', _where: `${file}:${first}`, id_twice: 2 },
          { id: 2, _batch: 'run-1', _where: `${file}:${first + 1}`, id_twice: 4 },
        ]);
      });
    }

    it('leaves the lineage columns out of the target with lineageColumns: false, and keeps them in the quarantine', async () => {
      const file = await format.file();
      await bed.db.exec('DROP TABLE IF EXISTS target; DROP TABLE IF EXISTS target_quarantine');
      const result = await format.ingest({
        files: [file],
        columns: COLUMNS,
        target: 'target',
        quarantine: 'target_quarantine',
        lineageColumns: false,
        extraColumns: { _source: `_source_file || '#' || ${format.position}` },
      });
      assert.equal(result.accepted + result.quarantined + result.skipped, result.read);
      assert.deepEqual(await columnsOf('target'), ['id INTEGER', 'name VARCHAR', '_source VARCHAR']);
      const sources = await bed.db.query('SELECT _source FROM target ORDER BY id');
      assert.deepEqual(
        sources.map((row) => String(row._source).replace(/\d+$/, 'N')),
        [`${file}#N`, `${file}#N`],
      );
      const quarantined = await columnsOf('target_quarantine');
      assert.ok(quarantined.includes('_source_file VARCHAR') && quarantined.includes(`${format.position} BIGINT`), quarantined.join());
    });
  });
}

describe('extra columns', () => {
  it('refuses a name that a loaded or lineage column has, or that is not an identifier, creating nothing', async () => {
    const file = bed.dir.write('shape-names.csv', 'id,name\n1,a\n');
    for (const name of ['ID', '_source_file', '_line_number', 'two words']) {
      await assert.rejects(
        ingestCsv(bed.db, { files: [file], columns: COLUMNS, target: 'refused', quarantine: 'refused_quarantine', extraColumns: { [name]: '1' } }),
        (error: unknown) => error instanceof SluiceError && error.message.includes(name),
      );
    }
    assert.deepEqual(await bed.db.query(`SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'refused%'`), []);
  });
});
