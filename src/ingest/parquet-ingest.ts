// Parquet ingestion with quarantine: rows whose values do not fit the configured columns are quarantined, not lost.
import { SluiceError } from '../errors.js';
import { quoteIdentifier, sqlString } from '../model/asset-key.js';
import { badCastFromText, validateOptions } from './ingest-columns.js';
import type { IngestColumn, IngestOptions } from './ingest-columns.js';
import { fileList, loadClassifiedRows, loadTargetsOf, readingFiles, resolveFiles, scratchTable } from './quarantine-load.js';
import type { IngestConnection, IngestResult } from './quarantine-load.js';
import { applySchemaContract, discardedFileDetail } from './schema-contract.js';
import type { FileHeader, ParsedHeader } from './schema-contract.js';

/**
 * Columns are found by name (case-insensitive) among each file's top-level columns; the target gets `_source_file`
 * and `_row_offset` (the 0-based row in its file), the quarantine each rejected row's values as JSON in `_raw_line`.
 * `schemaContract` works as for CSV headers; `evolve` adds new columns with their Parquet type.
 */
export type ParquetIngestOptions = IngestOptions;

const LINEAGE_COLUMNS = ['_source_file', '_row_offset'];
/** The column DuckDB adds with each row's file; named so that a source column called `filename` stays intact. */
const FILE_COLUMN = '_sluice_source_file';

interface SchemaRow {
  file: string;
  name: string;
  children: number;
}

/** The top-level column names of each file, from the flattened (depth-first) Parquet schema DuckDB reports. */
function topLevelColumns(rows: readonly SchemaRow[], files: readonly string[]): ParsedHeader[] {
  const byFile = new Map<string, SchemaRow[]>();
  for (const row of rows) byFile.set(row.file, [...(byFile.get(row.file) ?? []), row]);
  return files.map((file) => {
    const elements = byFile.get(file) ?? [];
    const names: string[] = [];
    // Element 0 is the root; each top-level column is followed by its whole subtree, which is skipped.
    let next = 1;
    const skipSubtree = (index: number): number => {
      let end = index + 1;
      for (let child = 0; child < (elements[index]?.children ?? 0); child++) end = skipSubtree(end);
      return end;
    };
    for (let column = 0; column < (elements[0]?.children ?? 0); column++) {
      names.push(elements[next]?.name ?? '');
      next = skipSubtree(next);
    }
    return { file, line: names.join(','), fieldCount: names.length, names, describedAs: `its schema (${names.join(', ')})` };
  });
}

async function readSchemas(connection: IngestConnection, files: readonly string[]): Promise<ParsedHeader[]> {
  const rows = await readingFiles('Parquet', files, () =>
    connection.query(`SELECT file_name, name, coalesce(num_children, 0) AS children FROM parquet_schema(${fileList(files)})`),
  );
  return topLevelColumns(
    rows.map((row) => ({ file: String(row.file_name), name: String(row.name), children: Number(row.children) })),
    files,
  );
}

/** One column as `union_by_name` reads it across all files. */
interface UnifiedColumn {
  name: string;
  type: string;
}

async function unifiedColumns(connection: IngestConnection, files: readonly string[]): Promise<UnifiedColumn[]> {
  const rows = await readingFiles('Parquet', files, () => connection.query(`DESCRIBE SELECT * FROM read_parquet(${fileList(files)}, union_by_name = true)`));
  return rows.map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
}

/** DuckDB's integer types: a TRY_CAST between two of them fails on overflow and never rounds. */
const INTEGER_TYPES = ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT'];

/** SQL that is true when `value` (non-null, of Parquet type `sourceType`) did not convert losslessly into `cast`. */
function badCast(column: IngestColumn, sourceType: string, value: string, cast: string): string {
  if (sourceType === column.type) return 'false';
  if (sourceType === 'VARCHAR') return badCastFromText(column.type, value, cast);
  // Integer to integer: the cast being NULL says it all, so no value is converted back per row.
  if (INTEGER_TYPES.includes(sourceType) && INTEGER_TYPES.includes(column.type)) return `${cast} IS NULL`;
  // A typed value converts without loss exactly when converting it back gives it again (1.5 -> 2 -> 2.0 does not).
  return `(${cast} IS NULL OR TRY_CAST(${cast} AS ${sourceType}) IS DISTINCT FROM ${value})`;
}

