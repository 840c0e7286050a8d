// Compiles a check against a given relation into SQL: one summary query and an optional sample query.
import { parseAssetKey, quoteIdentifier, quoteQualified } from '../model/asset-key.js';
import type { CheckDefinition, CheckValue } from '../model/check-definition.js';

/** Where a check runs: the runtime passes a staging table before the publish and the published one after. */
export interface CheckSqlOptions {
  /** Quoted relation under check, e.g. `"silver"."flights__staging_1"`. */
  relation: string;
  /** Quoted relation of the asset named by `to` (relationships, reconciliation); defaults to its published table. */
  relatedRelation?: string;
  /** Key columns of the asset, shown first in sample failing rows. */
  keyColumns?: readonly string[];
  /** Maximum number of sample failing rows (default 10). */
  sampleLimit?: number;
  /** Reference time for freshness, in epoch milliseconds (default `Date.now()`). */
  nowMs?: number;
}

/** The SQL of one check, ready to run with bound parameters. */
export interface CheckSql {
  /** Returns one row with `failing_count`, `total_count` and, for aggregate checks, the measured values. */
  sql: string;
  params: unknown[];
  /** Returns up to `sampleLimit` failing rows; absent for aggregate checks, whose summary row is the sample. */
  sampleSql?: string;
  sampleParams?: unknown[];
  /** Row count, freshness and reconciliation assert one fact about the whole relation, not one per row. */
  aggregate: boolean;
}

/** Default number of sample failing rows kept with a result. */
const DEFAULT_SAMPLE_LIMIT = 10;

