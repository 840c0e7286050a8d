// A throwaway in-memory DuckDB with the small query/exec interface checks and ingestion expect.
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBValue } from '@duckdb/node-api';

/** An in-memory DuckDB connection for tests; call `close()` when done. */
export interface TestDuckDb {
  query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  exec(sql: string): Promise<void>;
  close(): void;
}

/**
 * Opens a fresh in-memory DuckDB.
 * @example const db = await openTestDuckDb(); await db.exec('CREATE TABLE t (a INTEGER)'); db.close();
 */
export async function openTestDuckDb(): Promise<TestDuckDb> {
  const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
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
