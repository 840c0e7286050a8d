// A few DuckDB spellings, provided in PostgreSQL under a schema of their own: those Sluice's generated SQL (checks) uses,
// and the DuckDB functions that portable asset SQL may call (docs/production.md lists them).
import type pg from 'pg';

/** Put last on every warehouse connection's search_path, so user objects of the same name win. */
export const COMPAT_SCHEMA = 'sluice_compat';

/** Serializes the installation across processes (CREATE OR REPLACE FUNCTION races otherwise). */
const INSTALL_LOCK = 0x51_1c_e0_04;

/** DuckDB strftime specifiers and the to_char pattern of each (to_char is called per specifier, so literal text is never a pattern). */
const STRFTIME: readonly [string, string][] = [
  ['Y', 'YYYY'],
  ['y', 'YY'],
  ['m', 'MM'],
  ['d', 'DD'],
  ['H', 'HH24'],
  ['I', 'HH12'],
  ['M', 'MI'],
  ['S', 'SS'],
  ['f', 'US'],
  ['j', 'DDD'],
  ['p', 'AM'],
  ['b', 'Mon'],
  ['B', 'FMMonth'],
  ['a', 'Dy'],
  ['A', 'FMDay'],
];

/** strftime(value, format) as DuckDB spells it (a timestamptz in the session's time zone, as DuckDB does), for the specifiers above; any other raises an error naming it. */
function strftimeFunction(type: string): string {
  const cases = STRFTIME.map(([spec, pattern]) => `WHEN '${spec}' THEN to_char(value, '${pattern}')`).join(' ');
  return `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.strftime(value ${type}, format text) RETURNS text LANGUAGE plpgsql ${type === 'timestamptz' ? 'STABLE' : 'IMMUTABLE'} STRICT AS $$
DECLARE out text := ''; i integer := 1; spec text;
BEGIN
  WHILE i <= length(format) LOOP
    IF substr(format, i, 1) = '%' AND i < length(format) THEN
      spec := substr(format, i + 1, 1);
      out := out || CASE spec ${cases} WHEN '%' THEN '%' ELSE NULL END;
      IF out IS NULL THEN
        RAISE EXCEPTION 'strftime: %%% is not supported on PostgreSQL (supported: ${STRFTIME.map(([s]) => `%%${s}`).join(' ')}); use to_char', spec;
      END IF;
      i := i + 2;
    ELSE
      out := out || substr(format, i, 1);
      i := i + 1;
    END IF;
  END LOOP;
  RETURN out;
END $$`;
}

/**
 * Installs `double` (DOUBLE PRECISION) and `epoch_ms(...)`: the check compiler's casts and freshness arithmetic;
 * `regexp_full_match(text, pattern)` and `strftime(timestamp, format)` for asset SQL written to run on both engines.
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
    // DuckDB's RE2 and PostgreSQL's regular expressions agree on the common syntax (classes, repetition, alternation).
    await client.query(
      `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.regexp_full_match(value text, pattern text) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT value ~ ('^(?:' || pattern || ')$') $$`,
    );
    for (const type of ['timestamp', 'timestamptz']) await client.query(strftimeFunction(type));
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
