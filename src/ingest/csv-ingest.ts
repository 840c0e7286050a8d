// CSV ingestion with quarantine: good lines load typed, every bad line lands in a quarantine table, nothing is lost.
import { SluiceError } from '../errors.js';
import { createRowsSql, headerFieldsSql } from './csv-ingest-sql.js';
import { readHeaderLine } from './csv-header.js';
import { invalidIngestion, validateOptions } from './ingest-columns.js';
import type { IngestColumn, IngestColumnType, IngestOptions } from './ingest-columns.js';
import { createEmptyQuarantine, loadClassifiedRows, loadTargetsOf, readingFiles, resolveFiles, scratchTable } from './quarantine-load.js';
import { loadCsvInOnePass } from './csv-fast-path.js';
import type { IngestConnection, IngestResult } from './quarantine-load.js';
import { applySchemaContract, discardedFileDetail } from './schema-contract.js';
import type { ParsedHeader } from './schema-contract.js';
import { execOverTextLines } from './text-lines.js';

/** One expected column of a CSV source; matched by name (case-insensitive) against each file's header. */
export type CsvColumn = IngestColumn;
export type CsvColumnType = IngestColumnType;
/** The accounting of a CSV ingestion (see `IngestResult`). */
export type CsvIngestResult = IngestResult;

/**
 * Columns are found by name (case-insensitive) in each file's header; the target gets `_source_file` and
 * `_line_number` (order by those to read in file order). `schemaContract`, when a header differs from `columns`:
 * `ignore_extra` (default: extra header columns are ignored, a missing column fails), `evolve` (extra columns are added
 * as VARCHAR, missing optional ones are NULL), `freeze` (any difference fails, creating nothing) or `discard_row` (a
 * differing file's data lines are quarantined as `schema_drift`). The drift found is always reported in the result.
 */
export interface CsvIngestOptions extends IngestOptions {
  /** The first line of every file is its header (the only supported layout). */
  header?: true;
  /** Field delimiter, one character (default `,`). */
  delimiter?: string;
}

const LINEAGE_COLUMNS = ['_source_file', '_line_number'];

function validate(options: CsvIngestOptions): { keyIndexes: number[]; delimiter: string } {
  const keyIndexes = validateOptions('CSV', options, LINEAGE_COLUMNS);
  if (options.header !== undefined && options.header !== true) throw invalidIngestion('CSV', 'only files with a header line are supported (header: true)');
  const delimiter = options.delimiter ?? ',';
  if ([...delimiter].length !== 1 || ['"', '\n', '\r'].includes(delimiter)) {
    throw invalidIngestion('CSV', `delimiter ${JSON.stringify(delimiter)} must be a single character other than a quote or a line break`);
  }
  return { keyIndexes, delimiter };
}

/** Reads and parses every file's header. Fails when one is unreadable or has broken quoting. */
async function readHeaders(connection: IngestConnection, files: readonly string[], delimiter: string): Promise<ParsedHeader[]> {
  // One file at a time: a landing folder may hold thousands of files, more than the process may open at once.
  const lines: (string | null)[] = [];
  for (const file of files) lines.push(await readHeaderLine(file));
  const present = lines.flatMap((line, index) => (line === null ? [] : [{ line, index }]));
  const parsed =
    present.length === 0
      ? []
      : await connection.query(
          headerFieldsSql(present.length, delimiter),
          present.map(({ line }) => line),
        );
  const headers: ParsedHeader[] = files.map((file) => ({ file, line: null, fieldCount: 0, names: [] }));
  present.forEach(({ line, index }, i) => {
    const row = parsed[i];
    const file = files[index] ?? '';
    if (!row || row.names === null || row.names === undefined) {
      throw new SluiceError('SOURCE_ERROR', `${file}: the header "${line}" has broken quoting; fix the file`);
    }
    headers[index] = { file, line, fieldCount: Number(row.field_count), names: (JSON.parse(String(row.names)) as unknown[]).map(String) };
  });
  return headers;
}

/**
 * Loads CSV files into `target`, writing every line that cannot be loaded to `quarantine` with its file, line number,
 * column, error type and raw text. All parsing and validation runs inside DuckDB; no row passes through JavaScript.
 * Throws `ErrorBudgetExceededError` (code SOURCE_ERROR), creating nothing, when the quarantined share exceeds the budget.
 * Header drift is handled by `schemaContract` and always reported in `result.drift`.
 * @example
 * const result = await ingestCsv(conn, {
 *   files: ['/data/landing/events*.csv'],
 *   columns: [{ name: 'event_id', type: 'UUID', required: true }, { name: 'value', type: 'INTEGER' }],
 *   key: ['event_id'],
 *   target: '"bronze"."events__staging"',
 *   quarantine: '"bronze"."events_quarantine__staging"',
 *   errorBudgetPercent: 1,
 *   schemaContract: 'evolve', // new header columns become VARCHAR columns of the target
 * });
 * // result.drift: [{ file: '/data/landing/events-2.csv', added: ['site'], missing: [] }]
 * // result.accepted + result.quarantined + result.skipped === result.read
 */
export async function ingestCsv(connection: IngestConnection, options: CsvIngestOptions): Promise<CsvIngestResult> {
  const { keyIndexes, delimiter } = validate(options);
  const files = await resolveFiles(connection, 'CSV', options.files);
  const parsed = await readHeaders(connection, files, delimiter);
  const { columns, headers, drift, discarded } = applySchemaContract(options.schemaContract ?? 'ignore_extra', options.columns, parsed);
  const shape = { format: 'CSV' as const, files, columns, keyIndexes, positionColumn: '_line_number', columnDetail: discardedFileDetail(discarded) };
  const onePass = await readingFiles('CSV', files, () =>
    loadCsvInOnePass(connection, {
      files,
      headers,
      columns,
      keyIndexes,
      delimiter,
      target: options.target,
      extraColumns: options.extraColumns,
      lineageColumns: options.lineageColumns,
    }),
  );
  if (onePass) {
    try {
      await createEmptyQuarantine(connection, shape, options.quarantine);
    } catch (error) {
      await connection.exec(`DROP TABLE IF EXISTS ${options.target}`).catch(() => undefined);
      throw error;
    }
    return { ...onePass, drift };
  }
  const rows = scratchTable('rows');
  await execOverTextLines(connection, 'CSV', files, (escaped) => createRowsSql(rows, files, headers, columns, delimiter, escaped));
  return loadClassifiedRows(connection, { ...shape, rows }, loadTargetsOf(options, drift));
}
