// The one-pass CSV load: DuckDB's parallel CSV reader, for files it reads exactly as the line-by-line classification
// would, into typed rows and then the target; any doubt, and the caller classifies every line instead. (Numbering the
// rows while reading, with row_number() OVER (), made the read single-threaded: ~3x a plain read, where the position
// in a scratch table costs one extra pass over typed rows.)
import { createReadStream } from 'node:fs';
import { sqlString } from '../model/asset-key.js';
import { valueCasts, valueDefects } from './csv-ingest-sql.js';
import type { IngestColumn } from './ingest-columns.js';
import { fileList, scratchTable } from './quarantine-load.js';
import type { IngestConnection, IngestResult } from './quarantine-load.js';
import type { FileHeader } from './schema-contract.js';
import { createTargetSql } from './target-table.js';
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
 * Counts the lines below the header of a file DuckDB's CSV reader reads as the line-by-line path does, or answers
 * undefined. Where they differ is found from bytes alone, at memory speed: the reader accepts a quote inside an unquoted
 * field and spaces around a quoted one, and keeps a mid-file byte-order mark, where the line path quarantines or
 * strips; so a file qualifies only without any quote, lone carriage return, byte-order mark past its start or repeated
 * header line. What the reader does differently with field counts is caught while loading (see `onePassTargetSql`),
 * and blank lines after it: the reader skips them, making fewer rows than the file has lines.
 */
async function countPlainCsvLines(file: string, headerLine: string): Promise<number | undefined> {
  const repeatedHeader = [Buffer.from(`\n${headerLine}\n`), Buffer.from(`\n${headerLine}\r\n`)];
  const overlap = repeatedHeader[1]!.length - 1;
  let newlines = 0;
  let tail = Buffer.alloc(0);
  let first = true;
  let lastByte = -1;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    if (chunk.includes(QUOTE)) return undefined;
    // The tail of the previous chunk is searched again, so no pattern is missed across a chunk boundary.
    const window = Buffer.concat([tail, chunk]);
    if (repeatedHeader.some((line) => window.includes(line))) return undefined;
    // Byte 0 of the file may carry a byte-order mark (the reader skips it); anywhere else it is data the line path strips.
    if (window.indexOf(BYTE_ORDER_MARK, first ? 1 : 0) >= 0) return undefined;
    for (let at = window.indexOf(CARRIAGE_RETURN); at >= 0; at = window.indexOf(CARRIAGE_RETURN, at + 1)) {
      if (at + 1 < window.length && window[at + 1] !== NEWLINE) return undefined;
    }
    for (let at = chunk.indexOf(NEWLINE); at >= 0; at = chunk.indexOf(NEWLINE, at + 1)) newlines++;
    lastByte = chunk[chunk.length - 1] ?? lastByte;
    tail = window.subarray(Math.max(0, window.length - overlap));
    first = false;
  }
  if (lastByte === CARRIAGE_RETURN || tail.toString('utf8').endsWith(`\n${headerLine}`)) return undefined;
  const lines = newlines + (lastByte >= 0 && lastByte !== NEWLINE ? 1 : 0);
  return Math.max(0, lines - 1);
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
  const counts: number[] = [];
  for (const file of load.files) {
    const count = await countPlainCsvLines(file, header.headerLine);
    if (count === undefined) return undefined;
    counts.push(count);
  }
  const rows = scratchTable('one_pass');
  try {
    try {
      await connection.exec(readRowsSql(rows, load, header));
    } catch (error) {
      // A canceled step stops here; a line the reader refuses (field count, encoding, a defect) is the line path's to report.
      if (/interrupt/i.test((error as Error).message)) throw error;
      return undefined;
    }
    if (!(await readAsCounted(connection, rows, load, counts))) return undefined;
    await connection.exec(targetSql(rows, load, counts));
  } finally {
    await connection.exec(`DROP TABLE IF EXISTS ${rows}`).catch(() => undefined);
  }
  const read = counts.reduce((sum, n) => sum + n, 0);
  return { read, accepted: read, quarantined: 0, skipped: 0, byReason: {}, files: load.files.length, drift: [] };
}

