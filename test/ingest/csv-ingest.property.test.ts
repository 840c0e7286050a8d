// Property: for random CSV files with random defects, no line is lost and every good line is accepted as written.
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ingestCsv } from '../../src/ingest/csv-ingest.js';
import type { CsvColumn } from '../../src/ingest/csv-ingest.js';
import { assertLoadedAsExpected, bytes, ingestTestbed } from './ingest-fixtures.js';
import type { ExpectedLine } from './ingest-fixtures.js';

const COLUMNS: CsvColumn[] = [
  { name: 'id', type: 'INTEGER', required: true },
  { name: 'label', type: 'VARCHAR' },
  { name: 'score', type: 'DOUBLE' },
];
const HEADER = 'id,label,score';

type Kind =
  | 'good'
  | 'missing_columns'
  | 'extra_columns'
  | 'bad_cast'
  | 'null_required'
  | 'bad_quoting'
  | 'invalid_utf8'
  | 'duplicate_key'
  | 'header_repeat'
  | 'blank_line';

interface Spec {
  kind: Kind;
  label: string;
  score: number | null;
  quoteLabel: boolean;
  crlf: boolean;
}

// Labels mix delimiters, quotes, spaces and multi-byte characters: the fields that break naive splitting.
const labelArb = fc.string({ unit: fc.constantFrom('a', 'b', 'z', ' ', ',', '"', 'é', '€', '😀', ';'), maxLength: 8 });
const specArb = fc.record({
  kind: fc.oneof(
    { weight: 10, arbitrary: fc.constant<Kind>('good') },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Kind>(
        'missing_columns',
        'extra_columns',
        'bad_cast',
        'null_required',
        'bad_quoting',
        'invalid_utf8',
        'duplicate_key',
        'header_repeat',
        'blank_line',
      ),
    },
  ),
  label: labelArb,
  score: fc.option(
    fc.integer({ min: -100_000, max: 100_000 }).map((n) => n / 100),
    { nil: null },
  ),
  quoteLabel: fc.boolean(),
  crlf: fc.boolean(),
});

