// Pure SQL builders for CSV ingestion: split files into lines, parse fields, classify each line, find duplicate keys.
import { quoteIdentifier, sqlString } from '../model/asset-key.js';

/** Column types a CSV column may be loaded as. */
export type CsvColumnType = 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'TIMESTAMP' | 'DATE' | 'BOOLEAN' | 'UUID';

/** One expected column of a CSV source; matched by name (case-insensitive) against each file's header. */
export interface CsvColumn {
  name: string;
  type: CsvColumnType;
  /** A null (empty) value quarantines the line with `null_required:<name>`. */
  required?: boolean;
}

/** Lines that are neither accepted nor quarantined, only counted. */
export const SKIP_REASONS = ['header_repeat', 'blank_line'] as const;

/** What ingestion learned from one file's header line; files are numbered from 1 in name order. */
export interface FileHeader {
  /** NULL for an empty file (it has no lines at all). */
  headerLine: string | null;
  fieldCount: number;
  /** 1-based field position of each configured column in this file (0 = absent). */
  positions: number[];
  /** Set under the `discard_row` contract for a drifted file: every data line is quarantined as `schema_drift` with this as `_column`. */
  drift?: string | null;
}

/** Regex escape for the delimiter, valid inside and outside character classes (RE2 `\x{..}`). */
function regexChar(char: string): string {
  return `\\x{${char.codePointAt(0)?.toString(16) ?? '2c'}}`;
}

/**
 * SQL turning a line (`text`) into its list of unquoted fields, or NULL when its quoting is broken.
 * Lines without a quote take the fast `string_split`; quoted lines must match the RFC 4180 field grammar as a whole.
 */
export function fieldsExpression(text: string, delimiter: string): string {
  const d = regexChar(delimiter);
  const field = `"(?:[^"]|"")*"|[^${d}"]*`;
  const line = `(?:${field})(?:${d}(?:${field}))*`;
  // Prefixing the delimiter makes every field match start with one, so empty fields never become empty matches.
  const each = `${d}(${field})`;
  const unquote = `lambda f: CASE WHEN starts_with(f, '"') THEN replace(f[2:-2], '""', '"') ELSE f END`;
  return (
    `CASE WHEN NOT contains(${text}, '"') THEN string_split(${text}, ${sqlString(delimiter)}) ` +
    `WHEN regexp_full_match(${text}, ${sqlString(line)}) ` +
    `THEN list_transform(regexp_extract_all(${sqlString(delimiter)} || ${text}, ${sqlString(each)}, 1), ${unquote}) END`
  );
}

function fileList(files: readonly string[]): string {
  return `[${files.map(sqlString).join(', ')}]`;
}

/** SQL stripping CRLF endings and byte-order marks (also of files appended mid-file): framing, not data. */
function trimFraming(text: string): string {
  // The tests are cheap; the trim copies the string, so only lines that need it pay for it.
  return `CASE WHEN ends_with(${text}, chr(13)) OR starts_with(${text}, chr(65279)) THEN ltrim(rtrim(${text}, chr(13)), chr(65279)) ELSE ${text} END`;
}

/**
 * Parses header lines (bound as parameters `$1..$n`, one per file) into their field count and their trimmed field
 * names as a JSON array (`names`), with the same field grammar as the data lines; `names` is NULL for broken quoting.
 */
export function headerFieldsSql(headerCount: number, delimiter: string): string {
  const headers = Array.from({ length: headerCount }, (_, i) => `(${i + 1}, CAST($${i + 1} AS VARCHAR))`).join(', ');
  return `SELECT header_index, len(fields) AS field_count, CAST(to_json(list_transform(fields, lambda h: trim(h))) AS VARCHAR) AS names
FROM (SELECT header_index, ${fieldsExpression('header_line', delimiter)} AS fields FROM (VALUES ${headers}) AS t(header_index, header_line)) AS parsed
ORDER BY header_index`;
}

/** A per-file value: a constant when every file agrees (the usual case), else a list literal indexed by file. */
function perFile(values: readonly (string | number | null)[]): string {
  const literal = (value: string | number | null): string => (value === null ? 'NULL' : typeof value === 'number' ? String(value) : sqlString(value));
  const first = values[0] ?? null;
  if (values.every((value) => value === first)) return literal(first);
  return `[${values.map(literal).join(', ')}][file_index]`;
}