/**
 * Every line below each header, typed, into a scratch table, from DuckDB's CSV reader (in parallel) with every field
 * read as text and converted by the line path's own expressions. The reader accepts a line with one delimiter too many
 * at its end as if it were not there, so it reads one field more than the header has, padding with NULL, and keeps
 * empty fields empty (its NULL string is a line break, which no field can hold): a missing field is NULL, a surplus one
 * is not. A line with a field too few or too many, or with a defect, aborts the statement. The rows keep the reader's
 * order (files in list order, lines in file order), so a row's position in the table gives its line.
 */
function readRowsSql(rows: string, load: OnePassCsv, header: FileHeader): string {
  const list = fileList(load.files);
  const width = header.fieldCount;
  const fields = Array.from({ length: width + 1 }, (_, i) => `'f${i + 1}': 'VARCHAR'`).join(', ');
  const reader = `read_csv(${list}, header = true, auto_detect = false, delim = ${sqlString(load.delimiter)}, quote = '"', escape = '"', strict_mode = true, null_padding = true, nullstr = chr(10), filename = ${sqlString(FILE_COLUMN)}, columns = {${fields}})`;
  const values = load.columns.map((_, i) => `${header.positions[i] ? `nullif(f${header.positions[i]}, '')` : 'NULL'} AS v${i}`);
  const defects = [`f${width} IS NULL`, `f${width + 1} IS NOT NULL`, ...valueDefects(load.columns).map(({ test }) => test)];
  return `CREATE TEMP TABLE ${rows} AS
SELECT file_index, ${load.columns.map((_, i) => `c${i}`).join(', ')}
FROM (
  SELECT *, ${valueCasts(load.columns).join(', ')} FROM (
    SELECT list_position(${list}, ${FILE_COLUMN}) AS file_index, f${width}, f${width + 1}, ${values.join(', ')} FROM ${reader}
  ) AS picked
) AS typed
WHERE CASE WHEN ${defects.join(' OR ')} THEN error(${sqlString(NEEDS_CLASSIFYING)}) ELSE true END`;
}

/** Rows before each file in the scratch table: its first row is its line 2 (below the header). */
function rowsBefore(counts: readonly number[]): number[] {
  return counts.map((_, i) => counts.slice(0, i).reduce((sum, n) => sum + n, 0));
}

/** The target as the line path creates it (same columns, types and lineage); a row's line follows from its position. */
function targetSql(rows: string, load: OnePassCsv, counts: readonly number[]): string {
  return createTargetSql(load.target, load.columns, load.files, '_line_number', load, {
    from: rows,
    fileIndex: 'file_index',
    position: `CAST(rowid - [${rowsBefore(counts).join(', ')}][file_index] + 2 AS BIGINT)`,
  });
}

/**
 * True when each file made exactly one row per line below its header, as one run of positions in file order (blank
 * lines, which the reader skips, make fewer), and no key repeats.
 */
async function readAsCounted(connection: IngestConnection, rows: string, load: OnePassCsv, counts: readonly number[]): Promise<boolean> {
  const found = new Map(
    (await connection.query(`SELECT file_index, count(*) AS n, min(rowid) AS first, max(rowid) AS last FROM ${rows} GROUP BY ALL`)).map((row) => [
      Number(row.file_index),
      row,
    ]),
  );
  const before = rowsBefore(counts);
  const asCounted = load.files.every((_, i) => {
    const row = found.get(i + 1);
    const expected = counts[i] ?? 0;
    if (expected === 0) return row === undefined;
    return row !== undefined && Number(row.n) === expected && Number(row.first) === before[i] && Number(row.last) === before[i]! + expected - 1;
  });
  if (!asCounted || load.keyIndexes.length === 0) return asCounted;
  // A repeated key (no part null, as in a SQL unique constraint) is the line path's to mark as `duplicate_key`.
  const keys = load.keyIndexes.map((i) => `c${i}`);
  const [repeats] = await connection.query(
    `SELECT count(*) AS n FROM (SELECT ${keys.join(', ')} FROM ${rows} WHERE ${keys.map((k) => `${k} IS NOT NULL`).join(' AND ')} GROUP BY ALL HAVING count(*) > 1)`,
  );
  return Number(repeats?.n) === 0;
}
