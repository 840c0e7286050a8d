// The one-pass CSV load reads some columns typed by DuckDB's CSV reader and tests integers by their DOUBLE: for every
// value, however odd, it must give what the line-by-line path gives, or leave the file to it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ingestCsv } from '../../src/ingest/csv-ingest.js';
import type { CsvColumnType, CsvIngestResult } from '../../src/ingest/csv-ingest.js';
import { ingestTestbed, quarantineRows, recordingConnection } from './ingest-fixtures.js';
import type { QuarantineRow } from './ingest-fixtures.js';

const bed = ingestTestbed();

interface Outcome {
  path: 'one pass' | 'line by line';
  result: Omit<CsvIngestResult, 'drift' | 'skipped'>;
  rows: unknown[];
  quarantined: QuarantineRow[];
}

async function ingest(file: string, type: CsvColumnType): Promise<Outcome> {
  const { connection, statements } = recordingConnection(bed.db);
  const columns = [
    { name: 'id', type: 'INTEGER' as const, required: true },
    { name: 'v', type },
  ];
  const {
    drift: _drift,
    skipped: _skipped,
    ...result
  } = await ingestCsv(connection, { files: [file], columns, target: 'target', quarantine: 'target_quarantine' });
  const { header_repeat: _repeat, ...byReason } = result.byReason;
  const rows = await bed.db.query(`SELECT id, CAST(v AS VARCHAR) AS v, CAST(_line_number AS INTEGER) AS line FROM target ORDER BY line`);
  const quarantined = await quarantineRows(bed.db, 'target_quarantine');
  await bed.db.exec('DROP TABLE target; DROP TABLE target_quarantine');
  return {
    path: statements.some((sql) => sql.includes('read_text(')) ? 'line by line' : 'one pass',
    result: { ...result, read: result.read - (_repeat ?? 0), byReason },
    rows,
    quarantined,
  };
}

const VALUES: Record<string, string[]> = {
  TIMESTAMP: [
    '2001-01-01 00:01:00',
    '2001-01-01',
    '2001-01-01T00:01:00',
    ' 2001-01-01 00:00:00 ',
    '2001-01-01 00:00:00+02',
    '2001-01-01 00:00:00Z',
    '2001-01-01 00:00:00 UTC',
    '2001-01-01 00:00:00 America/New_York',
    '2001-01-01 00:00:00.123456789',
    'infinity',
    '-infinity',
    'epoch',
    '2001-1-1',
    '01/02/2001',
    '2001-01-01 25:00:00',
    '2001-02-30',
    '0044-03-15 (BC)',
    'x',
    '',
  ],
  DOUBLE: ['1.5', ' 1.5 ', '+1.5', '1e3', '1E-3', '.5', '5.', '1_000.5', '1__0', 'inf', '-Infinity', 'nan', '0x10', '1.5.5', '-0', '1e400', '00012', '+-5', ''],
  INTEGER: [
    '7',
    '1.5',
    '1.0',
    '1e3',
    '15e-1',
    ' 12 ',
    '+5',
    '-0',
    '0x1F',
    '0x1E',
    '1_000',
    '+-5',
    '1000000000000000000000000000000e-30',
    '2147483647',
    '2147483648',
    '2.4999999999999999999',
    '2.9999999999999999999',
    '1e-400',
    'nan',
    'inf',
    'abc',
    '',
  ],
  BIGINT: ['9007199254740993', '9223372036854775807', '9223372036854775808', '1.5', '1e18', '0x10', '-9007199254740993.4', '+-5'],
  VARCHAR: [' spaced ', 'é', 'a;b', '\\N', 'NULL', ''],
  DATE: ['2025-03-18', '2025-03-18 10:00', '2025-03-18 00:00:00', '18/03/2025', ''],
};

describe('CSV one-pass values', () => {
  for (const [type, values] of Object.entries(VALUES)) {
    it(`loads every ${type} value as the line-by-line path does, or leaves it to that path`, async () => {
      const paths = new Set<string>();
      for (const [index, value] of values.entries()) {
        const body = `id,v\n1,${value}\n2,${value}\n`;
        const onePass = await ingest(bed.dir.write(`${type}-${index}.csv`, body), type as CsvColumnType);
        // A repeated header line at the end sends the same lines line by line (and is only counted).
        const lineByLine = await ingest(bed.dir.write(`${type}-${index}-lines.csv`, `${body}id,v\n`), type as CsvColumnType);
        assert.equal(lineByLine.path, 'line by line');
        const { path, ...loaded } = onePass;
        const { path: _path, ...expected } = lineByLine;
        assert.deepEqual(loaded, expected, `${type} value ${JSON.stringify(value)} (${path})`);
        paths.add(path);
        if (process.env.SHOW_PATHS) console.log(type, JSON.stringify(value), path);
      }
      // The comparison above covered the one-pass load.
      assert.ok(paths.has('one pass'));
    });
  }
});
