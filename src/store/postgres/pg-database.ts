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
    return reconnecting(async () => (await this.pool.query<T>(sql, params as unknown[])).rows);
  }

  /**
   * Runs an insert that must not land twice. A connection lost under it may have taken the reply, not the commit, with
   * it; so before running it again, `landed` is asked (on a fresh connection) for the rows it would have written.
   */
  async insertOnce<T extends pg.QueryResultRow>(sql: string, params: readonly unknown[], landed: () => Promise<T[]>): Promise<T[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.pool.query<T>(sql, params as unknown[])).rows;
      } catch (error) {
        if (attempt >= 3 || !lostConnection(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, attempt === 1 ? 50 : 250));
        const rows = await landed();
        if (rows.length > 0) return rows;
      }
    }
  }

  /** Runs `body` in one transaction on one connection: all of its writes or none. */
  transaction<T>(body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return reconnecting(() => this.once(body));
  }

  private async once<T>(body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await body(client);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      // A lost connection is discarded, never handed to the next caller.
      client.release(lostConnection(error) ? (error as Error) : undefined);
      throw error;
    }
  }
}

/**
 * Whether the server ended the connection under the statement (restart, failover, pg_terminate_backend): the
 * statement was rolled back with its session, so it may run again on a fresh connection.
 */
function lostConnection(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === '57P01' || code === '57P02' || code === '57P03' || code === 'ECONNRESET' || code === 'EPIPE') return true;
  return /Connection terminated|connection ended|Client has encountered a connection error/i.test((error as Error)?.message ?? '');
}

/** Runs `action` again (up to twice, 50 then 250 ms later) when the connection was lost under it. */
async function reconnecting<T>(action: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      if (attempt >= 3 || !lostConnection(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, attempt === 1 ? 50 : 250));
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
