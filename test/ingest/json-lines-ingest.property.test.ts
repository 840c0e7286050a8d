// Property: for random JSON-lines files with random defects, no line is lost and every good line is accepted as written.
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ingestJsonLines } from '../../src/ingest/json-lines-ingest.js';
import type { IngestColumn } from '../../src/ingest/ingest-columns.js';
import { assertLoadedAsExpected, bytes, ingestTestbed } from './ingest-fixtures.js';
import type { ExpectedLine } from './ingest-fixtures.js';

const COLUMNS: IngestColumn[] = [
  { name: 'id', type: 'INTEGER', required: true },
  { name: 'label', type: 'VARCHAR' },
  { name: 'score', type: 'DOUBLE' },
];

const KINDS = [
  'bad_json',
  'not_an_object',
  'invalid_utf8',
  'missing_columns',
  'null_required',
  'bad_cast',
  'duplicate_field',
  'duplicate_key',
  'blank_line',
] as const;
type Kind = 'good' | (typeof KINDS)[number];

// Labels mix quotes, backslashes, control characters and multi-byte characters: what breaks naive JSON handling.
const labelArb = fc.string({ unit: fc.constantFrom('a', 'z', ' ', '"', '\\', '\n', '\t', 'é', '€', '😀', '{', '}', ','), maxLength: 8 });
const specArb = fc.record({
  kind: fc.oneof({ weight: 8, arbitrary: fc.constant<Kind>('good') }, { weight: 1, arbitrary: fc.constantFrom<Kind>(...KINDS) }),
  label: fc.option(labelArb, { nil: null }),
  score: fc.option(
    fc.integer({ min: -100_000, max: 100_000 }).map((n) => n / 100),
    { nil: null },
  ),
  crlf: fc.boolean(),
});

interface Spec {
  kind: Kind;
  label: string | null;
  score: number | null;
  crlf: boolean;
}

function render(specs: Spec[], startId: number, accepted: number[]): { body: Uint8Array; expected: ExpectedLine[] } {
  const parts: (string | number[])[] = [];
  const expected: ExpectedLine[] = [];
  let id = startId;
  specs.forEach((spec, index) => {
    const line = index + 1;
    const fields = { label: spec.label, score: spec.score };
    let reason: string | null = spec.kind;
    let text: string | (string | number[])[];
    switch (spec.kind) {
      case 'good':
        id += 1;
        accepted.push(id);
        text = JSON.stringify({ id, ...fields });
        reason = null;
        expected.push({ line, reason, id, label: spec.label, score: spec.score });
        break;
      case 'bad_json':
        text = JSON.stringify({ id: id + 1000, ...fields }).slice(0, -1);
        break;
      case 'not_an_object':
        text = JSON.stringify([id + 1000, spec.label]);
        break;
      case 'invalid_utf8':
        text = [`{"id": ${id + 1000}, "label": "x`, [0xc3, 0x28], 'y"}'];
        break;
      case 'missing_columns':
        text = JSON.stringify(fields);
        reason = 'missing_columns:id';
        break;
      case 'null_required':
        text = JSON.stringify({ id: null, ...fields });
        reason = 'null_required:id';
        break;
      case 'bad_cast':
        text = JSON.stringify({ id: id + 1000, label: spec.label, score: 'not-a-number' });
        reason = 'bad_cast:score';
        break;
      case 'duplicate_field':
        text = `{"id": ${id + 1000}, "label": ${JSON.stringify(spec.label)}, "label": "again"}`;
        break;
      case 'duplicate_key': {
        const reused = accepted[(spec.label?.length ?? 0) % Math.max(accepted.length, 1)];
        if (reused === undefined) {
          text = '';
          reason = 'blank_line';
        } else {
          text = JSON.stringify({ id: reused, ...fields });
        }
        break;
      }
      case 'blank_line':
        text = '';
        break;
    }
    expected.push(...(reason === null ? [] : [{ line, reason }]));
    parts.push(...(Array.isArray(text) ? text : [text]), spec.crlf ? '\r\n' : '\n');
  });
  return { body: bytes(...parts), expected };
}

const bed = ingestTestbed();

describe('ingestJsonLines on random files with random defects', () => {
  it('accepts every good line as written and accounts for every other line: accepted + quarantined + skipped = read', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(specArb, { maxLength: 25 }), { minLength: 1, maxLength: 3 }), async (files) => {
        run += 1;
        const accepted: number[] = [];
        const written = files.map((specs, index) => {
          const { body, expected } = render(specs, index * 100_000, accepted);
          return { path: bed.dir.write(`run${run}-${index}.jsonl`, body), expected };
        });
        const result = await ingestJsonLines(bed.db, {
          files: written.map((file) => file.path),
          columns: COLUMNS,
          key: ['id'],
          target: 'prop_target',
          quarantine: 'prop_quarantine',
        });
        try {
          const expected = written.flatMap((file) => file.expected.map((line) => ({ ...line, file: file.path })));
          await assertLoadedAsExpected(bed.db, result, expected, { skipped: ['blank_line'], unqualified: ['duplicate_key', 'duplicate_field'] });
        } finally {
          await bed.db.exec('DROP TABLE prop_target; DROP TABLE prop_quarantine');
        }
      }),
      { numRuns: 40 },
    );
  });
});