/** The SELECT that classifies every row of the files (the layout `ClassifiedRows` describes). */
function classifiedParquetSql(
  files: readonly string[],
  columns: readonly IngestColumn[],
  evolvedFrom: number,
  headers: readonly FileHeader[],
  unified: readonly UnifiedColumn[],
): string {
  const list = fileList(files);
  const types = new Map(unified.map((column) => [column.name.toLowerCase(), column]));
  const values: string[] = [];
  const casts: string[] = [];
  const defects: string[] = [];
  columns.forEach((column, i) => {
    const found = types.get(column.name.toLowerCase());
    const sourceType = found?.type;
    values.push(`${found === undefined ? 'NULL' : `src.${quoteIdentifier(found.name)}`} AS v${i}`);
    if (i >= evolvedFrom) {
      casts.push(`v${i} AS c${i}`); // evolved columns keep their Parquet type
      return;
    }
    casts.push(`TRY_CAST(v${i} AS ${column.type}) AS c${i}`);
    if (column.required) defects.push(`WHEN v${i} IS NULL THEN 'null_required:${i + 1}'`);
    if (sourceType !== undefined) defects.push(`WHEN v${i} IS NOT NULL AND ${badCast(column, sourceType, `v${i}`, `c${i}`)} THEN 'bad_cast:${i + 1}'`);
  });
  const drifted = headers.map((header) => (header.drift ? 'true' : 'false'));
  const drift = drifted.includes('true') ? `WHEN [${drifted.join(', ')}][file_index] THEN 'schema_drift'` : '';
  // The source columns travel as one struct, so no source column name can clash with the names used here.
  const row = `struct_pack(${unified.map((column) => `${quoteIdentifier(column.name)} := ${quoteIdentifier(column.name)}`).join(', ')})`;
  // One file needs no per-row file name, which costs a string per row.
  const [fileIndex, filename] = files.length === 1 ? ['1', ''] : [`list_position(${list}, ${FILE_COLUMN})`, `filename = ${sqlString(FILE_COLUMN)}, `];
  return `WITH source AS (
  SELECT ${fileIndex} AS file_index, file_row_number AS line_number, ${row} AS src
  FROM read_parquet(${list}, union_by_name = true, ${filename}file_row_number = true)
), typed AS (
  SELECT *, ${casts.join(', ')} FROM (SELECT *, ${values.join(', ')} FROM source) AS picked
), classified AS (
  SELECT *, CASE
    ${drift}
    ${defects.join('\n    ')}
  END AS defect
  FROM typed
)
SELECT file_index, line_number, CASE WHEN defect IS NOT NULL THEN CAST(to_json(src) AS VARCHAR) END AS raw, defect, ${columns.map((_, i) => `c${i}`).join(', ')}
FROM classified`;
}

/**
 * Loads Parquet files into `target`, writing every row that cannot be loaded to `quarantine` with its file, 0-based
 * row offset (`_row_offset`), column, error type and the row's values as JSON (`_raw_line`): `bad_cast` (a value that
 * does not convert losslessly to the column type), `null_required`, `duplicate_key`, `schema_drift` (`discard_row`).
 * A file that is not Parquet fails the ingestion, naming it, and creates nothing. Invariant: `accepted + quarantined
 * = read`. Throws `ErrorBudgetExceededError` (code SOURCE_ERROR), creating nothing, over the error budget.
 * @example
 * const result = await ingestParquet(ctx.sql, {
 *   files: [join(ctx.projectDir, 'landing', 'orders-*.parquet')],
 *   columns: [{ name: 'order_id', type: 'BIGINT', required: true }, { name: 'amount', type: 'DOUBLE' }],
 *   key: ['order_id'],
 *   target: ctx.target,
 *   quarantine: ctx.sideOutput('orders_quarantine'),
 * });
 */
export async function ingestParquet(connection: IngestConnection, options: ParquetIngestOptions): Promise<IngestResult> {
  const keyIndexes = validateOptions('Parquet', options, LINEAGE_COLUMNS);
  const contract = options.schemaContract ?? 'ignore_extra';
  const files = await resolveFiles(connection, 'Parquet', options.files);
  const parsed = await readSchemas(connection, files);
  const { columns, headers, drift, discarded } = applySchemaContract(contract, options.columns, parsed);
  const unified = await unifiedColumns(connection, files);
  if (unified.some((column) => [FILE_COLUMN, 'file_row_number'].includes(column.name.toLowerCase()))) {
    throw new SluiceError(
      'SOURCE_ERROR',
      `${files.join(', ')}: a column is named ${FILE_COLUMN} or file_row_number, which Parquet ingestion reserves; rename it at the source`,
    );
  }
  const classify = classifiedParquetSql(files, columns, options.columns.length, headers, unified);
  // Reading Parquet again costs less than writing every row to a scratch table first, so without a key (whose
  // duplicates are marked in place) each pass reads the files.
  const rowsAreQuery = keyIndexes.length === 0;
  const rows = rowsAreQuery ? `(${classify})` : scratchTable('rows');
  if (!rowsAreQuery) await readingFiles('Parquet', files, () => connection.exec(`CREATE TEMP TABLE ${rows} AS ${classify}`));
  return readingFiles('Parquet', files, () =>
    loadClassifiedRows(
      connection,
      {
        format: 'Parquet',
        rows,
        rowsAreQuery,
        readCount: `(SELECT count(*) FROM read_parquet(${fileList(files)}, union_by_name = true))`,
        files,
        columns,
        keyIndexes,
        positionColumn: '_row_offset',
        columnDetail: discardedFileDetail(discarded),
      },
      loadTargetsOf(options, drift),
    ),
  );
}