/** SQL that is true when `value` (non-null text) did not convert losslessly into `cast`. */
function badCast(type: CsvColumnType, value: string, cast: string): string {
  switch (type) {
    case 'INTEGER':
    case 'BIGINT':
      // TRY_CAST('1.5' AS INTEGER) rounds to 2; a fraction in an integer column is a defect, not a value.
      return `(${cast} IS NULL OR ((contains(${value}, '.') OR contains(${value}, 'e') OR contains(${value}, 'E')) AND TRY_CAST(${value} AS DOUBLE) IS DISTINCT FROM ${cast}))`;
    case 'DATE':
      // TRY_CAST('2025-03-18 10:00' AS DATE) silently drops the time of day.
      return `(${cast} IS NULL OR (contains(${value}, ':') AND TRY_CAST(${value} AS TIMESTAMP) IS DISTINCT FROM ${cast}))`;
    default:
      return `${cast} IS NULL`;
  }
}

/**
 * Splits every file into physical lines and classifies each line below the header, in one pass inside DuckDB.
 * Files in `escapedFiles` (1-based indexes of files that are not valid UTF-8) are split on their escaped BLOB form
 * (`\xNN`, unambiguous) and each line is decoded on its own, so one bad byte quarantines one line, whose raw text is
 * kept escaped; the others are read as text, which validates them far faster than decoding BLOBs.
 * `defect` is NULL for an accepted line, a skip reason for a repeated header or a blank line, else the first defect
 * found; a cast or null defect names its column by 1-based index (`bad_cast:2`), decoded only for the few bad lines.
 */
export function createRowsSql(
  rows: string,
  files: readonly string[],
  headers: readonly FileHeader[],
  columns: readonly CsvColumn[],
  delimiter: string,
  escapedFiles: ReadonlySet<number> = new Set(),
): string {
  const list = fileList(files);
  const textFiles = files.filter((_, i) => !escapedFiles.has(i + 1));
  const blobFiles = files.filter((_, i) => escapedFiles.has(i + 1));
  const sources: string[] = [];
  if (textFiles.length > 0) {
    sources.push(`SELECT list_position(${list}, filename) AS file_index, true AS utf8, string_split(content, chr(10)) AS pieces FROM read_text(${fileList(textFiles)})`);
  }
  if (blobFiles.length > 0) {
    sources.push(
      `SELECT list_position(${list}, filename) AS file_index, false AS utf8, string_split(CAST(content AS VARCHAR), '\\x0A') AS pieces FROM read_blob(${fileList(blobFiles)})`,
    );
  }
  const values = columns.map((_, i) => `CASE WHEN p${i} > 0 THEN nullif(fields[p${i}], '') END AS v${i}`);
  const casts = columns.map((column, i) => `TRY_CAST(v${i} AS ${column.type}) AS c${i}`);
  const defects: string[] = [];
  // The defect names the column by its 1-based position, so column names never need escaping here.
  columns.forEach((column, i) => {
    defects.push(`WHEN v${i} IS NOT NULL AND ${badCast(column.type, `v${i}`, `c${i}`)} THEN 'bad_cast:${i + 1}'`);
    if (column.required) defects.push(`WHEN v${i} IS NULL THEN 'null_required:${i + 1}'`);
  });
  // A NULL text (invalid UTF-8) matches neither skip test, so it reaches the drift and invalid_utf8 tests.
  // Non-empty files only: an empty file has no lines, and its placeholder header must not break the constant case.
  const known = headers.filter((header) => header.headerLine !== null);
  const pick = <T extends string | number | null>(get: (header: FileHeader) => T): string =>
    perFile(headers.map((header) => (header.headerLine === null ? (known[0] ? get(known[0]) : null) : get(header))));
  const headerColumns = [
    `${pick((header) => header.headerLine)} AS header_line`,
    `${pick((header) => header.fieldCount)} AS field_count`,
    `${pick((header) => header.drift ?? null)} AS drift`,
    ...columns.map((_, i) => `${pick((header) => header.positions[i] ?? 0)} AS p${i}`),
  ].join(', ');
  return `CREATE TEMP TABLE ${rows} AS
WITH split AS (
  ${sources.join('\n  UNION ALL\n  ')}
), pieces AS (
  SELECT file_index, utf8, unnest(pieces) AS piece, generate_subscripts(pieces, 1) AS line_number, len(pieces) AS piece_count
  FROM split
), lines AS (
  SELECT file_index, line_number, CASE WHEN utf8 THEN piece ELSE try(decode(CAST(piece AS BLOB))) END AS decoded_line,
    CASE WHEN NOT utf8 THEN piece END AS escaped
  FROM pieces
  -- Line 1 is the header; the empty piece after a final newline is not a line.
  WHERE line_number > 1 AND (line_number < piece_count OR piece <> '')
), parsed AS (
  SELECT file_index, line_number, text, escaped, ${headerColumns}, ${fieldsExpression('text', delimiter)} AS fields
  FROM (SELECT file_index, line_number, escaped, ${trimFraming('decoded_line')} AS text FROM lines) AS l
), typed AS (
  SELECT *, ${casts.join(', ')} FROM (SELECT *, ${values.join(', ')} FROM parsed) AS picked
), classified AS (
  SELECT *, CASE
    WHEN text = header_line THEN 'header_repeat'
    WHEN text = '' OR (left(text, 1) IN (' ', chr(9)) AND trim(text, ' ' || chr(9)) = '') THEN 'blank_line'
    WHEN drift IS NOT NULL THEN 'schema_drift'
    WHEN text IS NULL THEN 'invalid_utf8'
    WHEN fields IS NULL THEN 'bad_quoting'
    WHEN len(fields) < field_count THEN 'missing_columns'
    WHEN len(fields) > field_count THEN 'extra_columns'
    ${defects.join('\n    ')}
  END AS defect
  FROM typed
)
SELECT file_index, line_number, coalesce(text, escaped) AS raw, defect, ${columns.map((_, i) => `c${i}`).join(', ')}
FROM classified`;
}

