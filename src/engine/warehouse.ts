// The interface every warehouse adapter (DuckDB, PostgreSQL) implements; the runtime sees only this.
import type { QualifiedName } from '../model/asset-key.js';
import type { Row, SqlConnection } from '../model/asset-definition.js';

/** A column as the warehouse reports it. */
export interface ColumnInfo {
  name: string;
  type: string;
  nullable: boolean;
}

/** Per-column statistics of a published relation. */
export interface ColumnStats {
  name: string;
  type: string;
  nullCount: number;
  /** Distinct non-null values; exact when `distinctExact`, else an estimate (HyperLogLog, or the engine's sample). */
  distinctApprox: number | null;
  distinctExact: boolean;
  min: string | null;
  max: string | null;
}

/** The rows of one partition: a half-open time window, or a static key. */
export type PartitionFilter = { column: string; start: string; end: string } | { column: string; equals: string };

/** What one scan of a table tells. */
export interface TableProfile {
  rowCount: number;
  /** Order-independent hash of all rows (equal content, equal hash). */
  contentHash: string;
  columns: ColumnStats[];
}

/**
 * Rows of an incremental batch that are not published: `column` is NULL (or false) for rows to publish; other rows
 * remove their key from the target and go to `quarantine` (with the reason in `column`), or, without one, nowhere (tombstones).
 */
export interface PublishRejects {
  column: string;
  /** Created on first use with the staged columns plus `_quarantined_at`; rows are only ever appended. */
  quarantine?: QualifiedName;
}

/**
 * One dedicated connection, used by one step at a time. Tables are built under a staging name and
 * swapped in by `publishTable` in a single transaction, so readers see the old or the new version only.
 */
export interface WarehouseSession extends SqlConnection {
  /** Creates a schema unless it exists. */
  ensureSchema(schema: string): Promise<void>;
  /** A fresh, unused staging relation next to `target` (its schema must exist). */
  stagingName(target: QualifiedName, runId: string): Promise<QualifiedName>;
  /** `CREATE TABLE staging AS <select>`, with named parameters bound. */
  stageQuery(staging: QualifiedName, selectSql: string, params?: Readonly<Record<string, unknown>>): Promise<void>;
  /** Creates the staging table from JavaScript rows (types inferred from the values). */
  stageRows(staging: QualifiedName, rows: readonly Row[]): Promise<void>;
  /** Atomically replaces `target` with `staging`. */
  publishTable(staging: QualifiedName, target: QualifiedName): Promise<void>;
  /** Atomically replaces several targets with their staging tables, all in one transaction. */
  publishTables(swaps: readonly { staging: QualifiedName; target: QualifiedName }[]): Promise<void>;
  /**
   * Atomically replaces the rows of one partition of `target` (rows matching `filter`) with `staging`;
   * creates `target` from `staging` when it does not exist yet.
   */
  publishPartition(staging: QualifiedName, target: QualifiedName, filter: PartitionFilter): Promise<void>;
  /**
   * Atomically merges `staging` into `target`: rows with a matching `uniqueKey` are replaced, others inserted.
   * With `rejects`, staged rows whose reject column is not null are appended to the quarantine table instead
   * (same transaction), and their key is removed from `target`: the latest version of that key is not publishable.
   */
  publishMerge(staging: QualifiedName, target: QualifiedName, uniqueKey: readonly string[], rejects?: PublishRejects): Promise<void>;
  /** Atomically appends `staging` to `target` (rejected rows, with `rejects`, to the quarantine table instead). */
  publishAppend(staging: QualifiedName, target: QualifiedName, rejects?: PublishRejects): Promise<void>;
  /** Creates or replaces a view. */
  publishView(target: QualifiedName, selectSql: string): Promise<void>;
  /** Drops a table or view if it exists. */
  dropRelation(relation: QualifiedName): Promise<void>;
  /** Columns of a relation, or undefined when it does not exist. */
  describe(relation: QualifiedName): Promise<ColumnInfo[] | undefined>;
  rowCount(relation: QualifiedName): Promise<number>;
  /** Row count, content hash and per-column statistics in one scan; pass `columns` when `describe` just gave them. */
  profile(relation: QualifiedName, columns?: readonly ColumnInfo[]): Promise<TableProfile>;
  /** Interrupts the statement running on this session, if any. */
  interrupt(): void;
  /**
   * Publishes a query's result as the table `target` in one atomic statement and profiles it (DuckDB: one
   * autocommitted `CREATE OR REPLACE TABLE`, far cheaper than staging it in a transaction and swapping it in), for a
   * table with nothing to audit between build and publish. Optional: engines without it build through staging.
   * Resolves undefined when the engine declined (nothing changed), and staging it is.
   */
  publishQuery?(target: QualifiedName, selectSql: string, params?: Readonly<Record<string, unknown>>): Promise<TableProfile | undefined>;
  /**
   * Like `query`, with each result column's SQL type (so a DATE is told from a midnight TIMESTAMP when rows become
   * JSON). Optional: callers fall back to `query` and column names.
   */
  queryTyped?(sql: string, params?: readonly unknown[]): Promise<{ columns: { name: string; type: string }[]; rows: Row[] }>;
  close(): void;
}

/** The warehouse as a whole: sessions, the SQL parser, housekeeping. */
export interface Warehouse {
  readonly dialect: 'duckdb' | 'postgres';
  /** Where the data lives, for messages (a file path or a redacted URL). */
  readonly location: string;
  session(): Promise<WarehouseSession>;
  /** The base tables a SELECT statement reads, as parsed by the engine (CTE names excluded). */
  tableReferences(sql: string): Promise<QualifiedName[]>;
  /** Named parameters (`$name`) a statement uses, so only those are bound. */
  sqlParameters(sql: string): Promise<string[]>;
  /** The engine's parse tree of a statement (for column lineage). */
  parseTree(sql: string): Promise<unknown>;
  /** Drops staging relations left behind by killed runs; returns their names. */
  dropAbandonedStaging(): Promise<string[]>;
  close(): Promise<void>;
}

/** Prefix of every staging relation; nothing else may use it. */
export const STAGING_PREFIX = '__sluice_stage_';
