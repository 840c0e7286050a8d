// Pure SQL builders for JSON-lines ingestion: parse each line as a JSON object, then type and classify its fields.
import { sqlString } from '../model/asset-key.js';
import { badCastFromText } from './ingest-columns.js';
import type { IngestColumn } from './ingest-columns.js';
import { textLinesCte } from './text-lines.js';

/**
 * The first pass: every line of every file with its raw text, a line-level defect (`invalid_utf8`, `blank_line`,
 * `bad_json`, `not_an_object`) or NULL, the parsed document and its top-level keys in document order.
 * `configured` are the column names matched exactly (JSON keys are case-sensitive); `extra` holds the other keys.
 */
export function createParsedLinesSql(parsed: string, files: readonly string[], configured: readonly string[], escapedFiles: ReadonlySet<number>): string {
  const names = `[${configured.map(sqlString).join(', ')}]`;
  return `CREATE TEMP TABLE ${parsed} AS
WITH ${textLinesCte(files, escapedFiles, 1)}, checked AS (
  SELECT file_index, line_number, text, coalesce(text, escaped) AS raw, CASE
    WHEN text IS NULL THEN 'invalid_utf8'
    WHEN trim(text, ' ' || chr(9)) = '' THEN 'blank_line'
    WHEN NOT json_valid(text) THEN 'bad_json'
    WHEN json_type(text) <> 'OBJECT' THEN 'not_an_object'
  END AS defect
  FROM lines
), documents AS (
  SELECT file_index, line_number, raw, defect, CASE WHEN defect IS NULL THEN CAST(text AS JSON) END AS doc FROM checked
)
SELECT *, json_keys(doc) AS keys, list_filter(json_keys(doc), lambda k: NOT list_contains(${names}, k)) AS extra
FROM documents`;
}

/** Each distinct key list per file with how often it occurs: enough to report drift without unnesting every line. */
export function keyListsSql(parsed: string): string {
  return `SELECT file_index, CAST(to_json(keys) AS VARCHAR) AS keys, n FROM (SELECT file_index, keys, count(*) AS n FROM ${parsed} WHERE keys IS NOT NULL GROUP BY ALL) ORDER BY file_index`;
}

function jsonPath(name: string): string {
  // Names are validated identifiers (configured, or evolved and checked), so they never hold a double quote.
  return sqlString(`$."${name}"`);
}

/**
 * The second pass, into the scratch table `loadClassifiedRows` finishes: per configured column, its JSON type
 * (`t<i>`, NULL when the key is absent), its value as text (`v<i>`) and its typed value (`c<i>`), then the first
 * defect of the line. `discardDrift` quarantines lines with extra keys as `schema_drift` (contract `discard_row`).
 * Columns from `evolvedFrom` on were added by `evolve`: they keep objects and arrays as JSON text.
 * `detail` names the keys of a `schema_drift` or `duplicate_field` line.
 */
export function createJsonRowsSql(rows: string, parsed: string, columns: readonly IngestColumn[], evolvedFrom: number, discardDrift: boolean): string {
  const picked = columns.flatMap((column, i) => [
    `json_type(doc, ${jsonPath(column.name)}) AS t${i}`,
    `json_extract_string(doc, ${jsonPath(column.name)}) AS v${i}`,
  ]);
  const casts = columns.map((column, i) => `TRY_CAST(v${i} AS ${column.type}) AS c${i}`);
  const defects: string[] = [];
  columns.forEach((column, i) => {
    if (column.required) {
      defects.push(`WHEN t${i} IS NULL THEN 'missing_columns:${i + 1}'`);
      defects.push(`WHEN v${i} IS NULL THEN 'null_required:${i + 1}'`);
    }
    if (i >= evolvedFrom) return;
    // An object or an array in a configured column is a shape error whatever its type; a scalar must cast without loss.
    defects.push(`WHEN t${i} IN ('OBJECT', 'ARRAY') OR (v${i} IS NOT NULL AND ${badCastFromText(column.type, `v${i}`, `c${i}`)}) THEN 'bad_cast:${i + 1}'`);
  });
  const duplicateKey = `len(keys) <> len(list_distinct(keys))`;
  const drift = discardDrift ? `WHEN len(extra) > 0 THEN 'schema_drift'` : '';
  return `CREATE TEMP TABLE ${rows} AS
WITH picked AS (
  SELECT file_index, line_number, raw, defect AS line_defect, keys, extra, ${picked.join(', ')} FROM ${parsed}
), typed AS (
  SELECT *, ${casts.join(', ')} FROM picked
), classified AS (
  SELECT *, CASE
    WHEN line_defect IS NOT NULL THEN line_defect
    WHEN ${duplicateKey} THEN 'duplicate_field'
    ${drift}
    ${defects.join('\n    ')}
  END AS defect
  FROM typed
)
SELECT file_index, line_number, raw, defect,
  CASE WHEN defect = 'schema_drift' THEN 'added ' || array_to_string(extra, ', ')
    WHEN defect = 'duplicate_field' THEN array_to_string(list_distinct(list_filter(keys, lambda k: len(list_filter(keys, lambda x: x = k)) > 1)), ', ')
  END AS detail,
  ${columns.map((_, i) => `c${i}`).join(', ')}
FROM classified`;
}
