// CSV ingestion with quarantine: good lines load typed, every bad line lands in a quarantine table, nothing is lost.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { SluiceError } from '../errors.js';
import { assertIdentifier, quoteIdentifier, sqlString } from '../model/asset-key.js';
import {
  createQuarantineSql,
  createRowsSql,
  createTargetSql,
  headerFieldsSql,
  markDuplicatesSql,
  SKIP_REASONS,
} from './csv-ingest-sql.js';
import type { CsvColumn, CsvColumnType, FileHeader } from './csv-ingest-sql.js';
import { readHeaderLine } from './csv-header.js';
import { applySchemaContract, SCHEMA_CONTRACTS } from './csv-contract.js';
import type { ParsedHeader, SchemaContract, SchemaDrift } from './csv-contract.js';

export type { CsvColumn, CsvColumnType } from './csv-ingest-sql.js';
export type { SchemaContract, SchemaDrift } from './csv-contract.js';

/** The warehouse access ingestion needs (the DuckDB adapter's connection fits). */
export interface IngestConnection {
  query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  exec(sql: string): Promise<void>;
}

/** What to read and where to put it. */
export interface CsvIngestOptions {
  /** Absolute paths or globs; overlapping matches are read once, files in name order. */
  files: readonly string[];
  /** Expected columns, found by name in each file's header (what happens to other header columns: `schemaContract`). */
  columns: readonly CsvColumn[];
  /** Quoted relation to create with the accepted rows (plus `_source_file`, `_line_number`; order by those to read in file order). */
  target: string;
  /** Quoted relation to create with one row per rejected line. */
  quarantine: string;
  /** Columns whose combination must be unique: later repeats are quarantined as `duplicate_key`. */
  key?: readonly string[];
  /** The first line of every file is its header (the only supported layout). */
  header?: true;
  /** Field delimiter, one character (default `,`). */
  delimiter?: string;
  /** Fail, creating nothing, when more than this percentage of data lines is quarantined. */
  errorBudgetPercent?: number;
  /**
   * What to do when a file's header differs from `columns` (by name): `ignore_extra` (default: extra header columns are
   * ignored, a missing column fails), `evolve` (extra columns are added as VARCHAR, missing optional ones are NULL),
   * `freeze` (any difference fails, creating nothing) or `discard_row` (a differing file's data lines are quarantined
   * as `schema_drift`). The drift found is always reported in the result.
   */
  schemaContract?: SchemaContract;
}

/**
 * The accounting of one ingestion. Invariant: `accepted + quarantined + skipped = read`, where `read` counts every
 * line below each file's header and `skipped` counts repeated header lines and blank lines.
 */
export interface CsvIngestResult {
  read: number;
  accepted: number;
  quarantined: number;
  skipped: number;
  /** Lines per reason: `bad_cast:<column>`, `null_required:<column>`, `missing_columns`, ..., and the skip reasons. */
  byReason: Record<string, number>;
  files: number;
  /** Each file whose header differs from the configured columns, with its added and missing columns (empty when none). */
  drift: SchemaDrift[];
}

/** Thrown when the quarantined share exceeds the error budget; nothing was created. Carries the full accounting. */
export class ErrorBudgetExceededError extends SluiceError {
  constructor(readonly result: CsvIngestResult, readonly budgetPercent: number, readonly quarantinedPercent: number) {
    const reasons = Object.entries(result.byReason)
      .filter(([reason]) => !(SKIP_REASONS as readonly string[]).includes(reason))
      .map(([reason, count]) => `${reason} ${count}`)
      .join(', ');
    super(
      'SOURCE_ERROR',
      `${result.quarantined} of ${result.accepted + result.quarantined} data lines (${quarantinedPercent.toFixed(2)} %) ` +
        `would be quarantined (${reasons}), over the error budget of ${budgetPercent} %; nothing was loaded. ` +
        `Fix the source files or raise errorBudgetPercent.`,
    );
  }
}

const COLUMN_TYPES: readonly CsvColumnType[] = ['VARCHAR', 'INTEGER', 'BIGINT', 'DOUBLE', 'TIMESTAMP', 'DATE', 'BOOLEAN', 'UUID'];
const LINEAGE_COLUMNS = ['_source_file', '_line_number'];

function invalid(message: string): SluiceError {
  return new SluiceError('INVALID_DEFINITION', `CSV ingestion: ${message}`);
}

