// The one-pass CSV load: DuckDB's parallel CSV reader, for files it reads exactly as the line-by-line classification
// would, straight into the target; any doubt, and the caller classifies every line instead. (Numbering the rows while
// reading, with row_number() OVER (), made the read single-threaded: ~3x a plain read; a scratch table whose row ids
// give the lines, copied into the target, ~1.6x; the target's own row ids and one UPDATE of the line column, less.)
import { createReadStream } from 'node:fs';
import { quoteIdentifier, sqlString } from '../model/asset-key.js';
import { valueCasts, valueDefects } from './csv-ingest-sql.js';
import type { IngestColumn } from './ingest-columns.js';
import { fileList, scratchTable } from './quarantine-load.js';
import type { IngestConnection, IngestResult } from './quarantine-load.js';
import type { FileHeader } from './schema-contract.js';
import { createTargetSql, sourceFileSql } from './target-table.js';
import type { TargetShape } from './target-table.js';

/** The column DuckDB adds with each row's file; named so that no field name can clash with it. */
const FILE_COLUMN = '_sluice_source_file';
/** The message that aborts the one-pass load at the first line that needs classifying. */
const NEEDS_CLASSIFYING = 'sluice: a line needs classifying';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const QUOTE = 0x22;
const BYTE_ORDER_MARK = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * True when DuckDB's CSV reader reads the file as the line-by-line path does, as far as bytes tell at memory speed:
 * the reader accepts a quote inside an unquoted field and spaces around a quoted one, and keeps a mid-file byte-order
 * mark, where the line path quarantines or strips; so a file qualifies only without any quote, byte-order mark past its
 * start or repeated header line (and, see `countLinesBelowHeader`, lone carriage return). What the reader does
 * differently with field counts is caught while loading (see `typedRowsSql`), and blank lines after it: the reader
 * skips them, making fewer rows than the file has lines.
 */
async function looksPlain(file: string, headerLine: string): Promise<boolean> {
  const repeatedHeader = [Buffer.from(`\n${headerLine}\n`), Buffer.from(`\n${headerLine}\r\n`)];
  const overlap = repeatedHeader[1]!.length - 1;
  let tail = Buffer.alloc(0);
  let first = true;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    if (chunk.includes(QUOTE)) return false;
    // The tail of the previous chunk is searched again, so no pattern is missed across a chunk boundary.
    const window = Buffer.concat([tail, chunk]);
    if (repeatedHeader.some((line) => window.includes(line))) return false;
    // Byte 0 of the file may carry a byte-order mark (the reader skips it); anywhere else it is data the line path strips.
    if (window.indexOf(BYTE_ORDER_MARK, first ? 1 : 0) >= 0) return false;
    tail = window.subarray(Math.max(0, window.length - overlap));
    first = false;
  }
  return !tail.toString('utf8').endsWith(`\n${headerLine}`);
}

/**
 * The lines below the header, or undefined when the file has a lone carriage return (a line break to the reader, not to
 * the line path). The slower half of the byte scan (a step per line), so it runs while DuckDB loads the file.
 */
async function countLinesBelowHeader(file: string): Promise<number | undefined> {
  let newlines = 0;
  let lastByte = -1;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    // A carriage return ending a chunk is followed by the next chunk's first byte.
    if (lastByte === CARRIAGE_RETURN && chunk[0] !== NEWLINE) return undefined;
    for (let at = chunk.indexOf(CARRIAGE_RETURN); at >= 0; at = chunk.indexOf(CARRIAGE_RETURN, at + 1)) {
      if (at + 1 < chunk.length && chunk[at + 1] !== NEWLINE) return undefined;
    }
    for (let at = chunk.indexOf(NEWLINE); at >= 0; at = chunk.indexOf(NEWLINE, at + 1)) newlines++;
    lastByte = chunk[chunk.length - 1] ?? lastByte;
  }
  if (lastByte === CARRIAGE_RETURN) return undefined;
  const lines = newlines + (lastByte >= 0 && lastByte !== NEWLINE ? 1 : 0);
  return Math.max(0, lines - 1);
}

/** Each file's lines below its header (one file at a time: a landing folder may hold thousands), or undefined. */
async function countAllLines(files: readonly string[]): Promise<number[] | undefined> {
  const counts: number[] = [];
  for (const file of files) {
    const count = await countLinesBelowHeader(file);
    if (count === undefined) return undefined;
    counts.push(count);
  }
  return counts;
}

/** What the one-pass load needs to know about the ingestion. */
export interface OnePassCsv extends TargetShape {
  files: readonly string[];
  headers: readonly FileHeader[];
  columns: readonly IngestColumn[];
  keyIndexes: readonly number[];
  delimiter: string;
  target: string;
}

