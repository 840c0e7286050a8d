// Values between PostgreSQL and JavaScript: per-pool type parsers, and column types inferred from JS rows.
import pg from 'pg';
import type { Row } from '../../model/asset-definition.js';

/**
 * Parsers for the warehouse's pool (never the process-wide ones): BIGINT and NUMERIC as numbers when exact
 * (as the DuckDB adapter returns them), TIMESTAMP (without zone) as the UTC instant it spells.
 * @example new pg.Pool({ connectionString, types: WAREHOUSE_TYPES })
 */
export const WAREHOUSE_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary') {
      if (oid === pg.types.builtins.INT8) return exactNumber;
      if (oid === pg.types.builtins.NUMERIC) return (text: string) => Number(text);
      if (oid === pg.types.builtins.TIMESTAMP) return utcTimestamp;
      if (oid === pg.types.builtins.DATE) return (text: string) => text;
    }
    return pg.types.getTypeParser(oid, format ?? 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

function exactNumber(text: string): number | string {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : text;
}

function utcTimestamp(text: string): Date | string {
  const date = new Date(`${text.replace(' ', 'T')}Z`);
  return Number.isNaN(date.getTime()) ? text : date;
}

/** A column for rows handed over from JavaScript. */
export interface InferredColumn {
  name: string;
  type: 'BOOLEAN' | 'BIGINT' | 'DOUBLE PRECISION' | 'NUMERIC' | 'TIMESTAMPTZ' | 'JSONB' | 'TEXT';
}

/**
 * Column types from the values (first-seen column order); mixed or all-null columns are TEXT.
 * @example inferColumns([{ a: 1, b: 'x' }, { a: 2.5, b: null }]) // [{ name: 'a', type: 'DOUBLE PRECISION' }, { name: 'b', type: 'TEXT' }]
 */
export function inferColumns(rows: readonly Row[]): InferredColumn[] {
  const kinds = new Map<string, Set<InferredColumn['type']>>();
  for (const row of rows) {
    for (const [name, value] of Object.entries(row)) {
      if (!kinds.has(name)) kinds.set(name, new Set());
      if (value !== null && value !== undefined) kinds.get(name)!.add(kindOf(value));
    }
  }
  return [...kinds].map(([name, seen]) => ({ name, type: unify(seen) }));
}

function kindOf(value: unknown): InferredColumn['type'] {
  if (typeof value === 'boolean') return 'BOOLEAN';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'BIGINT' : 'DOUBLE PRECISION';
  if (typeof value === 'bigint') return 'NUMERIC';
  if (value instanceof Date) return 'TIMESTAMPTZ';
  if (typeof value === 'object') return 'JSONB';
  return 'TEXT';
}

function unify(seen: Set<InferredColumn['type']>): InferredColumn['type'] {
  if (seen.size === 1) return [...seen][0]!;
  if ([...seen].every((t) => t === 'BIGINT' || t === 'DOUBLE PRECISION' || t === 'NUMERIC')) return seen.has('NUMERIC') ? 'NUMERIC' : 'DOUBLE PRECISION';
  return 'TEXT';
}

/**
 * One CSV line (COPY ... FORMAT csv) of `row` in the order of `columns`: NULL unquoted-empty, text always quoted.
 * @example csvLine({ a: 1, b: 'x"y' }, cols) // '1,"x""y"\n'
 */
export function csvLine(row: Row, columns: readonly InferredColumn[]): string {
  return `${columns.map((c) => csvField(row[c.name], c.type)).join(',')}\n`;
}

function csvField(value: unknown, type: InferredColumn['type']): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (value instanceof Date) text = value.toISOString();
  else if (typeof value === 'object') text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  else text = String(value);
  if (type === 'TEXT' || type === 'JSONB') return `"${text.replace(/"/g, '""')}"`;
  return text;
}
