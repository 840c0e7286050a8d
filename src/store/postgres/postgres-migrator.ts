// Applies the metadata store's migrations once, however many processes start at the same moment.
import type pg from 'pg';
import { SchemaTooNewError } from '../store-errors.js';
import { POSTGRES_MIGRATIONS, type PostgresMigration } from './postgres-schema.js';

/** What a migration pass did. */
export interface MigrationResult {
  /** Versions applied by this call (empty when another process, or an earlier start, applied them). */
  applied: number[];
  version: number;
}

/** Any constant works, as long as every Sluice uses the same one: it serializes migrations across processes. */
const MIGRATION_LOCK = 0x51_1c_e0_01;

/**
 * Brings the schema up to date inside one transaction holding an advisory lock; refuses a newer schema.
 * @example await migratePostgres(pool, '"sluice"', 'postgres://sluice:***@db/meta');
 */
export async function migratePostgres(
  pool: pg.Pool,
  schema: string,
  location: string,
  migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS,
): Promise<MigrationResult> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${schema}.schema_migrations`);
    const current = rows[0]?.version ?? 0;
    const known = migrations.at(-1)?.version ?? 0;
    if (current > known) throw new SchemaTooNewError(location, current, known);
    const applied: number[] = [];
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      await client.query(migration.sql.replaceAll('{schema}', schema));
      await client.query(`INSERT INTO ${schema}.schema_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return { applied, version: Math.max(current, known) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
