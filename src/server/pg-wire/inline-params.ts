// A client's bind parameters ($1, $2 ...) written into its own statement as literals, so the statement goes through
// the governed read path whole. The values are the caller's own: they could have typed them into the SQL, and
// they are validated or quoted here so a value can never become SQL. (Sluice's policy values stay bound parameters.)
import { PG_TYPES } from './pg-types.js';
import { tokenize } from './sql-tokens.js';

const NUMERIC_TYPES = new Set<number>([
  PG_TYPES.int2.oid,
  PG_TYPES.int4.oid,
  PG_TYPES.int8.oid,
  PG_TYPES.float4.oid,
  PG_TYPES.float8.oid,
  PG_TYPES.numeric.oid,
]);
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Thrown when a parameter does not fit its declared type or a placeholder has no value. */
class ParameterError extends Error {
  readonly code = 'QUERY_REFUSED';
}

function literal(value: unknown, typeOid: number | undefined, index: number): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'bigint' || typeof value === 'number') {
    if (typeof value === 'number' && !Number.isFinite(value)) return `'${String(value)}'::DOUBLE`;
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = String(value);
  if (typeOid !== undefined && NUMERIC_TYPES.has(typeOid)) {
    if (!NUMBER.test(text.trim())) throw new ParameterError(`parameter $${index} is declared numeric but its value is not a number`);
    return text.trim();
  }
  if (typeOid === PG_TYPES.bool.oid) {
    if (!/^(t|f|true|false|1|0|yes|no|on|off)$/i.test(text.trim()))
      throw new ParameterError(`parameter $${index} is declared boolean but its value is not one`);
    return /^(t|true|1|yes|on)$/i.test(text.trim()) ? 'true' : 'false';
  }
  // A string literal: quotes doubled (DuckDB reads backslashes literally, as standard SQL does).
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * The statement with each `$n` (outside strings, quoted names and comments) replaced by its value as a literal.
 * @example inlineParameters('SELECT * FROM gold.x WHERE region = $1', ['West'], [25]) // "... WHERE region = 'West'"
 */
export function inlineParameters(sql: string, params: readonly unknown[], typeOids: readonly number[] = []): string {
  if (params.length === 0) return sql;
  return tokenize(sql)
    .map((token) => {
      if (token.kind !== 'param') return token.text;
      const index = Number(token.text.slice(1));
      if (index < 1 || index > params.length) throw new ParameterError(`the statement uses ${token.text} but ${params.length} parameter(s) were bound`);
      return literal(params[index - 1], typeOids[index - 1] || undefined, index);
    })
    .join('');
}
