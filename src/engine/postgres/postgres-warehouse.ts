// The production warehouse: a PostgreSQL database many processes read and write; SQL parsed by the same DuckDB parser.
import type { DuckDBInstance } from '@duckdb/node-api';
import { duckdb } from '../duckdb/duckdb-module.js';
import type pg from 'pg';
import { SluiceError } from '../../errors.js';
import { quoteQualified, type QualifiedName } from '../../model/asset-key.js';
import { cancelBackend, openPostgresPool } from '../../postgres/postgres-pool.js';
import { redactUrl } from '../../postgres/redact-url.js';
import { DuckDbSqlParser } from '../duckdb/duckdb-sql-parser.js';
import { STAGING_PREFIX, type Warehouse, type WarehouseSession } from '../warehouse.js';
import { COMPAT_SCHEMA, installCompat } from './postgres-compat.js';
import { fileFunctionsIn } from './postgres-file-engine.js';
import { PostgresSession, STAGING_LOCK_SPACE, stagingLockKey } from './postgres-session.js';
import { WAREHOUSE_TYPES } from './postgres-values.js';

/** Construction options of the PostgreSQL warehouse. */
export interface PostgresWarehouseConfig {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** Most connections this process opens (steps running at once, plus one); default 10. */
  poolSize?: number;
  /** Creates the database when missing (default true). */
  createDatabase?: boolean;
  /** Relative paths in file-reading SQL (read_csv('seeds/x.csv')) resolve against it; default: the working directory. */
  fileSearchPath?: string;
}

/**
 * Opens a PostgreSQL warehouse. Dependencies and column lineage come from DuckDB's parser, which reads most
 * PostgreSQL SELECTs; a statement it cannot parse fails at load with a message saying so.
 * @example const warehouse = await PostgresWarehouse.open({ url: 'postgres://postgres@127.0.0.1:5432/sluice_flights' });
 */
export class PostgresWarehouse implements Warehouse {
  readonly dialect = 'postgres' as const;
  /** Per SQL text: whether it reads files only (see readsFilesOnly). */
  private readonly fileQueries = new Map<string, Promise<boolean>>();

  private constructor(
    private readonly pool: pg.Pool,
    /** Cancels a backend's running statement (see cancelBackend); holds the URL, password included, out of sight. */
    private readonly cancel: (backendPid: number) => Promise<void>,
    private readonly parserInstance: DuckDBInstance,
    private readonly parser: DuckDbSqlParser,
    readonly location: string,
    private readonly fileSearchPath: string | undefined,
  ) {}

  static async open(config: PostgresWarehouseConfig): Promise<PostgresWarehouse> {
    const pool = await openPostgresPool({
      url: config.url,
      role: 'warehouse',
      max: config.poolSize ?? 10,
      createDatabase: config.createDatabase ?? true,
      types: WAREHOUSE_TYPES,
      // The compatibility schema goes last: a user's own function or type of the same name wins.
      options: `-c search_path="$user",public,${COMPAT_SCHEMA}`,
    });
    try {
      await installCompat(pool);
      const instance = await duckdb.DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
      return new PostgresWarehouse(
        pool,
        (pid) => cancelBackend(config.url, pid),
        instance,
        new DuckDbSqlParser(instance),
        redactUrl(config.url),
        config.fileSearchPath,
      );
    } catch (error) {
      await pool.end();
      throw error;
    }
  }

  async session(): Promise<WarehouseSession> {
    const client = await this.pool.connect();
    return new PostgresSession(
      client,
      (pid) => this.cancel(pid).catch(() => undefined),
      (sql) => this.readsFilesOnly(sql),
      this.fileSearchPath,
    );
  }

  /**
   * Whether a SELECT reads files (DuckDB's read_csv, read_parquet, ...) and no warehouse table: such a statement runs
   * on the in-process DuckDB and its result is loaded with COPY. One that reads both cannot run in either engine.
   */
  private readsFilesOnly(sql: string): Promise<boolean> {
    let answer = this.fileQueries.get(sql);
    if (!answer) {
      answer = this.classify(sql);
      answer.catch(() => this.fileQueries.delete(sql));
      if (this.fileQueries.size >= 10_000) this.fileQueries.clear();
      this.fileQueries.set(sql, answer);
    }
    return answer;
  }

  private async classify(sql: string): Promise<boolean> {
    // A statement DuckDB cannot parse is PostgreSQL's to run (and to report on).
    const tree = await this.parser.parseTree(sql).catch(() => undefined);
    const functions = fileFunctionsIn(tree);
    if (functions.length === 0) return false;
    const tables = (await this.tableReferences(sql)).map((t) => `${t.schema}.${t.name}`);
    if (tables.length > 0) {
      throw new SluiceError(
        'SQL_ERROR',
        `this statement reads files (${functions.join(', ')}) and warehouse tables (${tables.join(', ')}) at once, which the PostgreSQL warehouse ` +
          'cannot run: its files are read by DuckDB in process and its tables live in PostgreSQL. Load the files in an asset of their own and join that one',
      );
    }
    return true;
  }

  parseTree(sql: string): Promise<unknown> {
    return this.parser.parseTree(sql).catch((error: unknown) => Promise.reject(unparsable(error)));
  }

  async sqlParameters(sql: string): Promise<string[]> {
    return [...(await this.parser.analyse(sql).catch((error: unknown) => Promise.reject(unparsable(error)))).parameters];
  }

  async tableReferences(sql: string): Promise<QualifiedName[]> {
    const analysis = await this.parser.analyse(sql).catch((error: unknown) => Promise.reject(unparsable(error)));
    return analysis.tables.map((table) => ({ ...table }));
  }

  async dropAbandonedStaging(): Promise<string[]> {
    const client = await this.pool.connect();
    const dropped: string[] = [];
    try {
      const { rows } = await client.query<{ schema: string; name: string; kind: string }>(
        `SELECT n.nspname AS schema, c.relname AS name, CASE c.relkind WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END AS kind
         FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
         WHERE starts_with(c.relname, $1) AND c.relkind IN ('r', 'p', 'v') AND n.nspname NOT IN ('pg_catalog', 'information_schema')`,
        [STAGING_PREFIX],
      );
      for (const row of rows) {
        const key = stagingLockKey(row);
        const qualified = quoteQualified(row);
        // A live session elsewhere holds the lock of each staging table it works on; only orphans are free.
        const { rows: got } = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${STAGING_LOCK_SPACE}, hashtext($1)) AS ok`, [key]);
        if (!got[0]!.ok) continue;
        try {
          await client.query(`DROP ${row.kind} IF EXISTS ${qualified} CASCADE`);
          dropped.push(`${row.schema}.${row.name}`);
        } finally {
          await client.query(`SELECT pg_advisory_unlock(${STAGING_LOCK_SPACE}, hashtext($1))`, [key]);
        }
      }
      return dropped;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.parser.close();
    this.parserInstance.closeSync();
    await this.pool.end();
  }
}

function unparsable(error: unknown): SluiceError {
  const message = error instanceof Error ? error.message : String(error);
  return new SluiceError(
    'SQL_ERROR',
    `${message}. Sluice reads dependencies and column lineage with DuckDB's SQL parser, which does not parse this PostgreSQL statement; ` +
      'rewrite the part it rejects in standard SQL (e.g. CAST(x AS type) instead of a PostgreSQL-only form), or make it a TypeScript asset with declared deps',
    { cause: error },
  );
}