/**
 * Marks accepted lines whose key repeats an earlier accepted line (in file order, then line order) as `duplicate_key`.
 * Keys with a null part never collide, as in a SQL unique constraint. Only keys that do repeat are ranked.
 */
export function markDuplicatesSql(rows: string, keyIndexes: readonly number[]): string {
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

/** Creates the accepted table: the typed columns plus where each row came from (row order is not guaranteed). */
export function createTargetSql(rows: string, files: readonly string[], target: string, columns: readonly CsvColumn[]): string {
  const selected = columns.map((column, i) => `c${i} AS ${quoteIdentifier(column.name)}`).join(', ');
  return `CREATE TABLE ${target} AS
SELECT ${selected}, ${fileList(files)}[file_index] AS _source_file, line_number AS _line_number
FROM ${rows} WHERE defect IS NULL`;
}

/** Creates the quarantine table: one row per rejected line with its first defect and its raw text (escaped if not UTF-8). */
export function createQuarantineSql(
  rows: string,
  files: readonly string[],
  quarantine: string,
  columns: readonly CsvColumn[],
  key: readonly string[],
  drifts: readonly (string | null)[] = [],
): string {
  const skips = SKIP_REASONS.map(sqlString).join(', ');
  const names = `[${columns.map((column) => sqlString(column.name)).join(', ')}]`;
  const driftColumn = drifts.some((drift) => drift !== null && drift !== undefined)
    ? `WHEN defect = 'schema_drift' THEN [${files.map((_, i) => (drifts[i] ? sqlString(drifts[i]) : 'NULL')).join(', ')}][file_index]\n    `
    : '';
  return `CREATE TABLE ${quarantine} AS
SELECT ${fileList(files)}[file_index] AS _source_file, line_number AS _line_number,
  CASE ${driftColumn}WHEN defect = 'duplicate_key' THEN ${key.length > 0 ? sqlString(key.join(',')) : 'NULL'}
    WHEN contains(defect, ':') THEN ${names}[CAST(split_part(defect, ':', 2) AS INTEGER)] END AS _column,
  split_part(defect, ':', 1) AS _error_type, raw AS _raw_line, now() AS _quarantined_at
FROM ${rows}
WHERE defect IS NOT NULL AND defect NOT IN (${skips})
ORDER BY file_index, line_number`;
}
