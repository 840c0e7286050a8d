// The second half of every ingestion: from a scratch table of classified rows to the accepted and quarantine tables,
// with duplicate keys, the error budget and the accounting invariant enforced the same way for every source format.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { SluiceError } from '../errors.js';
import { quoteIdentifier, sqlString } from '../model/asset-key.js';
import type { IngestColumn, IngestOptions, SourceFormat } from './ingest-columns.js';
import type { SchemaDrift } from './schema-contract.js';
import { createTarget } from './target-table.js';
import type { TargetShape } from './target-table.js';

/** The warehouse access ingestion needs (the DuckDB adapter's connection fits). */
export interface IngestConnection {
  query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  exec(sql: string): Promise<void>;
}

/**
 * The accounting of one ingestion. Invariant: `accepted + quarantined + skipped = read`, where `read` counts every
 * data line (CSV: below each file's header) or row (Parquet), and `skipped` counts lines that carry no data: repeated
 * CSV header lines and blank lines. Parquet never skips.
 */
export interface IngestResult {
  read: number;
  accepted: number;
  quarantined: number;
  skipped: number;
  /** Rows per reason: `bad_cast:<column>`, `null_required:<column>`, `missing_columns`, ..., and the skip reasons. */
  byReason: Record<string, number>;
  files: number;
  /** Each file whose columns differ from the configured ones, with its added and missing columns (empty when none). */
  drift: SchemaDrift[];
}

/** Rows that are neither accepted nor quarantined, only counted. */
const SKIP_REASONS = ['header_repeat', 'blank_line'] as const;

/** Thrown when the quarantined share exceeds the error budget; nothing was created. Carries the full accounting. */
export class ErrorBudgetExceededError extends SluiceError {
  constructor(
    readonly result: IngestResult,
    readonly budgetPercent: number,
    readonly quarantinedPercent: number,
  ) {
    const reasons = Object.entries(result.byReason)
      .filter(([reason]) => !(SKIP_REASONS as readonly string[]).includes(reason))
      .map(([reason, count]) => `${reason} ${count}`)
      .join(', ');
    super(
      'SOURCE_ERROR',
      `${result.quarantined} of ${result.accepted + result.quarantined} data rows (${quarantinedPercent.toFixed(2)} %) ` +
        `would be quarantined (${reasons}), over the error budget of ${budgetPercent} %; nothing was loaded. ` +
        `Fix the source files or raise errorBudgetPercent.`,
    );
  }
}

/** A uniquely named scratch table in the connection's temp schema, so concurrent ingestions never collide. */
export function scratchTable(role: string): string {
  return quoteIdentifier(`_sluice_ingest_${randomBytes(6).toString('hex')}_${role}`);
}

/** A DuckDB list literal of the files; a row's `file_index` is its 1-based position in it. */
export function fileList(files: readonly string[]): string {
  return `[${files.map(sqlString).join(', ')}]`;
}

/** Runs a statement that reads the files, reporting a failure as a source error that names them. */
export async function readingFiles<T>(format: SourceFormat, files: readonly string[], run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof SluiceError) throw error;
    const named = files.length <= 5 ? files.join(', ') : `${files.slice(0, 5).join(', ')} and ${files.length - 5} more`;
    throw new SluiceError('SOURCE_ERROR', `cannot read ${format} files ${named}: ${(error as Error).message}`, { cause: error });
  }
}

