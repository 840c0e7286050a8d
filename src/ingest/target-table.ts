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
 * The target's `_source_file`: an ENUM of the files read (in name order, so ordering by it is ordering by name).
 * DuckDB writes a VARCHAR column row by row through its string compression even when every value is the same, which
 * cost ~40 % of a plain read of the demo's 3M-row Parquet file; an ENUM is a small integer per row. It compares, joins
 * and concatenates as text, and the PostgreSQL warehouse receives it as text.
 */
export function sourceFileSql(files: readonly string[], fileIndex: string): string {
  const values = files.map(sqlString);
  const file = files.length === 1 ? values[0]! : `[${values.join(', ')}][${fileIndex}]`;
  return `CAST(${file} AS ENUM(${values.join(', ')}))`;
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
