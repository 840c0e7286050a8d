// What the wire protocol needs from the rest of Sluice: governed answers, the visible relations, and who is connecting.
import type { Principal } from '../../access/principal.js';

/** A column as the principal sees it (masks may change its type). */
export interface CatalogColumn {
  name: string;
  /** DuckDB type, e.g. `DECIMAL(18,3)`. */
  type: string;
}

/** A relation the principal may read. */
export interface CatalogRelation {
  schema: string;
  name: string;
  kind: 'table' | 'view';
  description?: string;
  columns: readonly CatalogColumn[];
}

/** A result as the governed read path returns it. */
export interface WireResult {
  /** Column names and DuckDB types (`INTEGER`, `DECIMAL(18,3)`, `TIMESTAMP`...). */
  columns: readonly { name: string; type: string }[];
  /** Values as DuckDB hands them out: primitives, bigints, Dates or @duckdb/node-api value objects. */
  rows: readonly (readonly unknown[])[];
  /** Set when the governed row cap cut the result: the number of rows kept. */
  truncatedAt?: number;
}

/** The part of Sluice a wire-protocol connection talks to; every byte of data comes through `query`. */
export interface PgWireBackend {
  /** Name clients connect to (`current_database()`): the project's name. */
  database: string;
  /** Runs one read-only statement for `principal` through the governed read path (policies applied, audited). */
  query(principal: Principal, sql: string, params: readonly unknown[]): Promise<WireResult>;
  /** The engine's parse tree of a statement (`json_serialize_sql`), to name result columns as PostgreSQL does. */
  parseTree?(sql: string): Promise<unknown>;
  /** The relations `principal` may read, each with the columns it sees. */
  relations(principal: Principal): Promise<CatalogRelation[]>;
  /**
   * The principal of a connection: `password` is undefined under trust (sluice dev). Resolves undefined to refuse
   * the connection.
   */
  authenticate(user: string, password: string | undefined): Promise<Principal | undefined>;
}
