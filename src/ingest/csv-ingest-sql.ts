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

/** Names of the scratch tables one ingestion uses; all live in the connection's temp schema. */
export interface IngestTables {
  files: string;
  lines: string;
  headers: string;
  rows: string;
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

/** Creates the ordered file list; `files` were resolved (and de-duplicated) beforehand. */
export function createFilesSql(tables: IngestTables, files: readonly string[]): string {
  const list = `[${files.map(sqlString).join(', ')}]`;
  return `CREATE TEMP TABLE ${tables.files} AS SELECT unnest(${list}) AS file, generate_subscripts(${list}, 1) AS file_index`;
}

/**
 * Splits every file into physical lines with their 1-based line numbers. Files that are valid UTF-8 are split as text;
 * others are split on their escaped BLOB form (`\xNN`, unambiguous), then each line is decoded on its own, so one bad
 * byte quarantines one line. `text` is NULL for a line that is not valid UTF-8; `raw` then holds its escaped bytes.
 */
export function createLinesSql(tables: IngestTables, files: readonly string[]): string {
  const list = `[${files.map(sqlString).join(', ')}]`;
  return `CREATE TEMP TABLE ${tables.lines} AS
WITH split AS (
  SELECT f.file_index, decoded IS NOT NULL AS utf8,
    CASE WHEN decoded IS NOT NULL THEN string_split(decoded, chr(10)) ELSE string_split(CAST(b.content AS VARCHAR), '\\x0A') END AS pieces
  FROM (SELECT filename, content, try(decode(content)) AS decoded FROM read_blob(${list})) AS b
  JOIN ${tables.files} AS f ON f.file = b.filename
), pieces AS (
  SELECT file_index, utf8, unnest(pieces) AS piece, generate_subscripts(pieces, 1) AS line_number, len(pieces) AS piece_count
  FROM split
), decoded AS (
  -- CRLF endings and byte-order marks (also of files appended mid-file) are framing, not data.
  SELECT file_index, line_number, piece,
    ltrim(rtrim(CASE WHEN utf8 THEN piece ELSE try(decode(CAST(piece AS BLOB))) END, chr(13)), chr(65279)) AS text
  FROM pieces
  -- The empty piece after a final newline is not a line.
  WHERE line_number < piece_count OR piece <> ''
)
SELECT file_index, line_number, text, coalesce(text, piece) AS raw FROM decoded`;
}

/** Parses each file's first line as its header and finds every configured column in it (0 = missing). */
export function createHeadersSql(tables: IngestTables, columns: readonly CsvColumn[], delimiter: string): string {
  const positions = columns.map(
    (column, i) => `coalesce(list_position(list_transform(fields, lambda h: lower(trim(h))), ${sqlString(column.name.toLowerCase())}), 0) AS p${i}`,
  );
  return `CREATE TEMP TABLE ${tables.headers} AS
SELECT file_index, text AS header_line, len(fields) AS field_count, ${positions.join(', ')}
FROM (SELECT file_index, text, ${fieldsExpression('text', delimiter)} AS fields FROM ${tables.lines} WHERE line_number = 1) AS first_lines`;
}

/** SQL that is true when `value` (non-null text) did not convert losslessly into `cast`. */
function badCast(type: CsvColumnType, value: string, cast: string): string {
  switch (type) {
    case 'INTEGER':
    case 'BIGINT':
      // TRY_CAST('1.5' AS INTEGER) rounds to 2; a fraction in an integer column is a defect, not a value.
      return `(${cast} IS NULL OR ((contains(${value}, '.') OR contains(lower(${value}), 'e')) AND TRY_CAST(${value} AS DOUBLE) IS DISTINCT FROM ${cast}))`;
    case 'DATE':
      // TRY_CAST('2025-03-18 10:00' AS DATE) silently drops the time of day.
      return `(${cast} IS NULL OR (contains(${value}, ':') AND TRY_CAST(${value} AS TIMESTAMP) IS DISTINCT FROM ${cast}))`;
    default:
      return `${cast} IS NULL`;
  }
}

/**
 * Classifies every line after each file's header. `reason` is NULL for an accepted line, a skip reason for a repeated
 * header or blank line, else the first defect found; `reason_column` names the column of a cast or null defect.
 */
export function createRowsSql(tables: IngestTables, columns: readonly CsvColumn[], delimiter: string): string {
  const values = columns.map((_, i) => `CASE WHEN p${i} > 0 THEN nullif(fields[p${i}], '') END AS v${i}`);
  const casts = columns.map((column, i) => `TRY_CAST(v${i} AS ${column.type}) AS c${i}`);
  const defects: string[] = [];
  // The defect names the column by its 1-based position in `names`, so column names never need escaping here.
  columns.forEach((column, i) => {
    defects.push(`WHEN v${i} IS NOT NULL AND ${badCast(column.type, `v${i}`, `c${i}`)} THEN 'bad_cast:${i + 1}'`);
    if (column.required) defects.push(`WHEN v${i} IS NULL THEN 'null_required:${i + 1}'`);
  });
  const names = `[${columns.map((column) => sqlString(column.name)).join(', ')}]`;
  return `CREATE TEMP TABLE ${tables.rows} AS
SELECT file_index, line_number, raw,
  split_part(defect, ':', 1) AS reason,
  CASE WHEN contains(defect, ':') THEN ${names}[CAST(split_part(defect, ':', 2) AS INTEGER)] END AS reason_column,
  ${columns.map((_, i) => `c${i}`).join(', ')}
FROM (
  SELECT *, CASE
    WHEN text IS NULL THEN 'invalid_utf8'
    WHEN text = header_line THEN 'header_repeat'
    WHEN trim(text) = '' THEN 'blank_line'
    WHEN fields IS NULL THEN 'bad_quoting'
    WHEN len(fields) < field_count THEN 'missing_columns'
    WHEN len(fields) > field_count THEN 'extra_columns'
    ${defects.join('\n    ')}
  END AS defect
  FROM (
    SELECT *, ${casts.join(', ')} FROM (
      SELECT *, ${values.join(', ')} FROM (
        SELECT l.file_index, l.line_number, l.raw, l.text, h.header_line, h.field_count, ${columns.map((_, i) => `h.p${i}`).join(', ')},
          ${fieldsExpression('l.text', delimiter)} AS fields
        FROM ${tables.lines} AS l JOIN ${tables.headers} AS h USING (file_index)
        WHERE l.line_number > 1
      ) AS parsed
    ) AS picked
  ) AS typed
) AS classified`;
}

/**
 * Marks accepted lines whose key repeats an earlier accepted line (in file order, then line order) as `duplicate_key`.
 * Keys with a null part never collide, as in a SQL unique constraint. Only keys that do repeat are ranked.
 */
export function markDuplicatesSql(tables: IngestTables, keyIndexes: readonly number[], keyNames: readonly string[]): string {
  const keys = keyIndexes.map((i) => `c${i}`);
  const notNull = keys.map((key) => `${key} IS NOT NULL`).join(' AND ');
  const join = keys.map((key) => `r.${key} = d.${key}`).join(' AND ');
  return `UPDATE ${tables.rows} SET reason = 'duplicate_key', reason_column = ${sqlString(keyNames.join(','))}
FROM (
  SELECT file_index, line_number FROM (
    SELECT r.file_index, r.line_number, row_number() OVER (PARTITION BY ${keys.map((key) => `r.${key}`).join(', ')} ORDER BY r.file_index, r.line_number) AS rank
    FROM ${tables.rows} AS r
    JOIN (SELECT ${keys.join(', ')} FROM ${tables.rows} WHERE reason IS NULL AND ${notNull} GROUP BY ALL HAVING count(*) > 1) AS d ON ${join}
    WHERE r.reason IS NULL
  ) AS ranked WHERE rank > 1
) AS dup
WHERE ${tables.rows}.file_index = dup.file_index AND ${tables.rows}.line_number = dup.line_number`;
}

/** Creates the accepted table: the typed columns plus where each row came from, in file and line order. */
export function createTargetSql(tables: IngestTables, target: string, columns: readonly CsvColumn[]): string {
  const selected = columns.map((column, i) => `r.c${i} AS ${quoteIdentifier(column.name)}`).join(', ');
  return `CREATE TABLE ${target} AS
SELECT ${selected}, f.file AS _source_file, r.line_number AS _line_number
FROM ${tables.rows} AS r JOIN ${tables.files} AS f USING (file_index)
WHERE r.reason IS NULL`;
}

/** Creates the quarantine table: one row per rejected line with its first defect. */
export function createQuarantineSql(tables: IngestTables, quarantine: string): string {
  const skips = SKIP_REASONS.map(sqlString).join(', ');
  return `CREATE TABLE ${quarantine} AS
SELECT f.file AS _source_file, r.line_number AS _line_number, r.reason_column AS _column, r.reason AS _error_type,
  r.raw AS _raw_line, now() AS _quarantined_at
FROM ${tables.rows} AS r JOIN ${tables.files} AS f USING (file_index)
WHERE r.reason IS NOT NULL AND r.reason NOT IN (${skips})`;
}
