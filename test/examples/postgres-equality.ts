// Compares a relation of a PostgreSQL warehouse with the same relation of a DuckDB one, row for row and exactly.
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { sqlString, type Sluice } from '../../src/index.js';

/** What the comparison found: row counts, rows only one side has (as multisets), and both column lists. */
export interface RelationComparison {
  duckRows: number;
  postgresRows: number;
  onlyDuck: number;
  onlyPostgres: number;
  duckColumns: string[];
  postgresColumns: string[];
}

/**
 * PostgreSQL writes each value as text (a double in its shortest exact form); DuckDB reads that CSV back with its own
 * relation's column types, recreating the PostgreSQL values exactly, and EXCEPT ALL in both directions compares the
 * rows as multisets, in any order.
 * @example const c = await compareWithDuckDb(duck, client, 'gold.daily'); assert.equal(c.onlyDuck + c.onlyPostgres, 0);
 */
export async function compareWithDuckDb(duck: Sluice, client: pg.Client, relation: string): Promise<RelationComparison> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-compare-'));
  const session = await duck.warehouse.session();
  try {
    const columns = await session.query<{ column_name: string; column_type: string }>(`DESCRIBE ${relation}`);
    const { rows: postgresColumns } = await client.query<{ name: string }>(
      'SELECT attname AS name FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum',
      [relation],
    );
    const file = join(dir, 'rows.csv');
    await pipeline(client.query(copyTo(`COPY (SELECT * FROM ${relation}) TO STDOUT (FORMAT csv)`)), createWriteStream(file));
    const types = columns.map((c) => `${sqlString(c.column_name)}: ${sqlString(c.column_type)}`).join(', ');
    const fromPostgres = `read_csv(${sqlString(file)}, header = false, columns = {${types}}, quote = '"', escape = '"', nullstr = '', auto_detect = false)`;
    const [counts] = await session.query<{ duck: number; postgres: number; only_duck: number; only_postgres: number }>(
      `SELECT (SELECT count(*) FROM ${relation}) AS duck, (SELECT count(*) FROM ${fromPostgres}) AS postgres,
         (SELECT count(*) FROM (SELECT * FROM ${relation} EXCEPT ALL SELECT * FROM ${fromPostgres})) AS only_duck,
         (SELECT count(*) FROM (SELECT * FROM ${fromPostgres} EXCEPT ALL SELECT * FROM ${relation})) AS only_postgres`,
    );
    return {
      duckRows: counts!.duck,
      postgresRows: counts!.postgres,
      onlyDuck: counts!.only_duck,
      onlyPostgres: counts!.only_postgres,
      duckColumns: columns.map((c) => c.column_name),
      postgresColumns: postgresColumns.map((c) => c.name),
    };
  } finally {
    session.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
