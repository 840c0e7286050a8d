// Temporary CSV fixture files for ingestion tests, plus table readers that make assertions short.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestDuckDb } from '../checks/duckdb-test-connection.js';

/** A temporary directory that writes fixture files and removes itself. */
export interface FixtureDir {
  path: string;
  /** Writes `content` (text or raw bytes) to `name` and returns its absolute path. */
  write(name: string, content: string | Uint8Array): string;
  remove(): void;
}

/**
 * Creates a fresh fixture directory under the OS temp dir.
 * @example const dir = fixtureDir(); const file = dir.write('a.csv', 'id\n1\n');
 */
export function fixtureDir(): FixtureDir {
  const path = mkdtempSync(join(tmpdir(), 'sluice-ingest-'));
  return {
    path,
    write(name, content) {
      const file = join(path, name);
      writeFileSync(file, content);
      return file;
    },
    remove() {
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/** Concatenates text and raw byte chunks into one file body (for invalid UTF-8 fixtures). */
export function bytes(...parts: (string | number[])[]): Uint8Array {
  return Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part))));
}

/** A quarantine row reduced to what tests compare. */
export interface QuarantineRow {
  line: number;
  type: string;
  column: string | null;
  raw: string;
}

/** Reads a quarantine table ordered by file and line. */
export async function quarantineRows(db: TestDuckDb, relation: string): Promise<QuarantineRow[]> {
  const rows = await db.query(
    `SELECT _line_number AS line, _error_type AS type, _column AS column, _raw_line AS raw FROM ${relation} ORDER BY _source_file, _line_number`,
  );
  return rows.map((row) => ({ line: Number(row.line), type: String(row.type), column: row.column === null ? null : String(row.column), raw: String(row.raw) }));
}

/** Names of the temporary tables currently alive on the connection. */
export async function temporaryTables(db: TestDuckDb): Promise<string[]> {
  const rows = await db.query(`SELECT table_name FROM duckdb_tables() WHERE temporary`);
  return rows.map((row) => String(row.table_name));
}

/** Whether a table exists (in any schema). */
export async function tableExists(db: TestDuckDb, name: string): Promise<boolean> {
  const rows = await db.query(`SELECT 1 FROM duckdb_tables() WHERE table_name = $1`, [name]);
  return rows.length > 0;
}
