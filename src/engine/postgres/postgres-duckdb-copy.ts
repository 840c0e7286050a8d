// Bulk-loads a DuckDB relation into PostgreSQL: DuckDB writes it as CSV (fast, in parallel), PostgreSQL reads it with COPY.
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { SluiceError } from '../../errors.js';
import { quoteIdentifier, sqlString } from '../../model/asset-key.js';
import type { WarehouseSession } from '../warehouse.js';

/** How one DuckDB column travels: the PostgreSQL type it becomes and the expression DuckDB writes for it. */
interface ColumnTransfer {
  name: string;
  pgType: string;
  select: string;
}

const SIMPLE_TYPES: Readonly<Record<string, string>> = {
  BOOLEAN: 'boolean',
  TINYINT: 'smallint',
  SMALLINT: 'smallint',
  UTINYINT: 'smallint',
  INTEGER: 'integer',
  USMALLINT: 'integer',
  BIGINT: 'bigint',
  UINTEGER: 'bigint',
  UBIGINT: 'numeric',
  HUGEINT: 'numeric',
  UHUGEINT: 'numeric',
  FLOAT: 'real',
  DOUBLE: 'double precision',
  VARCHAR: 'text',
  DATE: 'date',
  TIME: 'time',
  INTERVAL: 'interval',
  TIMESTAMP: 'timestamp',
  UUID: 'uuid',
  JSON: 'jsonb',
};

/**
 * The PostgreSQL column for a DuckDB one. Text forms round-trip exactly (DuckDB writes the shortest exact form of
 * a DOUBLE); nested values (LIST, STRUCT, MAP) become jsonb, BLOBs bytea in hex, sub-microsecond timestamps are cut
 * to the microseconds PostgreSQL keeps, and any other type (ENUM, BIT, ...) its text.
 */
export function columnTransfer(name: string, duckType: string): ColumnTransfer {
  const column = quoteIdentifier(name);
  const simple = SIMPLE_TYPES[duckType];
  if (simple) return { name, pgType: simple, select: column };
  const decimal = /^DECIMAL\((\d+),(\d+)\)$/.exec(duckType);
  if (decimal) return { name, pgType: `numeric(${decimal[1]},${decimal[2]})`, select: column };
  // Formatting an instant in a time zone goes through ICU, the slowest part of the transfer (~4 s of ~8 s for 3M rows):
  // its UTC wall time is written instead, marked +00.
  if (duckType === 'TIMESTAMP WITH TIME ZONE') return { name, pgType: 'timestamptz', select: `CAST(make_timestamp(epoch_us(${column})) AS VARCHAR) || '+00'` };
  if (/^TIMESTAMP_(S|MS|NS)$/.test(duckType)) return { name, pgType: 'timestamp', select: `CAST(${column} AS TIMESTAMP)` };
  if (duckType === 'BLOB') return { name, pgType: 'bytea', select: `'\\x' || hex(${column})` };
  if (/\[\d*\]$|^(STRUCT|MAP|UNION)\(/.test(duckType)) return { name, pgType: 'jsonb', select: `CAST(to_json(${column}) AS VARCHAR)` };
  return { name, pgType: 'text', select: `CAST(${column} AS VARCHAR)` };
}

/**
 * Creates `pgRelation` (quoted, in an existing schema) with the columns of `duckRelation` (quoted, on `duck`) and
 * fills it with COPY. Returns the rows loaded. The CSV file lives in a private temporary folder, removed afterwards.
 * @example await copyDuckDbRelation(duckSession, '"bronze"."flights"', client, '"bronze"."__sluice_stage_flights_ab12"');
 */
export async function copyDuckDbRelation(duck: WarehouseSession, duckRelation: string, client: pg.ClientBase, pgRelation: string): Promise<number> {
  const described = await duck.query<{ column_name: string; column_type: string }>(`DESCRIBE ${duckRelation}`);
  const columns = described.map((c) => columnTransfer(c.column_name, c.column_type));
  if (columns.length === 0) throw new SluiceError('COMPUTE_ERROR', `${duckRelation} has no columns to load into PostgreSQL`);
  const dir = mkdtempSync(join(tmpdir(), 'sluice-copy-'));
  try {
    const file = join(dir, 'rows.csv');
    // NULL is written as an empty field and an empty string as "", which is how PostgreSQL's CSV COPY reads them.
    // Row order means nothing to the target, so DuckDB may write the file in parallel.
    await duck.exec('SET preserve_insertion_order = false');
    await duck.exec(`COPY (SELECT ${columns.map((c) => c.select).join(', ')} FROM ${duckRelation}) TO ${sqlString(file)} (FORMAT csv, HEADER false)`);
    await client.query(`CREATE TABLE ${pgRelation} (${columns.map((c) => `${quoteIdentifier(c.name)} ${c.pgType}`).join(', ')})`);
    const copy = client.query(copyFrom(`COPY ${pgRelation} (${columns.map((c) => quoteIdentifier(c.name)).join(', ')}) FROM STDIN (FORMAT csv)`));
    await pipeline(createReadStream(file), copy);
    return Number(copy.rowCount);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