function validate(options: CsvIngestOptions): { keyIndexes: number[]; delimiter: string } {
  if (options.files.length === 0) throw invalid('no files given; pass absolute paths or globs in `files`');
  if (options.header !== undefined && options.header !== true) throw invalid('only files with a header line are supported (header: true)');
  if (options.columns.length === 0) throw invalid('no columns given');
  const seen = new Set<string>();
  for (const column of options.columns) {
    assertIdentifier(column.name, 'CSV column');
    const lower = column.name.toLowerCase();
    if (seen.has(lower)) throw invalid(`column "${column.name}" is listed twice`);
    if (LINEAGE_COLUMNS.includes(lower)) throw invalid(`column "${column.name}" clashes with the lineage column Sluice adds`);
    seen.add(lower);
    if (!COLUMN_TYPES.includes(column.type)) {
      throw invalid(`column "${column.name}" has type "${String(column.type)}"; use one of ${COLUMN_TYPES.join(', ')}`);
    }
  }
  const keyIndexes = (options.key ?? []).map((key) => {
    const index = options.columns.findIndex((column) => column.name.toLowerCase() === key.toLowerCase());
    if (index < 0) throw invalid(`key column "${key}" is not one of the columns (${options.columns.map((c) => c.name).join(', ')})`);
    return index;
  });
  const delimiter = options.delimiter ?? ',';
  if ([...delimiter].length !== 1 || ['"', '\n', '\r'].includes(delimiter)) {
    throw invalid(`delimiter ${JSON.stringify(delimiter)} must be a single character other than a quote or a line break`);
  }
  const budget = options.errorBudgetPercent;
  if (budget !== undefined && !(budget >= 0 && budget <= 100)) throw invalid(`errorBudgetPercent must be between 0 and 100, got ${budget}`);
  const contract = options.schemaContract;
  if (contract !== undefined && !SCHEMA_CONTRACTS.includes(contract)) {
    throw invalid(`schemaContract "${String(contract)}" is not one of ${SCHEMA_CONTRACTS.join(', ')}`);
  }
  return { keyIndexes, delimiter };
}

/** The one scratch table, in the connection's temp schema, uniquely named so concurrent ingestions never collide. */
function scratchTable(): string {
  return quoteIdentifier(`_sluice_ingest_${randomBytes(6).toString('hex')}_rows`);
}

