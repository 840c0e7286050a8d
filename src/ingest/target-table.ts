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

/** The accepted-rows table to create: its name, the loaded columns, the files read, the position column's name, its shape and rows. */
export interface TargetTable {
  target: string;
  columns: readonly IngestColumn[];
  files: readonly string[];
  positionColumn: string;
  shape: TargetShape;
  rows: AcceptedRows;
}

/**
 * The SELECT that gives the target its rows: the typed columns under their names, `_source_file` and the position
 * column (unless `lineageColumns` is false), then each extra column, whose expression may use the loaded and lineage
 * columns. Row order is not guaranteed.
 */
function targetRowsSql({ columns, files, positionColumn, shape, rows }: TargetTable): string {
  const position = quoteIdentifier(positionColumn);
  const loaded = columns.map((column, i) => `c${i} AS ${quoteIdentifier(column.name)}`).join(', ');
  const extras = Object.entries(shape.extraColumns ?? {}).map(([name, expression]) => `, (${expression}) AS ${quoteIdentifier(name)}`);
  // Lineage left out of the target is not computed: DuckDB drops unused columns of the subquery.
  const star = shape.lineageColumns === false ? `* EXCLUDE (_source_file, ${position})` : '*';
  return `SELECT ${star}${extras.join('')} FROM (
  SELECT ${loaded}, ${sourceFileSql(files, rows.fileIndex)} AS _source_file, ${rows.position} AS ${position}
  FROM ${rows.from}${rows.where ? ` WHERE ${rows.where}` : ''}
) AS accepted`;
}

/** `CREATE TABLE target AS ...` of `targetRowsSql`. */
export function createTargetSql(table: TargetTable): string {
  return createAsSql(table.target, targetRowsSql(table));
}

function createAsSql(target: string, select: string): string {
  return `CREATE TABLE ${target} AS\n${select}`;
}

/**
 * How `_source_file` is stored: DuckDB's string compression picks a dictionary for a column of a few files anyway, but
 * only after also trying FSST on every row group. Named, the trial is skipped. The first is DuckDB's dictionary up to
 * storage version 1.2 (the default), the second its successor, which older storage versions refuse.
 */
const SOURCE_FILE_COMPRESSIONS = ['dictionary', 'dict_fsst'];

/** The warehouse access creating the target needs (the ingestion connection fits). */
export interface TargetConnection {
  query(sql: string): Promise<Record<string, unknown>[]>;
  exec(sql: string): Promise<void>;
}

/** The row count a CREATE TABLE AS or INSERT answers (DuckDB's `Count`), if the connection passes it on. */
async function writtenRows(connection: TargetConnection, sql: string): Promise<number | undefined> {
  const count = (await connection.query(sql))[0]?.Count;
  return count === undefined || count === null ? undefined : Number(count);
}

/**
 * Creates the target (see `targetRowsSql`), the same table `createTargetSql` creates (columns, order, types, no
 * defaults, rows), with `_source_file` stored as a dictionary: the columns and types DESCRIBE gives, then the rows.
 * Falls back to `createTargetSql` when the database refuses that table. A failure leaves no target behind, and a table
 * that was there before untouched. Answers the rows written, when the connection passes DuckDB's count on.
 */
export async function createTarget(connection: TargetConnection, table: TargetTable): Promise<number | undefined> {
  return inAnyOrder(connection, () => writeTarget(connection, table.target, targetRowsSql(table), table.shape));
}

/**
 * Runs `write` with DuckDB free to store the rows in any order. Each row carries its file and position, and keeping
 * the order makes DuckDB's parallel write leave partly filled row groups, which the next checkpoint rewrites (about
 * 0.5 s per 3M rows, paid at close); in any order the write fills them. The session's override is dropped after
 * (back to the database's setting), unless the caller's own transaction failed (DuckDB then refuses every statement
 * until it rolls back).
 */
async function inAnyOrder<T>(connection: TargetConnection, write: () => Promise<T>): Promise<T> {
  const [setting] = await connection.query(`SELECT current_setting('preserve_insertion_order') AS kept`);
  if (setting?.kept !== true) return write();
  await connection.exec('SET SESSION preserve_insertion_order = false');
  try {
    return await write();
  } finally {
    await connection.exec('RESET SESSION preserve_insertion_order').catch(() => undefined);
  }
}

/** `createTarget`'s statements. */
async function writeTarget(connection: TargetConnection, target: string, select: string, shape: TargetShape): Promise<number | undefined> {
  const createAs = createAsSql(target, select);
  if (shape.lineageColumns === false) return writtenRows(connection, createAs);
  const described = await connection.query(`DESCRIBE ${select}`);
  const definition = (compression: string): string =>
    described
      .map(({ column_name: name, column_type: type }) => {
        const using = name === '_source_file' ? ` USING COMPRESSION ${compression}` : '';
        return `${quoteIdentifier(String(name))} ${String(type)}${using}`;
      })
      .join(', ');
  let created = false;
  for (const compression of SOURCE_FILE_COMPRESSIONS) {
    try {
      await connection.exec(`CREATE TABLE ${target} (${definition(compression)})`);
      created = true;
      break;
    } catch {
      // Refused: a compression this storage version lacks, a database that takes no compression, a target that exists.
      // CREATE TABLE AS decides in the end, failing (if it does) as it always did.
    }
  }
  if (!created) return writtenRows(connection, createAs);
  try {
    return await writtenRows(connection, `INSERT INTO ${target}\n${select}`);
  } catch (error) {
    await connection.exec(`DROP TABLE IF EXISTS ${target}`).catch(() => undefined);
    throw error;
  }
}
