// The embedded warehouse: one DuckDB file owned by this process, one connection per running step.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { duckdb } from './duckdb-module.js';
import { SluiceError } from '../../errors.js';
import type { QualifiedName } from '../../model/asset-key.js';
import { STAGING_PREFIX, type Warehouse } from '../warehouse.js';
import { DuckDbSession, type ConnectionState } from './duckdb-session.js';
import { DuckDbSqlParser } from './duckdb-sql-parser.js';

/** Idle connections kept for reuse: one per concurrently running step is enough. */
const MAX_IDLE_CONNECTIONS = 8;

/** Construction options of the DuckDB warehouse. */
export interface DuckDbWarehouseConfig {
  /** Database file, or ':memory:'. */
  path: string;
  /** Relative file paths in SQL (read_parquet('x.parquet')) resolve against this directory. */
  fileSearchPath?: string;
  threads?: number;
}

/**
 * Opens (creating if needed) a DuckDB warehouse file.
 * @example const warehouse = await DuckDbWarehouse.open({ path: 'data/warehouse.duckdb' });
 */
export class DuckDbWarehouse implements Warehouse {
  readonly dialect = 'duckdb' as const;
  private readonly parser: DuckDbSqlParser;
  /** Connections of closed sessions, for the next ones: a connection per step cost ~0.4 ms to open and close. */
  private readonly idle: { connection: DuckDBConnection; state: ConnectionState }[] = [];
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly location: string,
    /** The file's catalog name, so catalog look-ups name relations exactly (never a temp table of the same name). */
    private readonly database: string,
  ) {
    this.parser = new DuckDbSqlParser(instance);
  }

  static async open(config: DuckDbWarehouseConfig): Promise<DuckDbWarehouse> {
    if (config.path !== ':memory:') mkdirSync(dirname(config.path), { recursive: true });
    // Extensions would be downloaded on first use, which fails offline: only built-in ones may load.
    const options: Record<string, string> = { autoinstall_known_extensions: 'false', autoload_known_extensions: 'true' };
    if (config.threads) options.threads = String(config.threads);
    // The database-wide default, so no session pays a SET for it (a session may still SET its own).
    if (config.fileSearchPath) options.file_search_path = config.fileSearchPath;
    let instance: DuckDBInstance;
    try {
      instance = await duckdb.DuckDBInstance.create(config.path, options);
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      const hint = /lock/i.test(message)
        ? 'another process (probably `sluice dev`) holds it; stop that process or send the command to it with --url'
        : 'check that the path is writable';
      throw new SluiceError('SQL_ERROR', `cannot open the warehouse "${config.path}": ${message.split('\n')[0]}; ${hint}`, { cause });
    }
    const probe = await instance.connect();
    try {
      const reader = await probe.runAndReadAll('SELECT current_database() AS name');
      return new DuckDbWarehouse(instance, config.path, String(reader.getRowObjectsJS()[0]!.name));
    } finally {
      probe.closeSync();
    }
  }

  async session(): Promise<DuckDbSession> {
    const reused = this.idle.pop();
    return reused
      ? new DuckDbSession(reused.connection, this.database, this.release, reused.state)
      : new DuckDbSession(await this.instance.connect(), this.database, this.release);
  }

  /** Takes back the connection of a session that left it as new but for `state` (see DuckDbSession), up to a few kept. */
  private readonly release = (connection: DuckDBConnection, state: ConnectionState): void => {
    if (this.closed || this.idle.length >= MAX_IDLE_CONNECTIONS) connection.closeSync();
    else this.idle.push({ connection, state });
  };

  parseTree(sql: string): Promise<unknown> {
    return this.parser.parseTree(sql);
  }

  async sqlParameters(sql: string): Promise<string[]> {
    return [...(await this.parser.analyse(sql)).parameters];
  }

  async tableReferences(sql: string): Promise<QualifiedName[]> {
    return (await this.parser.analyse(sql)).tables.map((table) => ({ ...table }));
  }

  async dropAbandonedStaging(): Promise<string[]> {
    const session = await this.session();
    try {
      const rows = await session.query<{ schema: string; name: string; kind: string }>(
        `SELECT table_schema AS schema, table_name AS name, table_type AS kind FROM information_schema.tables
         WHERE table_catalog = current_database() AND starts_with(table_name, $1)`,
        [STAGING_PREFIX],
      );
      for (const row of rows) await session.dropRelation({ schema: row.schema, name: row.name });
      return rows.map((r) => `${r.schema}.${r.name}`);
    } finally {
      session.close();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const { connection } of this.idle.splice(0)) connection.closeSync();
    await this.parser.close();
    this.instance.closeSync();
  }
}
