// The one-pass CSV load: DuckDB's parallel CSV reader, for files it reads exactly as the line-by-line classification
// would, straight into the target; any doubt, and the caller classifies every line instead. (Numbering the rows while
// reading, with row_number() OVER (), made the read single-threaded: ~3x a plain read; a scratch table whose row ids
// give the lines, copied into the target, ~1.6x; the target's own row ids and one UPDATE of the line column, less.)
import { quoteIdentifier, sqlString } from '../model/asset-key.js';
import { scanPlainCsv } from './csv-plain-scan.js';
import type { PlainCsvShape } from './csv-plain-scan.js';
import { badCastFromText } from './ingest-columns.js';
import type { IngestColumn, IngestColumnType } from './ingest-columns.js';
import { fileList, scratchTable } from './quarantine-load.js';
import type { IngestConnection, IngestResult } from './quarantine-load.js';
import type { FileHeader } from './schema-contract.js';
import { createTargetSql, sourceFileSql } from './target-table.js';
import type { TargetShape } from './target-table.js';

/** The column DuckDB adds with each row's file; named so that no field name can clash with it. */
const FILE_COLUMN = '_sluice_source_file';
/** The message that aborts the one-pass load at the first line that needs classifying. */
const NEEDS_CLASSIFYING = 'sluice: a line needs classifying';
/** How much of each file is scanned before the load starts; the rest is scanned while DuckDB reads. */
const FIRST_SCAN_BYTES = 1 << 20;

/**
 * Column types DuckDB's CSV reader converts with the very function TRY_CAST from text uses (DuckDB 1.5,
 * string_value_scanner.cpp: Timestamp::TryConvertTimestamp without offsets, TryDoubleCast with '.', text as is,
 * TrySimpleIntegerCast not strict), so reading the column typed gives TRY_CAST's value, and a value TRY_CAST turns into
 * NULL (`bad_cast`) fails the read. The integers only where no file's field holds '.', 'e' or 'E' (the scan tells): the
 * reader rounds '1.5' into 2 where the line path quarantines it. Other types are read as text and converted by the line
 * path's own expressions: a DATE's lossless test needs the text.
 */
const READER_TYPES: ReadonlySet<IngestColumnType> = new Set(['VARCHAR', 'DOUBLE', 'TIMESTAMP']);
const INTEGER_TYPES: ReadonlySet<IngestColumnType> = new Set(['INTEGER', 'BIGINT']);

/**
 * The most bytes per line the scan may look at to watch the integer fields, measured on the first megabyte: watching
 * runs on the JS thread beside DuckDB's read, and saves DuckDB ~0.15 s per 3M rows (the demo's flights, 2 cores; a
 * loop over 16 bytes of each of them costs about 0.1 s). Past it, the integers are read as text and checked.
 */
const WATCHED_BYTES_PER_LINE = 16;

/**
 * What the scans found so far: the lines below the header of each file scanned whole, the integer fields that are not
 * plain in some file, and the most bytes per line watching them cost in a file.
 */
interface FilesScan {
  lines: ReadonlyMap<string, number>;
  notPlainIntegers: ReadonlySet<number>;
  watchedBytesPerLine: number;
}

/**
 * Scans each file's start (`maxBytes`) or all of it, but for those `known` scanned whole, watching the integer fields
 * not known to be not plain; undefined for a file that is not plain.
 */
