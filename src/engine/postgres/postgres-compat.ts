// A few DuckDB spellings that Sluice's own generated SQL (checks) uses, provided in PostgreSQL under a schema of their own.
import type pg from 'pg';

/** Put last on every warehouse connection's search_path, so user objects of the same name win. */
export const COMPAT_SCHEMA = 'sluice_compat';

/** Serializes the installation across processes (CREATE OR REPLACE FUNCTION races otherwise). */
const INSTALL_LOCK = 0x51_1c_e0_04;

/**
 * Installs `double` (DOUBLE PRECISION) and `epoch_ms(...)`: the check compiler's casts and freshness arithmetic.
 * @example await installCompat(pool);
 */
export async function installCompat(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [INSTALL_LOCK]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${COMPAT_SCHEMA}`);
    const { rows } = await client.query(`SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = $1 AND t.typname = 'double'`, [
      COMPAT_SCHEMA,
    ]);
    if (rows.length === 0) await client.query(`CREATE DOMAIN ${COMPAT_SCHEMA}.double AS DOUBLE PRECISION`);
    for (const type of ['timestamptz', 'timestamp', 'date']) {
      const instant = type === 'timestamp' ? `$1 AT TIME ZONE 'UTC'` : '$1';
      await client.query(
        `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.epoch_ms(${type}) RETURNS DOUBLE PRECISION LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT extract(epoch FROM ${instant}) * 1000 $$`,
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
