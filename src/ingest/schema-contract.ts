// Schema contracts for ingestion: find each file's column drift (CSV header, Parquet schema) and apply ignore_extra,
// evolve, freeze or discard_row.
import { SluiceError } from '../errors.js';
import { assertIdentifier, sqlString } from '../model/asset-key.js';
import type { IngestColumn } from './ingest-columns.js';

/**
 * What to do when a file's header differs from the configured columns (compared by name, case-insensitively):
 * - `ignore_extra` (default): extra header columns are ignored; a missing configured column fails the ingestion.
 * - `evolve`: extra header columns are added to the target as VARCHAR; missing optional columns are NULL for that
 *   file; a missing required column still fails the ingestion.
 * - `freeze`: any drift in any file fails the ingestion, creating nothing.
 * - `discard_row`: every data line of a drifted file is quarantined as `schema_drift` (the error budget applies).
 */
export type SchemaContract = 'ignore_extra' | 'evolve' | 'freeze' | 'discard_row';

/** The schema contracts ingestion accepts. */
export const SCHEMA_CONTRACTS: readonly SchemaContract[] = ['ignore_extra', 'evolve', 'freeze', 'discard_row'];

/** How one file's header differs from the configured columns; only files that differ are reported. */
export interface SchemaDrift {
  file: string;
  /** Header columns that are not configured, spelled as in the header, in header order. */
  added: string[];
  /** Configured columns absent from the header, in configuration order. */
  missing: string[];
}

/** One file's parsed header line: `line` is null for an empty file (no header, no drift). */
export interface ParsedHeader {
  file: string;
  line: string | null;
  fieldCount: number;
  /** Trimmed header field names (CSV) or column names (Parquet) in file order. */
  names: string[];
  /** How messages name where the columns come from; default `the header "<line>"`. */
  describedAs?: string;
}

/** What ingestion learned from one file's columns; files are numbered from 1 in name order. */
export interface FileHeader {
  /** NULL for an empty file (it has no lines at all). */
  headerLine: string | null;
  fieldCount: number;
  /** 1-based field position of each configured column in this file (0 = absent). */
  positions: number[];
  /** Set under the `discard_row` contract for a drifted file: every data row is quarantined as `schema_drift` with this as `_column`. */
  drift?: string | null;
}

/** The outcome of a contract: the columns to load (configured plus evolved ones), per-file headers and the drift found. */
export interface ContractPlan {
  columns: IngestColumn[];
  headers: FileHeader[];
  drift: SchemaDrift[];
  /** Per file, the drift text recorded as `_column` of its `schema_drift` lines (discard_row only), else null. */
  discarded: (string | null)[];
}

const LINEAGE_COLUMNS = ['_source_file', '_line_number', '_row_offset'];

/**
 * Compares one header with the configured columns.
 * @example findDrift({ file: 'b.csv', line: 'id,extra', fieldCount: 2, names: ['id', 'extra'] }, [{ name: 'id', type: 'INTEGER' }, { name: 'v', type: 'DOUBLE' }])
 * // { file: 'b.csv', added: ['extra'], missing: ['v'] }
 */
function findDrift(header: ParsedHeader, columns: readonly IngestColumn[]): SchemaDrift {
  const configured = new Set(columns.map((column) => column.name.toLowerCase()));
  const present = new Set(header.names.map((name) => name.toLowerCase()));
  const seen = new Set<string>();
  const added = header.names.filter((name) => {
    const lower = name.toLowerCase();
    if (configured.has(lower) || seen.has(lower)) return false;
    seen.add(lower);
    return true;
  });
  const missing = columns.filter((column) => !present.has(column.name.toLowerCase())).map((column) => column.name);
  return { file: header.file, added, missing };
}

/** One line per drifted file, for messages and the `_column` of `schema_drift` lines. */
export function describeDrift(drift: SchemaDrift): string {
  const parts: string[] = [];
  if (drift.added.length > 0) parts.push(`added ${drift.added.join(', ')}`);
  if (drift.missing.length > 0) parts.push(`missing ${drift.missing.join(', ')}`);
  return parts.join('; ');
}

