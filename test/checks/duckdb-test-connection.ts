// A throwaway DuckDB (in memory, or in a file) with the small query/exec interface checks and ingestion expect.
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBValue } from '@duckdb/node-api';

/** A DuckDB connection for tests; call `close()` when done. */
export interface TestDuckDb {
  query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  exec(sql: string): Promise<void>;
  close(): void;
}

/**
 * Opens a fresh DuckDB, in memory unless given a file (where checkpoints write, as a warehouse's do).
 * @example const db = await openTestDuckDb(); await db.exec('CREATE TABLE t (a INTEGER)'); db.close();
 */
export async function openTestDuckDb(path = ':memory:'): Promise<TestDuckDb> {
  const instance = await DuckDBInstance.create(path, { autoinstall_known_extensions: 'false' });
  const connection = await instance.connect();
  return {
    async query(sql, params = []) {
      const reader = await connection.runAndReadAll(sql, [...params] as DuckDBValue[]);
      return reader.getRowObjectsJS() as Record<string, unknown>[];
    },
    async exec(sql) {
      await connection.run(sql);
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