async function scanFiles(files: readonly string[], shape: PlainCsvShape, known: FilesScan, maxBytes?: number): Promise<FilesScan | undefined> {
  const lines = new Map(known.lines);
  const notPlainIntegers = new Set(known.notPlainIntegers);
  let watchedBytesPerLine = known.watchedBytesPerLine;
  const watching = { ...shape, integerFields: shape.integerFields?.filter((field) => !notPlainIntegers.has(field)) };
  // One file at a time: a landing folder may hold thousands of files, more than the process may open at once.
  for (const file of files) {
    if (lines.has(file)) continue;
    const scanned = await scanPlainCsv(file, watching, maxBytes);
    if (!scanned) return undefined;
    for (const field of scanned.notPlainIntegers) notPlainIntegers.add(field);
    watchedBytesPerLine = Math.max(watchedBytesPerLine, scanned.watchedBytesPerLine);
    if (scanned.complete) lines.set(file, scanned.lines);
  }
  return { lines, notPlainIntegers, watchedBytesPerLine };
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
 * Loads the target in one pass when every file is plain (see `PlainCsvScan`), has the same header (so the same column
 * positions) and no drift, and every line is accepted; the result then accounts for every line. Answers undefined,
 * leaving nothing created, as soon as any of that fails: the caller classifies every line instead.
 */
export async function loadCsvInOnePass(connection: IngestConnection, load: OnePassCsv): Promise<IngestResult | undefined> {
  const [header] = load.headers;
  // A line of blanks is a blank line to the line path, and a field (or fields, with a blank delimiter) to the reader.
  if (!header?.headerLine || header.fieldCount < 2 || [' ', '\t'].includes(load.delimiter)) return undefined;
  if (load.headers.some((h) => h.headerLine !== header.headerLine || h.drift)) return undefined;
  // Lines follow from row ids only when tables keep the reader's order.
  const [order] = await connection.query(`SELECT current_setting('preserve_insertion_order') AS kept`);
  if (order?.kept !== true) return undefined;
  const integerFields = load.columns.flatMap((column, i) => (INTEGER_TYPES.has(column.type) && header.positions[i] ? [header.positions[i]] : []));
  const shape = { headerLine: header.headerLine, delimiter: load.delimiter, fieldCount: header.fieldCount, integerFields };
  // A file that is not plain near its start (quoted fields, repeated headers) is found before DuckDB reads anything,
  // and so are most integer fields that are not.
  const start = await scanFiles(load.files, shape, { lines: new Map(), notPlainIntegers: new Set(), watchedBytesPerLine: 0 }, FIRST_SCAN_BYTES);
  if (!start) return undefined;
  const scanned = start.watchedBytesPerLine > WATCHED_BYTES_PER_LINE ? { ...start, notPlainIntegers: new Set(integerFields) } : start;
  const plain = { ...load, header, shape, scanned };
  const counts =
    load.extraColumns === undefined && load.lineageColumns !== false ? await loadDirectly(connection, plain) : await loadThroughScratch(connection, plain);
  if (!counts) return undefined;
  const read = counts.reduce((sum, n) => sum + n, 0);
  return { read, accepted: read, quarantined: 0, skipped: 0, byReason: {}, files: load.files.length, drift: [] };
}

/** The one-pass load of files that look plain, with the header they share and what their first scan found. */
interface PlainLoad extends OnePassCsv {
  header: FileHeader;
  shape: PlainCsvShape;
  scanned: FilesScan;
}

/** Runs a statement that reads the files: false when the reader refused a line (the line path's to report). */
async function readFiles(connection: IngestConnection, sql: string): Promise<boolean> {
  return connection.exec(sql).then(
    () => true,
    (error: unknown) => {
      // A canceled step stops here; a line the reader refuses (field count, encoding, a defect) is the line path's to report.
      if (/interrupt/i.test((error as Error).message)) throw error;
      return false;
    },
  );
}

/**
 * Runs the statement that reads the files (`statement` of what the scans found) while the rest of each file is
 * scanned; each file's lines below its header, or undefined when the reader refused a line or a file turned out not to
 * be plain (read in vain: rare, since a file that is not plain usually shows it in its first megabyte). An integer field
 * found not plain past the first scan was read as an integer: `created` is dropped and the files read again, its
 * texts checked. `created` is dropped whenever the answer is undefined.
 */
async function readWhileCounting(
  connection: IngestConnection,
  statement: (scan: FilesScan) => string,
  load: PlainLoad,
  created: string,
): Promise<number[] | undefined> {
  const [read, scanned] = await Promise.all([readFiles(connection, statement(load.scanned)), scanFiles(load.files, load.shape, load.scanned)]);
  const counts = (scan: FilesScan): number[] => load.files.map((file) => scan.lines.get(file) ?? 0);
  if (read && scanned && scanned.notPlainIntegers.size === load.scanned.notPlainIntegers.size) return counts(scanned);
  if (read) await connection.exec(`DROP TABLE IF EXISTS ${created}`);
  if (read && scanned && (await readFiles(connection, statement(scanned)))) return counts(scanned);
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
  const create = (scan: FilesScan): string => `CREATE TABLE ${load.target} AS
SELECT ${names}, ${sourceFileSql(load.files, 'file_index')} AS _source_file, CAST(NULL AS BIGINT) AS _line_number
FROM (${typedRowsSql(load, scan)}) AS typed_rows`;
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
    const counts = await readWhileCounting(connection, (scan) => `CREATE TEMP TABLE ${rows} AS ${typedRowsSql(load, scan)}`, load, rows);
    if (!counts) return undefined;
    const keys = load.keyIndexes.map((i) => `c${i}`);
    if (!(await readAsCounted(connection, rows, 'file_index', keys, counts))) return undefined;
    await connection.exec(
      createTargetSql({
        target: load.target,
        columns: load.columns,
        files: load.files,
        positionColumn: '_line_number',
        shape: load,
        rows: { from: rows, fileIndex: 'file_index', position: lineFromRowid('file_index', counts) },
      }),
    );
    return counts;
  } finally {
    await connection.exec(`DROP TABLE IF EXISTS ${rows}`).catch(() => undefined);
  }
}