/** Collects bound parameters and hands out their `$n` placeholders, typed so DuckDB never rounds a bound. */
class Params {
  readonly values: unknown[] = [];
  add(value: CheckValue): string {
    this.values.push(value);
    const placeholder = `$${this.values.length}`;
    // Without a cast DuckDB types the parameter after the column, so 1.5 compared with an INTEGER would become 2.
    if (typeof value === 'number') return `CAST(${placeholder} AS DOUBLE)`;
    if (typeof value === 'boolean') return `CAST(${placeholder} AS BOOLEAN)`;
    return placeholder;
  }
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function sampleList(columns: readonly string[], alias?: string): string {
  return columns.map((column) => (alias ? `${alias}.${quoteIdentifier(column)}` : quoteIdentifier(column))).join(', ');
}

/** Rows-level checks: a failing-row predicate, counted and sampled the same way. */
function predicateCheck(relation: string, predicate: string, params: unknown[], sampleColumns: string[], limit: number, alias = '_t'): CheckSql {
  const from = `${relation} AS ${alias}`;
  return {
    sql: `SELECT count(*) FILTER (WHERE ${predicate}) AS failing_count, count(*) AS total_count FROM ${from}`,
    params,
    sampleSql: `SELECT ${sampleList(sampleColumns, alias)} FROM ${from} WHERE ${predicate} LIMIT ${limit}`,
    sampleParams: params,
    aggregate: false,
  };
}

/** Replaces `{{ this }}` in a custom check's SQL with the relation under check. */
export function bindThis(sql: string, relation: string): string {
  return sql.replace(/\{\{\s*this\s*\}\}/g, relation);
}

/**
 * Compiles `check` into SQL against `options.relation`. Pure: no I/O, identifiers quoted, values bound.
 * @example
 * const { sql, params } = compileCheck(checks.acceptedRange('delay_min', { min: -1440, max: 2880 }), { relation: '"silver"."flights"' });
 * // sql counts rows with delay_min < $1 or > $2; params = [-1440, 2880]
 */
export function compileCheck(check: CheckDefinition, options: CheckSqlOptions): CheckSql {
  const relation = options.relation;
  const limit = Math.max(0, Math.floor(options.sampleLimit ?? DEFAULT_SAMPLE_LIMIT));
  const keys = options.keyColumns ?? [];
  const samplesWith = (checked: readonly string[]): string[] => unique([...(check.sampleColumns ?? keys), ...checked]);
  const related = (to: string): string => options.relatedRelation ?? quoteQualified(parseAssetKey(to));
  const p = new Params();

  switch (check.type) {
    case 'not_null': {
      const predicate = check.columns.map((column) => `_t.${quoteIdentifier(column)} IS NULL`).join(' OR ');
      return predicateCheck(relation, `(${predicate})`, p.values, samplesWith(check.columns), limit);
    }
    case 'unique': {
      const columns = check.columns.map(quoteIdentifier).join(', ');
      const notNull = check.columns.map((column) => `${quoteIdentifier(column)} IS NOT NULL`).join(' AND ');
      const groups = `SELECT ${columns}, count(*) AS _count FROM ${relation} WHERE ${notNull} GROUP BY ${columns}`;
      return {
        sql:
          `SELECT coalesce(sum(_count) FILTER (WHERE _count > 1), 0) AS failing_count, ` +
          `(SELECT count(*) FROM ${relation}) AS total_count FROM (${groups}) AS _groups`,
        params: [],
        sampleSql: `SELECT * FROM (${groups}) AS _groups WHERE _count > 1 ORDER BY _count DESC LIMIT ${limit}`,
        sampleParams: [],
        aggregate: false,
      };
    }
    case 'accepted_values': {
      const column = `_t.${quoteIdentifier(check.column)}`;
      const list = check.values.map((value) => p.add(value)).join(', ');
      return predicateCheck(relation, `(${column} IS NOT NULL AND ${column} NOT IN (${list}))`, p.values, samplesWith([check.column]), limit);
    }
    case 'accepted_range': {
      const column = `_t.${quoteIdentifier(check.column)}`;
      const outside: string[] = [];
      if (check.min !== undefined) outside.push(`${column} ${check.inclusive ? '<' : '<='} ${p.add(check.min)}`);
      if (check.max !== undefined) outside.push(`${column} ${check.inclusive ? '>' : '>='} ${p.add(check.max)}`);
      return predicateCheck(relation, `(${column} IS NOT NULL AND (${outside.join(' OR ')}))`, p.values, samplesWith([check.column]), limit);
    }
    case 'relationships': {
      const column = `_t.${quoteIdentifier(check.column)}`;
      // NOT IN over the non-null keys, not a correlated NOT EXISTS: PostgreSQL hashes the key list once, where inside
      // count(*) FILTER it re-scanned the referenced table per row (30 minutes for 3M flights x 3,376 airports; 1 s).
      const key = quoteIdentifier(check.toColumn);
      const predicate = `(${column} IS NOT NULL AND ${column} NOT IN (SELECT _ref.${key} FROM ${related(check.to)} AS _ref WHERE _ref.${key} IS NOT NULL))`;
      return predicateCheck(relation, predicate, p.values, samplesWith([check.column]), limit);
    }
    case 'row_count': {
      const outside: string[] = [];
      if (check.min !== undefined) outside.push(`count(*) < ${p.add(check.min)}`);
      if (check.max !== undefined) outside.push(`count(*) > ${p.add(check.max)}`);
      return {
        sql: `SELECT CASE WHEN ${outside.join(' OR ')} THEN 1 ELSE 0 END AS failing_count, count(*) AS total_count, count(*) AS row_count FROM ${relation}`,
        params: p.values,
        aggregate: true,
      };
    }
    case 'freshness': {
      const column = quoteIdentifier(check.column);
      const now = p.add(options.nowMs ?? Date.now());
      const maxAge = p.add(check.maxAgeMs);
      const age = `(${now} - epoch_ms(max(${column})))`;
      return {
        sql:
          `SELECT CASE WHEN max(${column}) IS NULL OR ${age} > ${maxAge} THEN 1 ELSE 0 END AS failing_count, ` +
          `count(*) AS total_count, max(${column}) AS latest, ${age} AS age_ms, ${maxAge} AS max_age_ms FROM ${relation}`,
        params: p.values,
        aggregate: true,
      };
    }
    case 'reconciliation': {
      const tolerance = p.add(check.tolerance);
      // Both sides null (e.g. sums over two empty tables) count as equal; one null side never does.
      const failing =
        `CASE WHEN left_value IS NULL AND right_value IS NULL THEN 0 ` +
        `WHEN left_value IS NULL OR right_value IS NULL THEN 1 ` +
        `WHEN abs(left_value - right_value) > ${tolerance} THEN 1 ELSE 0 END`;
      return {
        sql:
          `SELECT ${failing} AS failing_count, total_count, left_value, right_value, left_value - right_value AS difference FROM (` +
          `SELECT (SELECT ${check.expression} FROM ${relation}) AS left_value, ` +
          `(SELECT ${check.toExpression} FROM ${related(check.to)}) AS right_value, ` +
          `(SELECT count(*) FROM ${relation}) AS total_count) AS _sides`,
        params: p.values,
        aggregate: true,
      };
    }
    case 'custom_sql': {
      // The trailing newline keeps a final `-- comment` in the author's SQL from swallowing the closing parenthesis.
      const failingRows = `${bindThis(check.sql, relation)}\n`;
      return {
        sql: `SELECT (SELECT count(*) FROM (${failingRows}) AS _failing) AS failing_count, (SELECT count(*) FROM ${relation}) AS total_count`,
        params: [],
        sampleSql: `SELECT * FROM (${failingRows}) AS _failing LIMIT ${limit}`,
        sampleParams: [],
        aggregate: false,
      };
    }
  }
}