function field(label: string, quote: boolean): string {
  return quote || /[,"]/.test(label) ? `"${label.replaceAll('"', '""')}"` : label;
}

/** Renders one file and what ingestion must make of it; ids count up so only `duplicate_key` lines repeat one. */
function render(specs: Spec[], finalNewline: boolean, startId: number, acceptedIds: number[]): { body: Uint8Array; expected: ExpectedLine[] } {
  const parts: (string | number[])[] = [`${HEADER}\n`];
  const expected: ExpectedLine[] = [];
  let id = startId;
  specs.forEach((spec, index) => {
    const line = index + 2;
    const score = spec.score === null ? '' : String(spec.score);
    const label = field(spec.label, spec.quoteLabel);
    const ending = index === specs.length - 1 && !finalNewline ? '' : spec.crlf ? '\r\n' : '\n';
    let reason: string | null = spec.kind;
    let text: string | (string | number[])[];
    switch (spec.kind) {
      case 'good':
        id += 1;
        text = `${id},${label},${score}`;
        acceptedIds.push(id);
        reason = null;
        expected.push({ line, reason, id, label: spec.label === '' ? null : spec.label, score: spec.score });
        break;
      case 'missing_columns':
        text = `${id + 1000},${label}`;
        break;
      case 'extra_columns':
        text = `${id + 1000},${label},${score},extra`;
        break;
      case 'bad_cast':
        text = `${id + 1000},${label},not-a-number`;
        reason = 'bad_cast:score';
        break;
      case 'null_required':
        text = `,${label},${score}`;
        reason = 'null_required:id';
        break;
      case 'bad_quoting':
        text = `${id + 1000},"${spec.label.replaceAll('"', '')},${score}`;
        break;
      case 'invalid_utf8':
        text = [`${id + 1000},x`, [0xc3, 0x28], `y,${score}`];
        break;
      case 'duplicate_key': {
        const reused = acceptedIds[Math.abs(spec.label.length * 7919) % Math.max(acceptedIds.length, 1)];
        if (reused === undefined) {
          text = '';
          reason = 'blank_line';
        } else {
          text = `${reused},${label},${score}`;
        }
        break;
      }
      case 'header_repeat':
        text = HEADER;
        break;
      case 'blank_line':
        text = '';
        break;
    }
    if (reason !== null) expected.push({ line, reason });
    parts.push(...(Array.isArray(text) ? text : [text]), ending);
  });
  // A file whose last line is blank and unterminated has no such line: the final newline before it ends the file.
  const last = expected[expected.length - 1];
  if (!finalNewline && last?.reason === 'blank_line' && last.line === specs.length + 1) expected.pop();
  return { body: bytes(...parts), expected };
}

const bed = ingestTestbed();

describe('ingestCsv on random files with random defects', () => {
  it('accepts every good line as written and accounts for every other line: accepted + quarantined + skipped = read', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ specs: fc.array(specArb, { maxLength: 25 }), finalNewline: fc.boolean() }), { minLength: 1, maxLength: 3 }),
        async (files) => {
          run += 1;
          const acceptedIds: number[] = [];
          const expectedByFile = files.map((file, index) => {
            const { body, expected } = render(file.specs, file.finalNewline, index * 100_000, acceptedIds);
            return { path: bed.dir.write(`run${run}-${index}.csv`, body), expected };
          });
          const result = await ingestCsv(bed.db, {
            files: expectedByFile.map((file) => file.path),
            columns: COLUMNS,
            key: ['id'],
            target: 'prop_target',
            quarantine: 'prop_quarantine',
          });
          try {
            const expected = expectedByFile.flatMap((file) => file.expected.map((line) => ({ ...line, file: file.path })));
            await assertLoadedAsExpected(bed.db, result, expected, { skipped: ['header_repeat', 'blank_line'], unqualified: ['duplicate_key'] });
          } finally {
            await bed.db.exec('DROP TABLE prop_target; DROP TABLE prop_quarantine');
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

// Files without quotes are the ones the one-pass load takes (DuckDB's CSV reader straight into the target): mostly
// clean ones here, so that path runs often, and the defects it must hand over to the line-by-line path.
const plainLabelArb = fc.string({ unit: fc.constantFrom('a', 'b', 'z', ' ', 'é', '€', '😀', ';', "'", '\\'), maxLength: 8 });
const plainSpecArb = fc.record({
  kind: fc.oneof(
    { weight: 150, arbitrary: fc.constant<Kind>('good') },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Kind>(
        'missing_columns',
        'extra_columns',
        'bad_cast',
        'null_required',
        'invalid_utf8',
        'duplicate_key',
        'header_repeat',
        'blank_line',
      ),
    },
  ),
  label: plainLabelArb,
  score: fc.option(
    fc.integer({ min: -100_000, max: 100_000 }).map((n) => n / 100),
    { nil: null },
  ),
  quoteLabel: fc.constant(false),
  crlf: fc.boolean(),
});

describe('ingestCsv on random files without quotes', () => {
  it('accepts every good line as written and accounts for every other line, in one pass or line by line', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ specs: fc.array(plainSpecArb, { maxLength: 25 }), finalNewline: fc.boolean() }), { minLength: 1, maxLength: 3 }),
        async (files) => {
          run += 1;
          const acceptedIds: number[] = [];
          const expectedByFile = files.map((file, index) => {
            const { body, expected } = render(file.specs, file.finalNewline, index * 100_000, acceptedIds);
            return { path: bed.dir.write(`plain${run}-${index}.csv`, body), expected };
          });
          const result = await ingestCsv(bed.db, {
            files: expectedByFile.map((file) => file.path),
            columns: COLUMNS,
            key: ['id'],
            target: 'prop_target',
            quarantine: 'prop_quarantine',
          });
          try {
            const expected = expectedByFile.flatMap((file) => file.expected.map((line) => ({ ...line, file: file.path })));
            await assertLoadedAsExpected(bed.db, result, expected, { skipped: ['header_repeat', 'blank_line'], unqualified: ['duplicate_key'] });
          } finally {
            await bed.db.exec('DROP TABLE prop_target; DROP TABLE prop_quarantine');
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
