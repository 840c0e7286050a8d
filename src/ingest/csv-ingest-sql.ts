// Pure SQL builders for CSV ingestion: parse each line's fields and classify the line.
import { sqlString } from '../model/asset-key.js';
import { badCastFromText } from './ingest-columns.js';
import type { IngestColumn } from './ingest-columns.js';
import type { FileHeader } from './schema-contract.js';
import { textLinesCte } from './text-lines.js';

/** Regex escape for the delimiter, valid inside and outside character classes (RE2 `\x{..}`). */
function regexChar(char: string): string {
  return `\\x{${char.codePointAt(0)?.toString(16) ?? '2c'}}`;
}

/**
 * SQL turning a line (`text`) into its list of unquoted fields, or NULL when its quoting is broken.
 * Lines without a quote take the fast `string_split`; quoted lines must match the RFC 4180 field grammar as a whole.
 */
function fieldsExpression(text: string, delimiter: string): string {
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

/** Each column's typed value `c<i>` from its text `v<i>` (NULL when absent or empty). */
function valueCasts(columns: readonly IngestColumn[]): string[] {
  return columns.map((column, i) => `TRY_CAST(v${i} AS ${column.type}) AS c${i}`);
}

/**
 * The defects a line's values can have, in the order they are tested: a value that does not convert (`bad_cast`) or a
 * required one that is missing (`null_required`). The defect names the column by its 1-based position, so column
 * names never need escaping here.
 */
function valueDefects(columns: readonly IngestColumn[]): { test: string; defect: string }[] {
  return columns.flatMap((column, i) => [
    { test: `v${i} IS NOT NULL AND ${badCastFromText(column.type, `v${i}`, `c${i}`)}`, defect: `bad_cast:${i + 1}` },
    ...(column.required ? [{ test: `v${i} IS NULL`, defect: `null_required:${i + 1}` }] : []),
  ]);
}

/** A per-file value: a constant when every file agrees (the usual case), else a list literal indexed by file. */
function perFile(values: readonly (string | number | null)[]): string {
  const literal = (value: string | number | null): string => (value === null ? 'NULL' : typeof value === 'number' ? String(value) : sqlString(value));
  const first = values[0] ?? null;
  if (values.every((value) => value === first)) return literal(first);
  return `[${values.map(literal).join(', ')}][file_index]`;
}

/**
 * Classifies each line below each file's header into a scratch table (see `ClassifiedRows`), in one pass inside DuckDB.
 * `defect` is NULL for an accepted line, a skip reason for a repeated header or a blank line, else the first defect
 * found; a cast or null defect names its column by 1-based index (`bad_cast:2`), decoded only for the few bad lines.
 */
export function createRowsSql(
  rows: string,
  files: readonly string[],
  headers: readonly FileHeader[],
  columns: readonly IngestColumn[],
  delimiter: string,
  escapedFiles: ReadonlySet<number> = new Set(),
): string {
  const values = columns.map((_, i) => `CASE WHEN p${i} > 0 THEN nullif(fields[p${i}], '') END AS v${i}`);
  const defects = valueDefects(columns).map(({ test, defect }) => `WHEN ${test} THEN '${defect}'`);
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
WITH ${textLinesCte(files, escapedFiles, 2)}, parsed AS (
  -- Line 1 is the header.
  SELECT file_index, line_number, text, escaped, ${headerColumns}, ${fieldsExpression('text', delimiter)} AS fields
  FROM lines
), typed AS (
  SELECT *, ${valueCasts(columns).join(', ')} FROM (SELECT *, ${values.join(', ')} FROM parsed) AS picked
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
