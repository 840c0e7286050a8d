// The accepted-rows table every ingestion creates: the loaded columns, where each row came from, and any columns the
// caller adds, written in the same statement that reads the rows (one pass, no copy).
import { quoteIdentifier, sqlString } from '../model/asset-key.js';
import type { IngestColumn } from './ingest-columns.js';

/** How the target is shaped beyond the loaded columns (see `IngestOptions`). */
export interface TargetShape {
  extraColumns?: Readonly<Record<string, string>> | undefined;
  lineageColumns?: boolean | undefined;
}

/**
 * The target's `_source_file`: the path of the file each row came from, as text. (An ENUM of the files was cheaper to
 * write, ~40 % of a plain 3M-row Parquet read, but an incremental asset appending a later load, whose ENUM lists other
 * files, into its table failed with a conversion error, and every materialization's schema spelled out every file.)
 */
export function sourceFileSql(files: readonly string[], fileIndex: string): string {
  const values = files.map(sqlString);
  return files.length === 1 ? values[0]! : `[${values.join(', ')}][${fileIndex}]`;
}

/** What the target is built from: a relation with `c<i>` per column, the file's 1-based index and the position. */
export interface AcceptedRows {
  /** A FROM item (table, or parenthesized query with an alias) holding only accepted rows, or filtered by `where`. */
  from: string;
  where?: string;
  fileIndex: string;
  position: string;
}

/**
 * `CREATE TABLE target AS ...`: the typed columns under their names, `_source_file` and the position column (unless
 * `lineageColumns` is false), then each extra column, whose expression may use the loaded and lineage columns.
 * Row order is not guaranteed.
 */
export function createTargetSql(
  target: string,
  columns: readonly IngestColumn[],
  files: readonly string[],
  positionColumn: string,
  shape: TargetShape,
  rows: AcceptedRows,
): string {
  const position = quoteIdentifier(positionColumn);
  const loaded = columns.map((column, i) => `c${i} AS ${quoteIdentifier(column.name)}`).join(', ');
  const extras = Object.entries(shape.extraColumns ?? {}).map(([name, expression]) => `, (${expression}) AS ${quoteIdentifier(name)}`);
  // Lineage left out of the target is not computed: DuckDB drops unused columns of the subquery.
  const star = shape.lineageColumns === false ? `* EXCLUDE (_source_file, ${position})` : '*';
  return `CREATE TABLE ${target} AS
SELECT ${star}${extras.join('')} FROM (
  SELECT ${loaded}, ${sourceFileSql(files, rows.fileIndex)} AS _source_file, ${rows.position} AS ${position}
  FROM ${rows.from}${rows.where ? ` WHERE ${rows.where}` : ''}
) AS accepted`;
}
