// Scratch PostgreSQL databases for the production-mode scenarios: created on the local server (or SLUICE_BENCH_PG_URL's)
// with a random name, dropped at the end even when clients are still connected.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const ADMIN_URL = process.env.SLUICE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A new empty database named `sluice_bench_<label>_<random>`.
 * @example const db = await createScratchDatabase('queue'); try { use(db.url) } finally { await db.drop() }
 */
export async function createScratchDatabase(label: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `sluice_bench_${label}_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
