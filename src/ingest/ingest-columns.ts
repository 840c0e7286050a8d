// The typed columns an ingestion loads, shared by every source format, and how a lossy or failed cast is detected.
import { SluiceError } from '../errors.js';
import { assertIdentifier } from '../model/asset-key.js';
import { SCHEMA_CONTRACTS } from './schema-contract.js';
import type { SchemaContract } from './schema-contract.js';

/** Column types a source column may be loaded as. */
export type IngestColumnType = 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'TIMESTAMP' | 'DATE' | 'BOOLEAN' | 'UUID';

/** One expected column of a source, matched by name against each file's header, keys or schema. */
export interface IngestColumn {
  name: string;
  type: IngestColumnType;
  /** A null or empty value quarantines the row with `null_required:<name>`. */
  required?: boolean;
}

const COLUMN_TYPES: readonly IngestColumnType[] = ['VARCHAR', 'INTEGER', 'BIGINT', 'DOUBLE', 'TIMESTAMP', 'DATE', 'BOOLEAN', 'UUID'];

/** A source format as named in messages ("CSV", "JSON lines", "Parquet"). */
export type SourceFormat = 'CSV' | 'JSON lines' | 'Parquet';

/** What every loader reads and where it puts it; validated once here so each format reports mistakes the same way. */
export interface IngestOptions {
  /** Absolute paths or globs; overlapping matches are read once, files in name order. */
  files: readonly string[];
  /** Expected columns, found by name in each file (how names match and what happens to others: see each format). */
  columns: readonly IngestColumn[];
  /** Quoted relation to create with the accepted rows plus `_source_file` and the format's position column. */
  target: string;
  /** Quoted relation to create with one row per rejected row. */
  quarantine: string;
  /** Columns whose combination must be unique: later repeats are quarantined as `duplicate_key`. */
  key?: readonly string[];
  /** Fail, creating nothing, when more than this percentage of data rows is quarantined. */
  errorBudgetPercent?: number;
  /** What to do when a file's columns differ from `columns` (see `SchemaContract` and each format). */
  schemaContract?: SchemaContract;
  /**
   * Columns added to the target after the loaded ones, written in the same pass: name -> DuckDB SQL expression over
   * the loaded columns and the lineage columns, e.g. `{ _batch_id: sqlString(ctx.runId), _ingested_at: 'now()' }`.
   */
  extraColumns?: Readonly<Record<string, string>>;
  /**
   * False leaves `_source_file` and the position column out of the target, for a target whose contract has its own
   * ingestion columns (they can be derived in `extraColumns`); the quarantine always has them. Default true.
   */
  lineageColumns?: boolean;
}

export function invalidIngestion(format: SourceFormat, message: string): SluiceError {
  return new SluiceError('INVALID_DEFINITION', `${format} ingestion: ${message}`);
}

/**
 * Checks files, columns, key, contract and budget; returns the 0-based index of each key column.
 * `reserved` names the provenance columns the format adds to the target, which a configured column may not reuse.
 */
export function validateOptions(format: SourceFormat, options: IngestOptions, reserved: readonly string[]): number[] {
  const invalid = (message: string): SluiceError => invalidIngestion(format, message);
  if (options.files.length === 0) throw invalid('no files given; pass absolute paths or globs in `files`');
  if (options.columns.length === 0) throw invalid('no columns given');
  const seen = new Set<string>();
  for (const column of options.columns) {
    assertIdentifier(column.name, `${format} column`);
    const lower = column.name.toLowerCase();
    if (seen.has(lower)) throw invalid(`column "${column.name}" is listed twice`);
    if (reserved.includes(lower)) throw invalid(`column "${column.name}" clashes with the lineage column Sluice adds`);
    seen.add(lower);
    if (!COLUMN_TYPES.includes(column.type)) {
      throw invalid(`column "${column.name}" has type "${String(column.type)}"; use one of ${COLUMN_TYPES.join(', ')}`);
    }
  }
  const contract = options.schemaContract;
  if (contract !== undefined && !SCHEMA_CONTRACTS.includes(contract)) {
    throw invalid(`schemaContract "${String(contract)}" is not one of ${SCHEMA_CONTRACTS.join(', ')}`);
  }
  for (const name of Object.keys(options.extraColumns ?? {})) {
    assertIdentifier(name, `${format} extra column`);
    const lower = name.toLowerCase();
    if (seen.has(lower) || reserved.includes(lower)) throw invalid(`extra column "${name}" has the name of a loaded or lineage column`);
    seen.add(lower);
  }
  const budget = options.errorBudgetPercent;
  if (budget !== undefined && !(budget >= 0 && budget <= 100)) throw invalid(`errorBudgetPercent must be between 0 and 100, got ${budget}`);
  return (options.key ?? []).map((key) => {
    const index = options.columns.findIndex((column) => column.name.toLowerCase() === key.toLowerCase());
    if (index < 0) throw invalid(`key column "${key}" is not one of the columns (${options.columns.map((c) => c.name).join(', ')})`);
    return index;
  });
}

/** SQL that is true when `value` (non-null text) did not convert losslessly into `cast`, its TRY_CAST to `type`. */
export function badCastFromText(type: IngestColumnType, value: string, cast: string): string {
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
