// CSV ingestion with quarantine: good lines load typed, every bad line lands in a quarantine table, nothing is lost.
import { randomBytes } from 'node:crypto';
import { SluiceError } from '../errors.js';
import { assertIdentifier, quoteIdentifier, sqlString } from '../model/asset-key.js';
import {
  createFilesSql,
  createHeadersSql,
  createLinesSql,
  createQuarantineSql,
  createRowsSql,
  createTargetSql,
  markDuplicatesSql,
  SKIP_REASONS,
} from './csv-ingest-sql.js';
import type { CsvColumn, CsvColumnType, IngestTables } from './csv-ingest-sql.js';

export type { CsvColumn, CsvColumnType } from './csv-ingest-sql.js';

/** The warehouse access ingestion needs (the DuckDB adapter's connection fits). */
export interface IngestConnection {
  query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  exec(sql: string): Promise<void>;
}

/** What to read and where to put it. */
export interface CsvIngestOptions {
  /** Absolute paths or globs; overlapping matches are read once, files in name order. */
  files: readonly string[];
  /** Expected columns, found by name in each file's header (extra header columns are ignored). */
  columns: readonly CsvColumn[];
  /** Quoted relation to create with the accepted rows (plus `_source_file`, `_line_number`). */
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
  return { keyIndexes, delimiter };
}

function scratchTables(): IngestTables {
  const prefix = `_sluice_ingest_${randomBytes(6).toString('hex')}`;
  return {
    files: quoteIdentifier(`${prefix}_files`),
    lines: quoteIdentifier(`${prefix}_lines`),
    headers: quoteIdentifier(`${prefix}_headers`),
    rows: quoteIdentifier(`${prefix}_rows`),
  };
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
  const missing = patterns.filter((pattern) => !/[*?[{]/.test(pattern) && !files.includes(pattern));
  if (missing.length > 0) throw new SluiceError('SOURCE_ERROR', `CSV file(s) not found: ${missing.join(', ')}`);
  if (files.length === 0) throw new SluiceError('SOURCE_ERROR', `no CSV file matches ${patterns.join(', ')}; check the path or the glob`);
  return files;
}

/** Fails when a file's header lacks a configured column: loading it would silently null that column. */
async function checkHeaders(connection: IngestConnection, tables: IngestTables, columns: readonly CsvColumn[]): Promise<void> {
  const rows = await connection.query(
    `SELECT f.file, h.header_line, ${columns.map((_, i) => `h.p${i}`).join(', ')}
     FROM ${tables.headers} AS h JOIN ${tables.files} AS f USING (file_index) ORDER BY f.file_index`,
  );
  for (const row of rows) {
    if (row.header_line === null || row.header_line === undefined) {
      throw new SluiceError('SOURCE_ERROR', `${String(row.file)}: the header line is not valid UTF-8; re-export the file as UTF-8`);
    }
    const missing = columns.filter((_, i) => Number(row[`p${i}`]) === 0).map((column) => column.name);
    if (missing.length > 0) {
      throw new SluiceError(
        'SOURCE_ERROR',
        `${String(row.file)}: the header "${String(row.header_line)}" lacks column(s) ${missing.join(', ')}; ` +
          `fix the file or the column list`,
      );
    }
  }
}

async function countReasons(connection: IngestConnection, tables: IngestTables, files: number): Promise<CsvIngestResult> {
  const rows = await connection.query(`SELECT reason, reason_column, count(*) AS n FROM ${tables.rows} GROUP BY ALL`);
  const result: CsvIngestResult = { read: 0, accepted: 0, quarantined: 0, skipped: 0, byReason: {}, files };
  for (const row of rows) {
    const count = Number(row.n);
    const reason = row.reason === null || row.reason === undefined ? null : String(row.reason);
    result.read += count;
    if (reason === null) {
      result.accepted += count;
      continue;
    }
    if ((SKIP_REASONS as readonly string[]).includes(reason)) result.skipped += count;
    else result.quarantined += count;
    const label = row.reason_column && reason !== 'duplicate_key' ? `${reason}:${String(row.reason_column)}` : reason;
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
 * @example
 * const result = await ingestCsv(conn, {
 *   files: ['/data/landing/events*.csv'],
 *   columns: [{ name: 'event_id', type: 'UUID', required: true }, { name: 'value', type: 'INTEGER' }],
 *   key: ['event_id'],
 *   target: '"bronze"."events__staging"',
 *   quarantine: '"bronze"."events_quarantine__staging"',
 *   errorBudgetPercent: 1,
 * });
 * // result.accepted + result.quarantined + result.skipped === result.read
 */
export async function ingestCsv(connection: IngestConnection, options: CsvIngestOptions): Promise<CsvIngestResult> {
  const { keyIndexes, delimiter } = validate(options);
  const files = await resolveFiles(connection, options.files);
  const tables = scratchTables();
  const created: string[] = [];
  try {
    await connection.exec(createFilesSql(tables, files));
    try {
      await connection.exec(createLinesSql(tables, files));
    } catch (error) {
      throw new SluiceError('SOURCE_ERROR', `cannot read CSV files ${files.join(', ')}: ${(error as Error).message}`, { cause: error });
    }
    await connection.exec(createHeadersSql(tables, options.columns, delimiter));
    await checkHeaders(connection, tables, options.columns);
    await connection.exec(createRowsSql(tables, options.columns, delimiter));
    if (keyIndexes.length > 0) {
      await connection.exec(markDuplicatesSql(tables, keyIndexes, keyIndexes.map((i) => options.columns[i]?.name ?? '')));
    }
    const result = await countReasons(connection, tables, files.length);
    const data = result.accepted + result.quarantined;
    const percent = data > 0 ? (result.quarantined / data) * 100 : 0;
    if (options.errorBudgetPercent !== undefined && percent > options.errorBudgetPercent) {
      throw new ErrorBudgetExceededError(result, options.errorBudgetPercent, percent);
    }
    await connection.exec(createTargetSql(tables, options.target, options.columns));
    created.push(options.target);
    await connection.exec(createQuarantineSql(tables, options.quarantine));
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
    for (const table of [tables.rows, tables.headers, tables.lines, tables.files]) {
      await connection.exec(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    }
  }
}