function lacking(header: ParsedHeader, missing: readonly string[], what: string): SluiceError {
  const source = header.describedAs ?? `the header "${header.line ?? ''}"`;
  return new SluiceError('SOURCE_ERROR', `${header.file}: ${source} lacks ${what}(s) ${missing.join(', ')}; fix the file or the column list`);
}

/** The evolved columns: every added header column once (first spelling wins), validated as an identifier. */
export function evolvedColumns(drift: readonly SchemaDrift[]): IngestColumn[] {
  const columns: IngestColumn[] = [];
  const seen = new Set<string>();
  for (const { file, added } of drift) {
    for (const name of added) {
      const lower = name.toLowerCase();
      if (seen.has(lower)) continue;
      seen.add(lower);
      try {
        assertIdentifier(name, 'new source column');
      } catch (error) {
        throw new SluiceError(
          'SOURCE_ERROR',
          `${file}: the new column "${name}" cannot be added under schemaContract 'evolve': it is not a valid identifier; rename it in the file`,
          { cause: error },
        );
      }
      if (LINEAGE_COLUMNS.includes(lower)) {
        throw new SluiceError('SOURCE_ERROR', `${file}: the new column "${name}" clashes with the lineage column Sluice adds; rename it in the file`);
      }
      columns.push({ name, type: 'VARCHAR' });
    }
  }
  return columns;
}

/**
 * Applies a schema contract to the parsed headers of all files. Throws SOURCE_ERROR (before anything is created) for
 * `freeze` with any drift, and for a missing configured column (`ignore_extra`) or missing required column (`evolve`).
 * @example
 * const plan = applySchemaContract('evolve', columns, parsedHeaders);
 * // plan.columns = configured columns + one VARCHAR per new header column; plan.drift lists each drifted file
 */
export function applySchemaContract(contract: SchemaContract, configured: readonly IngestColumn[], parsed: readonly ParsedHeader[]): ContractPlan {
  const withHeader = parsed.filter((header) => header.line !== null);
  const drifts = new Map(withHeader.map((header) => [header.file, findDrift(header, configured)]));
  const drift = [...drifts.values()].filter((d) => d.added.length > 0 || d.missing.length > 0);
  if (contract === 'freeze' && drift.length > 0) {
    throw new SluiceError(
      'SOURCE_ERROR',
      `schema contract 'freeze': ${drift.length} file(s) differ from the configured columns, nothing was loaded: ` +
        `${drift.map((d) => `${d.file} (${describeDrift(d)})`).join('; ')}. ` +
        `Fix the files' columns, or update \`columns\` to the new schema, or use schemaContract 'evolve' or 'discard_row'.`,
    );
  }
  for (const header of withHeader) {
    const missing = drifts.get(header.file)?.missing ?? [];
    if (contract === 'ignore_extra' && missing.length > 0) throw lacking(header, missing, 'column');
    const required = configured.filter((column) => column.required && missing.includes(column.name)).map((column) => column.name);
    if (contract === 'evolve' && required.length > 0) throw lacking(header, required, 'required column');
  }
  const columns = contract === 'evolve' ? [...configured, ...evolvedColumns(drift)] : [...configured];
  const discarded = parsed.map((header): string | null => {
    const d = drifts.get(header.file);
    return contract === 'discard_row' && d && (d.added.length > 0 || d.missing.length > 0) ? describeDrift(d) : null;
  });
  const headers = parsed.map((header, i): FileHeader => {
    const lower = header.names.map((name) => name.toLowerCase());
    return {
      headerLine: header.line,
      fieldCount: header.fieldCount,
      positions: columns.map((column) => (header.line === null ? 0 : lower.indexOf(column.name.toLowerCase()) + 1)),
      drift: discarded[i] ?? null,
    };
  });
  return { columns, headers, drift, discarded };
}

/**
 * SQL over a scratch table (`file_index`, `defect`) giving the `_column` of a `schema_drift` row under `discard_row`:
 * how its file differs. Undefined when no file was discarded.
 */
export function discardedFileDetail(discarded: readonly (string | null)[]): string | undefined {
  if (discarded.every((text) => text === null)) return undefined;
  return `CASE WHEN defect = 'schema_drift' THEN [${discarded.map((text) => (text === null ? 'NULL' : sqlString(text))).join(', ')}][file_index] END`;
}