/** Expands globs with DuckDB itself (the same matcher that reads them), de-duplicated and in name order. */
async function resolveFiles(connection: IngestConnection, patterns: readonly string[]): Promise<string[]> {
  let files: string[];
  try {
    const rows = await connection.query(
      `SELECT DISTINCT filename FROM read_blob([${patterns.map(sqlString).join(', ')}]) ORDER BY filename`,
    );
    files = rows.map((row) => String(row.filename));
  } catch (error) {
    throw new SluiceError('SOURCE_ERROR', `cannot read CSV files ${patterns.join(', ')}: ${(error as Error).message}`, { cause: error });
  }
  // DuckDB silently yields nothing for a missing file; an empty load would replace good data with nothing.
  const found = new Set(files.map((file) => resolve(file)));
  const missing = patterns.filter((pattern) => !/[*?[{]/.test(pattern) && !found.has(resolve(pattern)));
  if (missing.length > 0) throw new SluiceError('SOURCE_ERROR', `CSV file(s) not found: ${missing.join(', ')}`);
  if (files.length === 0) throw new SluiceError('SOURCE_ERROR', `no CSV file matches ${patterns.join(', ')}; check the path or the glob`);
  return files;
}

/** Runs a statement that reads the files, reporting a failure as a source error that names them. */
async function readingFiles<T>(files: readonly string[], run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new SluiceError('SOURCE_ERROR', `cannot read CSV files ${files.join(', ')}: ${(error as Error).message}`, { cause: error });
  }
}

/** Reads and parses every file's header. Fails when one is unreadable or has broken quoting. */
async function readHeaders(connection: IngestConnection, files: readonly string[], delimiter: string): Promise<ParsedHeader[]> {
  // One file at a time: a landing folder may hold thousands of files, more than the process may open at once.
  const lines: (string | null)[] = [];
  for (const file of files) lines.push(await readHeaderLine(file));
  const present = lines.flatMap((line, index) => (line === null ? [] : [{ line, index }]));
  const parsed = present.length === 0 ? [] : await connection.query(headerFieldsSql(present.length, delimiter), present.map(({ line }) => line));
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

/** Files DuckDB cannot read as UTF-8 text; each is checked alone, which only happens once one has failed. */
async function filesNotUtf8(connection: IngestConnection, files: readonly string[]): Promise<Set<number>> {
  const invalid = new Set<number>();
  for (const [index, file] of files.entries()) {
    try {
      await connection.query(`SELECT octet_length(encode(content)) AS n FROM read_text(${sqlString(file)})`);
    } catch (error) {
      if (!INVALID_TEXT.test((error as Error).message)) throw error;
      invalid.add(index + 1);
    }
  }
  return invalid;
}

const INVALID_TEXT = /could not read content of file .* as valid UTF-8/;

/** Builds the scratch table of classified lines, reading files as text and falling back to bytes for non-UTF-8 files. */
async function classifyLines(
  connection: IngestConnection,
  rows: string,
  files: readonly string[],
  headers: readonly FileHeader[],
  columns: readonly CsvColumn[],
  delimiter: string,
): Promise<void> {
  await readingFiles(files, async () => {
    try {
      await connection.exec(createRowsSql(rows, files, headers, columns, delimiter));
    } catch (error) {
      if (!INVALID_TEXT.test((error as Error).message)) throw error;
      // A failed CREATE leaves no table behind, so the statement can simply run again with the bad files as bytes.
      await connection.exec(createRowsSql(rows, files, headers, columns, delimiter, await filesNotUtf8(connection, files)));
    }
  });
}

async function countReasons(connection: IngestConnection, scratch: string, files: number, columns: readonly CsvColumn[]): Promise<CsvIngestResult> {
  const rows = await connection.query(`SELECT defect, count(*) AS n FROM ${scratch} GROUP BY ALL`);
  const result: CsvIngestResult = { read: 0, accepted: 0, quarantined: 0, skipped: 0, byReason: {}, files, drift: [] };
  for (const row of rows) {
    const count = Number(row.n);
    result.read += count;
    if (row.defect === null || row.defect === undefined) {
      result.accepted += count;
      continue;
    }
    const [reason = '', column] = String(row.defect).split(':');
    if ((SKIP_REASONS as readonly string[]).includes(reason)) result.skipped += count;
    else result.quarantined += count;
    const label = column === undefined ? reason : `${reason}:${columns[Number(column) - 1]?.name ?? column}`;
    result.byReason[label] = (result.byReason[label] ?? 0) + count;
  }
  return result;
}

async function countRows(connection: IngestConnection, relation: string): Promise<number> {
  const [row] = await connection.query(`SELECT count(*) AS n FROM ${relation}`);
  return Number(row?.n ?? -1);
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
  const files = await resolveFiles(connection, options.files);
  const parsed = await readHeaders(connection, files, delimiter);
  const { columns, headers, drift, discarded } = applySchemaContract(options.schemaContract ?? 'ignore_extra', options.columns, parsed);
  const rows = scratchTable();
  const created: string[] = [];
  try {
    await classifyLines(connection, rows, files, headers, columns, delimiter);
    if (keyIndexes.length > 0) {
      await connection.exec(markDuplicatesSql(rows, keyIndexes));
    }
    const result = await countReasons(connection, rows, files.length, columns);
    result.drift = drift;
    const data = result.accepted + result.quarantined;
    const percent = data > 0 ? (result.quarantined / data) * 100 : 0;
    if (options.errorBudgetPercent !== undefined && percent > options.errorBudgetPercent) {
      throw new ErrorBudgetExceededError(result, options.errorBudgetPercent, percent);
    }
    await connection.exec(createTargetSql(rows, files, options.target, columns));
    created.push(options.target);
    await connection.exec(createQuarantineSql(rows, files, options.quarantine, columns, keyIndexes.map((i) => columns[i]?.name ?? ''), discarded));
    created.push(options.quarantine);
    // A cheap recount guards the promise that no line read is lost between classification and the tables.
    const [accepted, quarantined] = [await countRows(connection, options.target), await countRows(connection, options.quarantine)];
    if (accepted !== result.accepted || quarantined !== result.quarantined) {
      throw new SluiceError(
        'SOURCE_ERROR',
        `CSV ingestion lost track of rows: counted ${result.accepted} accepted and ${result.quarantined} quarantined, ` +
          `wrote ${accepted} and ${quarantined}; this is a bug in Sluice`,
      );
    }
    created.length = 0;
    return result;
  } finally {
    for (const relation of created.reverse()) await connection.exec(`DROP TABLE IF EXISTS ${relation}`).catch(() => undefined);
    await connection.exec(`DROP TABLE IF EXISTS ${rows}`).catch(() => undefined);
  }
}
