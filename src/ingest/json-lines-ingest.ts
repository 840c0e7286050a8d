// JSON-lines ingestion with quarantine: one JSON object per line; good lines load typed, every bad line is quarantined.
import { SluiceError } from '../errors.js';
import { validateOptions } from './ingest-columns.js';
import type { IngestColumn, IngestOptions } from './ingest-columns.js';
import { createJsonRowsSql, createParsedLinesSql, keyListsSql } from './json-lines-sql.js';
import { loadClassifiedRows, loadTargetsOf, resolveFiles, scratchTable } from './quarantine-load.js';
import type { IngestConnection, IngestResult } from './quarantine-load.js';
import { describeDrift, evolvedColumns } from './schema-contract.js';
import type { SchemaContract, SchemaDrift } from './schema-contract.js';
import { execOverTextLines } from './text-lines.js';

/**
 * Each column is read from the top-level key of the same name, matched exactly (JSON keys are case-sensitive).
 * `schemaContract` for keys that are not configured columns: `ignore_extra` (default: ignored, reported as drift),
 * `evolve` (each new key becomes a VARCHAR column holding its value, JSON text for objects and arrays), `freeze` (any
 * new key in any line fails the ingestion, creating nothing) or `discard_row` (a line with a new key is quarantined
 * as `schema_drift`). An absent key is NULL, or `missing_columns` for a required column.
 */
export type JsonLinesIngestOptions = IngestOptions;

const LINEAGE_COLUMNS = ['_source_file', '_line_number'];

interface KeyDrift {
  drift: SchemaDrift[];
  /** New keys in order of first appearance, each with a file it appears in. */
  added: { file: string; added: string[] }[];
}

/** Per file: keys no configured column takes, and configured columns no line of the file has. */
async function findKeyDrift(connection: IngestConnection, parsed: string, files: readonly string[], columns: readonly IngestColumn[]): Promise<KeyDrift> {
  const configured = new Set(columns.map((column) => column.name));
  const perFile = new Map<number, Set<string>>();
  for (const row of await connection.query(keyListsSql(parsed))) {
    const index = Number(row.file_index);
    const keys = perFile.get(index) ?? new Set<string>();
    for (const key of JSON.parse(String(row.keys)) as string[]) keys.add(key);
    perFile.set(index, keys);
  }
  const drift: SchemaDrift[] = [];
  for (const [index, keys] of [...perFile.entries()].sort(([a], [b]) => a - b)) {
    const file = files[index - 1] ?? '';
    const added = [...keys].filter((key) => !configured.has(key));
    const missing = columns.filter((column) => !keys.has(column.name)).map((column) => column.name);
    if (added.length > 0 || missing.length > 0) drift.push({ file, added, missing });
  }
  return { drift, added: drift.filter((d) => d.added.length > 0).map(({ file, added }) => ({ file, added })) };
}

/** The columns to load under the contract: configured ones, plus new keys under `evolve`. Throws for `freeze`. */
function applyKeyContract(contract: SchemaContract, columns: readonly IngestColumn[], found: KeyDrift): IngestColumn[] {
  if (found.added.length === 0 || contract === 'ignore_extra' || contract === 'discard_row') return [...columns];
  if (contract === 'freeze') {
    throw new SluiceError(
      'SOURCE_ERROR',
      `schema contract 'freeze': ${found.added.length} file(s) have keys that are not configured columns, nothing was loaded: ` +
        `${found.drift
          .filter((d) => d.added.length > 0)
          .map((d) => `${d.file} (${describeDrift({ ...d, missing: [] })})`)
          .join('; ')}. ` +
        `Remove the keys at the source, or add them to \`columns\`, or use schemaContract 'evolve', 'ignore_extra' or 'discard_row'.`,
    );
  }
  // DuckDB column names ignore case while JSON keys do not: two spellings of one name would lose one key's values.
  const spellings = new Map(columns.map((column) => [column.name.toLowerCase(), column.name]));
  for (const { file, added } of found.added) {
    for (const key of added) {
      const other = spellings.get(key.toLowerCase());
      if (other !== undefined && other !== key) {
        throw new SluiceError(
          'SOURCE_ERROR',
          `${file}: the key "${key}" differs from "${other}" only in case, so it cannot become a column of its own under schemaContract 'evolve'; use one spelling at the source`,
        );
      }
      spellings.set(key.toLowerCase(), key);
    }
  }
  return [...columns, ...evolvedColumns(found.added.map(({ file, added }) => ({ file, added, missing: [] })))];
}

/**
 * Loads newline-delimited JSON files into `target`, writing every line that cannot be loaded to `quarantine` with its
 * file, line number, column, error type and raw text: `invalid_utf8`, `bad_json`, `not_an_object`, `duplicate_field`
 * (a key twice in one object), `schema_drift`, `missing_columns` and `null_required` (required column absent or null),
 * `bad_cast` (a value that does not convert losslessly, or an object or array), `duplicate_key`. Blank lines are
 * skipped and counted. Everything runs inside DuckDB. Invariant: `accepted + quarantined + skipped = read`.
 * Throws `ErrorBudgetExceededError` (code SOURCE_ERROR), creating nothing, when the quarantined share exceeds the budget.
 * @example
 * const result = await ingestJsonLines(ctx.sql, {
 *   files: [join(ctx.projectDir, 'landing', 'readings-*.jsonl')],
 *   columns: [{ name: 'reading_id', type: 'UUID', required: true }, { name: 'value', type: 'DOUBLE' }],
 *   key: ['reading_id'],
 *   target: ctx.target,
 *   quarantine: ctx.sideOutput('readings_quarantine'),
 *   errorBudgetPercent: 1,
 * });
 */
export async function ingestJsonLines(connection: IngestConnection, options: JsonLinesIngestOptions): Promise<IngestResult> {
  const keyIndexes = validateOptions('JSON lines', options, LINEAGE_COLUMNS);
  const contract = options.schemaContract ?? 'ignore_extra';
  const files = await resolveFiles(connection, 'JSON lines', options.files);
  const parsed = scratchTable('lines');
  const rows = scratchTable('rows');
  try {
    await execOverTextLines(connection, 'JSON lines', files, (escaped) =>
      createParsedLinesSql(
        parsed,
        files,
        options.columns.map((column) => column.name),
        escaped,
      ),
    );
    const found = await findKeyDrift(connection, parsed, files, options.columns);
    const columns = applyKeyContract(contract, options.columns, found);
    await connection.exec(createJsonRowsSql(rows, parsed, columns, options.columns.length, contract === 'discard_row'));
    await connection.exec(`DROP TABLE ${parsed}`);
    return await loadClassifiedRows(
      connection,
      { format: 'JSON lines', rows, files, columns, keyIndexes, positionColumn: '_line_number', columnDetail: 'detail' },
      loadTargetsOf(options, found.drift),
    );
  } finally {
    await connection.exec(`DROP TABLE IF EXISTS ${parsed}`).catch(() => undefined);
    await connection.exec(`DROP TABLE IF EXISTS ${rows}`).catch(() => undefined);
  }
}
