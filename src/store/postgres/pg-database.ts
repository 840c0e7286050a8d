// What every PostgreSQL role store shares: the pool, the quoted schema, transactions and value conversions.
import type pg from 'pg';

/**
 * The pool and the schema the metadata tables live in.
 * @example const db = new PgDatabase(pool, '"sluice"'); await db.query(`SELECT * FROM ${db.table('runs')}`);
 */
export class PgDatabase {
  constructor(
    readonly pool: pg.Pool,
    /** Already quoted. */
    private readonly schema: string,
  ) {}

  /** A metadata table, schema-qualified. */
  table(name: string): string {
    return `${this.schema}.${name}`;
  }

  async query<T extends pg.QueryResultRow>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.pool.query<T>(sql, params as unknown[])).rows;
  }

  /** Runs `body` in one transaction on one connection: all of its writes or none. */
  async transaction<T>(body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await body(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/** Timestamps leave the store as ISO strings, as SQLite's do. */
export function iso(value: Date | string | null): string | null {
  if (value === null) return null;
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

/** BIGINT arrives as a string (to stay exact); ids and counts here fit a number. */
export function num(value: string | number | null): number | null {
  return value === null ? null : Number(value);
}
