// Throwaway PostgreSQL databases for tests: each test creates its own uniquely named database and drops it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server tests use (trust auth on this machine and in CI); override with SLUICE_TEST_PG_URL. */
export const PG_ADMIN_URL = process.env.SLUICE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A test database: its URL, and how to drop it (closing any connection still open to it). */
export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Why PostgreSQL tests cannot run here, or false when they can (for `describe(..., { skip })`). */
export async function postgresUnavailable(): Promise<string | false> {
  try {
    await withAdmin((client) => client.query('SELECT 1'));
    return false;
  } catch (error) {
    return `PostgreSQL is not reachable at ${PG_ADMIN_URL} (${(error as Error).message}); start it or set SLUICE_TEST_PG_URL`;
  }
}

/** A URL naming `database` on the test server. */
export function databaseUrl(database: string): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Creates an empty database named `<prefix>_<random>`.
 * @example const db = await createTestDatabase('store'); try { ... } finally { await db.drop(); }
 */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const name = `sluice_test_${prefix}_${randomBytes(5).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
  return {
    name,
    url: databaseUrl(name),
    drop: () => withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}