/**
 * Loads the target in one pass when every file qualifies (see `countPlainCsvLines`), has the same header (so the same
 * column positions) and no drift, and every line is accepted; the result then accounts for every line. Answers
 * undefined, leaving nothing created, as soon as any of that fails: the caller classifies every line instead.
 */
export async function loadCsvInOnePass(connection: IngestConnection, load: OnePassCsv): Promise<IngestResult | undefined> {
  const [header] = load.headers;
  // A line of blanks is a blank line to the line path, and a field (or fields, with a blank delimiter) to the reader.
  if (!header?.headerLine || header.fieldCount < 2 || [' ', '\t'].includes(load.delimiter)) return undefined;
  if (load.headers.some((h) => h.headerLine !== header.headerLine || h.drift)) return undefined;
  // Lines follow from row ids only when tables keep the reader's order.
  const [order] = await connection.query(`SELECT current_setting('preserve_insertion_order') AS kept`);
  if (order?.kept !== true) return undefined;
  for (const file of load.files) if (!(await looksPlain(file, header.headerLine))) return undefined;
  const plain = { ...load, header };
  const counts =
    load.extraColumns === undefined && load.lineageColumns !== false ? await loadDirectly(connection, plain) : await loadThroughScratch(connection, plain);
  if (!counts) return undefined;
  const read = counts.reduce((sum, n) => sum + n, 0);
  return { read, accepted: read, quarantined: 0, skipped: 0, byReason: {}, files: load.files.length, drift: [] };
}

/** The one-pass load of files that look plain, with the header they share. */
interface PlainLoad extends OnePassCsv {
  header: FileHeader;
}

/**
 * Runs the statement that reads the files while counting their lines; the counts, or undefined when the reader refused
 * a line (the line path's to report) or a file turned out not to qualify. `created` is dropped when the statement
 * succeeded but the count did not.
 */
async function readWhileCounting(connection: IngestConnection, sql: string, load: PlainLoad, created: string): Promise<number[] | undefined> {
  const reading = connection.exec(sql).then(
    () => true,
    (error: unknown) => {
      // A canceled step stops here; a line the reader refuses (field count, encoding, a defect) is the line path's to report.
      if (/interrupt/i.test((error as Error).message)) throw error;
      return false;
    },
  );
  const [read, counts] = await Promise.all([reading, countAllLines(load.files)]);
  if (read && counts) return counts;
  if (read) await connection.exec(`DROP TABLE IF EXISTS ${created}`);
  return undefined;
}

/**
 * The target straight from the reader, in the reader's order, with `_line_number` NULL; once the rows are as counted,
 * one UPDATE numbers them from their row ids. The target's `_source_file` gives each row's file (its place in the
 * list). Writing the rows once costs less than a scratch table copied into the target.
 */
async function loadDirectly(connection: IngestConnection, load: PlainLoad): Promise<number[] | undefined> {
  const names = load.columns.map((column, i) => `c${i} AS ${quoteIdentifier(column.name)}`).join(', ');
  const fileIndex = load.files.length === 1 ? '1' : `list_position(${fileList(load.files)}, _source_file)`;
  const create = `CREATE TABLE ${load.target} AS
SELECT ${names}, ${sourceFileSql(load.files, 'file_index')} AS _source_file, CAST(NULL AS BIGINT) AS _line_number
FROM (${typedRowsSql(load)}) AS typed_rows`;
  const counts = await readWhileCounting(connection, create, load, load.target);
  if (!counts) return undefined;
  let numbered = false;
  try {
    const keys = load.keyIndexes.map((i) => quoteIdentifier(load.columns[i]?.name ?? ''));
    if (!(await readAsCounted(connection, load.target, fileIndex, keys, counts))) return undefined;
    await connection.exec(`UPDATE ${load.target} SET _line_number = ${lineFromRowid(fileIndex, counts)}`);
    numbered = true;
    return counts;
  } finally {
    if (!numbered) await connection.exec(`DROP TABLE IF EXISTS ${load.target}`).catch(() => undefined);
  }
}

/** With extra columns (which may use the line) or without lineage columns: typed rows to a scratch table, then the target. */
async function loadThroughScratch(connection: IngestConnection, load: PlainLoad): Promise<number[] | undefined> {
  const rows = scratchTable('one_pass');
  try {
    const counts = await readWhileCounting(connection, `CREATE TEMP TABLE ${rows} AS ${typedRowsSql(load)}`, load, rows);
    if (!counts) return undefined;
    const keys = load.keyIndexes.map((i) => `c${i}`);
    if (!(await readAsCounted(connection, rows, 'file_index', keys, counts))) return undefined;
    await connection.exec(
      createTargetSql(load.target, load.columns, load.files, '_line_number', load, {
        from: rows,
        fileIndex: 'file_index',
        position: lineFromRowid('file_index', counts),
      }),
    );
    return counts;
  } finally {
    await connection.exec(`DROP TABLE IF EXISTS ${rows}`).catch(() => undefined);
  }
}