/**
 * SQL that is true when `value` (non-null text) did not convert into `cast`, its TRY_CAST to `type`, or might not
 * have converted losslessly. For an integer field that is not plain: any text whose DOUBLE differs, where the line path
 * compares the DOUBLE only for a text with '.', 'e' or 'E' (looking for those costs ~0.2x of a plain read on the demo's
 * flights). A text accepted here is accepted by the line path as the same integer; the few it accepts and this refuses
 * ('0x1F': no DOUBLE) go line by line.
 */
function castMayBeLossy(type: IngestColumnType, value: string, cast: string): string {
  if (type === 'INTEGER' || type === 'BIGINT') return `(${cast} IS NULL OR TRY_CAST(${value} AS DOUBLE) IS DISTINCT FROM ${cast})`;
  return badCastFromText(type, value, cast);
}

/**
 * Every line below each header, typed (`file_index`, `c<i>`), from DuckDB's CSV reader (in parallel): a column of a
 * `READER_TYPES` type, or an integer in a field `scan` found plain, read as such, any other read as text and converted
 * by the line path's own expressions; an empty
 * field is NULL either way, as in the line path. The reader fails on a line with a field too few or too many (but for
 * empty ones past the last, which it drops and the scan rules out) and on a value its column type refuses; a missing
 * required value or a text that does not convert losslessly aborts the statement. The rows keep the reader's order
 * (files in list order, lines in file order), so a row's position in the table it is written to gives its line.
 */
function typedRowsSql(load: PlainLoad, scan: FilesScan): string {
  const { header, columns } = load;
  const list = fileList(load.files);
  const readAs = Array.from({ length: header.fieldCount }, (): IngestColumnType => 'VARCHAR');
  const picked: string[] = [];
  const defects: string[] = [];
  columns.forEach((column, i) => {
    const position = header.positions[i] ?? 0;
    if (position === 0) {
      picked.push(`CAST(NULL AS ${column.type}) AS c${i}`);
      if (column.required) defects.push('true');
    } else if (READER_TYPES.has(column.type) || (INTEGER_TYPES.has(column.type) && !scan.notPlainIntegers.has(position))) {
      readAs[position - 1] = column.type;
      picked.push(`f${position} AS c${i}`);
      if (column.required) defects.push(`c${i} IS NULL`);
    } else {
      picked.push(`f${position} AS v${i}`, `TRY_CAST(f${position} AS ${column.type}) AS c${i}`);
      defects.push(`v${i} IS NOT NULL AND ${castMayBeLossy(column.type, `v${i}`, `c${i}`)}`);
      if (column.required) defects.push(`v${i} IS NULL`);
    }
  });
  const fields = readAs.map((type, i) => `'f${i + 1}': '${type}'`).join(', ');
  // One file needs no per-row file name, which costs a string per row.
  const [fileIndex, filename] = load.files.length === 1 ? ['1', ''] : [`list_position(${list}, ${FILE_COLUMN})`, `, filename = ${sqlString(FILE_COLUMN)}`];
  const reader = `read_csv(${list}, header = true, auto_detect = false, delim = ${sqlString(load.delimiter)}, quote = '"', escape = '"', strict_mode = true, null_padding = false, nullstr = ''${filename}, columns = {${fields}})`;
  const typed = `SELECT file_index, ${columns.map((_, i) => `c${i}`).join(', ')}
FROM (SELECT ${fileIndex} AS file_index, ${picked.join(', ')} FROM ${reader}) AS typed`;
  return defects.length === 0 ? typed : `${typed}\nWHERE CASE WHEN ${defects.join(' OR ')} THEN error(${sqlString(NEEDS_CLASSIFYING)}) ELSE true END`;
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