/** Expands globs with DuckDB itself (the same matcher that reads them), de-duplicated and in name order. */
export async function resolveFiles(connection: IngestConnection, format: SourceFormat, patterns: readonly string[]): Promise<string[]> {
  const rows = await readingFiles(format, patterns, () => connection.query(`SELECT DISTINCT filename FROM read_blob(${fileList(patterns)}) ORDER BY filename`));
  const files = rows.map((row) => String(row.filename));
  // DuckDB silently yields nothing for a missing file; an empty load would replace good data with nothing.
  const found = new Set(files.map((file) => resolve(file)));
  const missing = patterns.filter((pattern) => !/[*?[{]/.test(pattern) && !found.has(resolve(pattern)));
  if (missing.length > 0) throw new SluiceError('SOURCE_ERROR', `${format} file(s) not found: ${missing.join(', ')}`);
  if (files.length === 0) throw new SluiceError('SOURCE_ERROR', `no ${format} file matches ${patterns.join(', ')}; check the path or the glob`);
  return files;
}

/**
 * How a format's scratch table is laid out. The table has `file_index`, `line_number` (the position the format
 * reports), `raw`, `defect` (NULL when accepted, a skip reason, or the first defect found, a column named by its
 * 1-based index as in `bad_cast:2`) and one typed column `c<i>` per entry of `columns`.
 */
export interface ClassifiedRows {
  format: SourceFormat;
  /**
   * The classified rows: a scratch table (dropped when loading ends, whatever happens), or a parenthesized SELECT
   * that each pass evaluates again. A query saves writing every row twice when reading the source is cheap
   * (Parquet); it takes no key, since marking duplicates updates the rows.
   */
  rows: string;
  rowsAreQuery?: boolean;
  /**
   * A scalar subquery counting the source's rows without classifying them (Parquet metadata). Given with
   * `rowsAreQuery`, the target is built first and the rows are classified again only when some were rejected: a clean
   * load is one pass, and its empty quarantine is created without planning the classification again.
   */
  readCount?: string;
  files: readonly string[];
  columns: readonly IngestColumn[];
  /** 0-based indexes into `columns` of the unique key; repeats after the first accepted row become `duplicate_key`. */
  keyIndexes: readonly number[];
  /** What the position is called in the target and quarantine tables: `_line_number` or `_row_offset`. */
  positionColumn: string;
  /** SQL over the scratch table giving the `_column` text of a defect that names no column itself (e.g. `schema_drift`). */
  columnDetail?: string | undefined;
}

export interface LoadTargets extends TargetShape {
  target: string;
  quarantine: string;
  errorBudgetPercent?: number | undefined;
  drift: SchemaDrift[];
}

/** The load targets an ingestion's options ask for, with the schema drift the format found. */
export function loadTargetsOf(options: IngestOptions, drift: SchemaDrift[]): LoadTargets {
  const { target, quarantine, errorBudgetPercent, extraColumns, lineageColumns } = options;
  return { target, quarantine, errorBudgetPercent, extraColumns, lineageColumns, drift };
}

/**
 * Marks accepted rows whose key repeats an earlier accepted row (in file order, then position) as `duplicate_key`.
 * Keys with a null part never collide, as in a SQL unique constraint. Only keys that do repeat are ranked.
 */
function markDuplicatesSql(rows: string, keyIndexes: readonly number[]): string {
  const keys = keyIndexes.map((i) => `c${i}`);
  const notNull = keys.map((key) => `${key} IS NOT NULL`).join(' AND ');
  const join = keys.map((key) => `r.${key} = d.${key}`).join(' AND ');
  return `UPDATE ${rows} SET defect = 'duplicate_key'
FROM (
  SELECT file_index, line_number FROM (
    SELECT r.file_index, r.line_number, row_number() OVER (PARTITION BY ${keys.map((key) => `r.${key}`).join(', ')} ORDER BY r.file_index, r.line_number) AS rank
    FROM ${rows} AS r
    JOIN (SELECT ${keys.join(', ')} FROM ${rows} WHERE defect IS NULL AND ${notNull} GROUP BY ALL HAVING count(*) > 1) AS d ON ${join}
    WHERE r.defect IS NULL
  ) AS ranked WHERE rank > 1
) AS dup
WHERE ${rows}.file_index = dup.file_index AND ${rows}.line_number = dup.line_number`;
}

/** Creates the accepted table (see `createTarget`) from the rows without a defect. */
async function createAcceptedTable(connection: IngestConnection, classified: ClassifiedRows, targets: LoadTargets): Promise<number | undefined> {
  const { columns, files, positionColumn } = classified;
  return createTarget(connection, {
    target: targets.target,
    columns,
    files,
    positionColumn,
    shape: targets,
    rows: { from: relationOf(classified), where: 'defect IS NULL', fileIndex: 'file_index', position: 'line_number' },
  });
}

/** The classified rows as a FROM item. */
function relationOf(classified: ClassifiedRows): string {
  return classified.rowsAreQuery ? `${classified.rows} AS classified_rows` : classified.rows;
}

/** Creates the quarantine table: one row per rejected row with its first defect and its raw text. */
function createQuarantineSql(classified: ClassifiedRows, quarantine: string, anyQuarantined: boolean): string {
  const { files, columns, keyIndexes } = classified;
  const skips = SKIP_REASONS.map(sqlString).join(', ');
  const names = `[${columns.map((column) => sqlString(column.name)).join(', ')}]`;
  const key = keyIndexes.map((i) => columns[i]?.name ?? '').join(',');
  return `CREATE TABLE ${quarantine} AS
SELECT ${fileList(files)}[file_index] AS _source_file, line_number AS ${quoteIdentifier(classified.positionColumn)},
  CASE WHEN defect = 'duplicate_key' THEN ${key.length > 0 ? sqlString(key) : 'NULL'}
    WHEN contains(defect, ':') THEN ${names}[CAST(split_part(defect, ':', 2) AS INTEGER)]
    ELSE ${classified.columnDetail ?? 'NULL'} END AS _column,
  split_part(defect, ':', 1) AS _error_type, raw AS _raw_line, now() AS _quarantined_at
FROM ${relationOf(classified)}
WHERE ${anyQuarantined ? '' : 'false AND '}defect IS NOT NULL AND defect NOT IN (${skips})
ORDER BY file_index, line_number`;
}

/** The quarantine table of a load that rejected nothing: empty, with the columns and types a classified load gives it. */
export async function createEmptyQuarantine(
  connection: IngestConnection,
  classified: Omit<ClassifiedRows, 'rows' | 'rowsAreQuery'>,
  quarantine: string,
): Promise<void> {
  const rows = `(SELECT CAST(NULL AS INTEGER) AS file_index, CAST(NULL AS BIGINT) AS line_number, CAST(NULL AS VARCHAR) AS raw, CAST(NULL AS VARCHAR) AS defect)`;
  await connection.exec(createQuarantineSql({ ...classified, rows, rowsAreQuery: true }, quarantine, false));
}

async function countReasons(connection: IngestConnection, classified: ClassifiedRows): Promise<IngestResult> {
  const rows = await connection.query(`SELECT defect, count(*) AS n FROM ${relationOf(classified)} GROUP BY ALL`);
  const result: IngestResult = { read: 0, accepted: 0, quarantined: 0, skipped: 0, byReason: {}, files: classified.files.length, drift: [] };
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
    const label = column === undefined ? reason : `${reason}:${classified.columns[Number(column) - 1]?.name ?? column}`;
    result.byReason[label] = (result.byReason[label] ?? 0) + count;
  }
  return result;
}

/** A cheap recount guards the promise that no row read is lost between classification and the tables. */
async function assertAllWritten(connection: IngestConnection, classified: ClassifiedRows, targets: LoadTargets, result: IngestResult): Promise<void> {
  const [counts] = await connection.query(
    `SELECT (SELECT count(*) FROM ${targets.target}) AS accepted, (SELECT count(*) FROM ${targets.quarantine}) AS quarantined`,
  );
  const [accepted, quarantined] = [Number(counts?.accepted ?? -1), Number(counts?.quarantined ?? -1)];
  if (accepted !== result.accepted || quarantined !== result.quarantined) {
    throw new SluiceError(
      'SOURCE_ERROR',
      `${classified.format} ingestion lost track of rows: counted ${result.accepted} accepted and ${result.quarantined} quarantined, ` +
        `wrote ${accepted} and ${quarantined}; this is a bug in Sluice`,
    );
  }
}

/**
 * Finishes an ingestion from its classified scratch table: marks duplicate keys, counts, enforces the error budget,
 * creates the target and quarantine tables and re-counts them (see `assertAllWritten`). On any failure nothing is left
 * created; the scratch table is always dropped.
 */
export async function loadClassifiedRows(connection: IngestConnection, classified: ClassifiedRows, targets: LoadTargets): Promise<IngestResult> {
  if (classified.rowsAreQuery && classified.keyIndexes.length > 0) throw new Error('classified rows given as a query cannot take a key');
  const created: string[] = [];
  try {
    if (classified.keyIndexes.length > 0) await connection.exec(markDuplicatesSql(classified.rows, classified.keyIndexes));
    let result: IngestResult | undefined;
    if (classified.rowsAreQuery && classified.readCount) {
      const written = await createAcceptedTable(connection, classified, targets);
      created.push(targets.target);
      const acceptedSql = written ?? `(SELECT count(*) FROM ${targets.target})`;
      const [counts] = await connection.query(`SELECT ${acceptedSql} AS accepted, ${classified.readCount} AS read`);
      const [accepted, read] = [Number(counts?.accepted ?? -1), Number(counts?.read ?? -2)];
      if (accepted === read) result = { read, accepted, quarantined: 0, skipped: 0, byReason: {}, files: classified.files.length, drift: [] };
    }
    const clean = result !== undefined;
    result ??= await countReasons(connection, classified);
    result.drift = targets.drift;
    const data = result.accepted + result.quarantined;
    const percent = data > 0 ? (result.quarantined / data) * 100 : 0;
    if (targets.errorBudgetPercent !== undefined && percent > targets.errorBudgetPercent) {
      throw new ErrorBudgetExceededError(result, targets.errorBudgetPercent, percent);
    }
    if (!created.includes(targets.target)) {
      await createAcceptedTable(connection, classified, targets);
      created.push(targets.target);
    }
    // With nothing to quarantine the table is created empty without reading the rows again.
    if (clean) await createEmptyQuarantine(connection, classified, targets.quarantine);
    else await connection.exec(createQuarantineSql(classified, targets.quarantine, result.quarantined > 0));
    created.push(targets.quarantine);
    // A clean load has its target counted against the source already, and its quarantine is empty by construction.
    if (!clean) await assertAllWritten(connection, classified, targets, result);
    created.length = 0;
    return result;
  } finally {
    for (const relation of created.reverse()) await connection.exec(`DROP TABLE IF EXISTS ${relation}`).catch(() => undefined);
    if (!classified.rowsAreQuery) await connection.exec(`DROP TABLE IF EXISTS ${classified.rows}`).catch(() => undefined);
  }
}