/**
 * Every line below each header, typed (`file_index`, `c<i>`), from DuckDB's CSV reader (in parallel) with every field
 * read as text and converted by the line path's own expressions. The reader accepts a line with one delimiter too many
 * at its end as if it were not there, so it reads one field more than the header has, padding with NULL, and keeps
 * empty fields empty (its NULL string is a line break, which no field can hold): a missing field is NULL, a surplus one
 * is not. A line with a field too few or too many, or with a defect, aborts the statement. The rows keep the reader's
 * order (files in list order, lines in file order), so a row's position in the table it is written to gives its line.
 */
function typedRowsSql(load: PlainLoad): string {
  const { header } = load;
  const list = fileList(load.files);
  const width = header.fieldCount;
  const fields = Array.from({ length: width + 1 }, (_, i) => `'f${i + 1}': 'VARCHAR'`).join(', ');
  // One file needs no per-row file name, which costs a string per row.
  const [fileIndex, filename] = load.files.length === 1 ? ['1', ''] : [`list_position(${list}, ${FILE_COLUMN})`, `, filename = ${sqlString(FILE_COLUMN)}`];
  const reader = `read_csv(${list}, header = true, auto_detect = false, delim = ${sqlString(load.delimiter)}, quote = '"', escape = '"', strict_mode = true, null_padding = true, nullstr = chr(10)${filename}, columns = {${fields}})`;
  const values = load.columns.map((_, i) => `${header.positions[i] ? `nullif(f${header.positions[i]}, '')` : 'NULL'} AS v${i}`);
  const defects = [`f${width} IS NULL`, `f${width + 1} IS NOT NULL`, ...valueDefects(load.columns).map(({ test }) => test)];
  return `SELECT file_index, ${load.columns.map((_, i) => `c${i}`).join(', ')}
FROM (
  SELECT *, ${valueCasts(load.columns).join(', ')} FROM (
    SELECT ${fileIndex} AS file_index, f${width}, f${width + 1}, ${values.join(', ')} FROM ${reader}
  ) AS picked
) AS typed
WHERE CASE WHEN ${defects.join(' OR ')} THEN error(${sqlString(NEEDS_CLASSIFYING)}) ELSE true END`;
}

/** Rows before each file in the table: its first row is its line 2 (below the header). */
function rowsBefore(counts: readonly number[]): number[] {
  return counts.map((_, i) => counts.slice(0, i).reduce((sum, n) => sum + n, 0));
}

/** A row's line in its file, from its row id in a table written in the reader's order. */
function lineFromRowid(fileIndex: string, counts: readonly number[]): string {
  // One file needs no per-row look-up of its file (a tenth of a plain read, measured on the demo's 3M flights).
  if (counts.length === 1) return 'CAST(rowid + 2 AS BIGINT)';
  return `CAST(rowid - [${rowsBefore(counts).join(', ')}][${fileIndex}] + 2 AS BIGINT)`;
}

/**
 * True when each file made exactly one row per line below its header, as one run of positions in file order (blank
 * lines, which the reader skips, make fewer), and no key (`keys`: SQL of each key column) repeats.
 */
async function readAsCounted(
  connection: IngestConnection,
  table: string,
  fileIndex: string,
  keys: readonly string[],
  counts: readonly number[],
): Promise<boolean> {
  const found = new Map(
    (await connection.query(`SELECT ${fileIndex} AS file_index, count(*) AS n, min(rowid) AS first, max(rowid) AS last FROM ${table} GROUP BY ALL`)).map(
      (row) => [Number(row.file_index), row],
    ),
  );
  const before = rowsBefore(counts);
  const asCounted = counts.every((expected, i) => {
    const row = found.get(i + 1);
    if (expected === 0) return row === undefined;
    return row !== undefined && Number(row.n) === expected && Number(row.first) === before[i] && Number(row.last) === before[i]! + expected - 1;
  });
  if (!asCounted || keys.length === 0) return asCounted;
  // A repeated key (no part null, as in a SQL unique constraint) is the line path's to mark as `duplicate_key`.
  const [repeats] = await connection.query(
    `SELECT count(*) AS n FROM (SELECT ${keys.join(', ')} FROM ${table} WHERE ${keys.map((k) => `${k} IS NOT NULL`).join(' AND ')} GROUP BY ALL HAVING count(*) > 1)`,
  );
  return Number(repeats?.n) === 0;
}
