// Runs compiled checks on a connection and turns their counts into pass/fail results.
import { serializeError } from '../errors.js';
import type { SerializedError } from '../errors.js';
import type { CheckDefinition, CheckSeverity, CheckType } from '../model/check-definition.js';
import { compileCheck } from './check-sql.js';
import type { CheckSqlOptions } from './check-sql.js';

/** The only database access checks need; any warehouse adapter's connection fits. */
export interface CheckConnection {
  query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
}

/** The outcome of one check on one asset, as stored in the metadata store and shown in the UI. */
export interface CheckResult {
  checkName: string;
  checkType: CheckType;
  assetKey: string;
  passed: boolean;
  severity: CheckSeverity;
  blocking: boolean;
  failingCount: number;
  totalCount: number;
  /** 0-100; for aggregate checks (row_count, freshness, reconciliation) 100 when failing, else 0. */
  failingPercent: number;
  /** Up to `sampleLimit` failing rows (key and checked columns), JSON-safe. */
  sampleFailing: Record<string, unknown>[];
  /** The summary SQL that was run. */
  sql: string;
  durationMs: number;
  /** Set when the check could not run (bad column, missing table); such a check counts as failed. */
  error?: SerializedError;
}

/** Per-call options: the asset and the relation to check (staging before the publish, published after). */
export interface RunCheckOptions extends CheckSqlOptions {
  assetKey: string;
}

/**
 * Whether `failingCount` of `totalCount` rows is within the check's threshold (no threshold: zero failures).
 * @example checkPassed(checks.notNull('a', { threshold: { maxFailingPercent: 1 } }), 5, 1000) // true
 */
export function checkPassed(check: CheckDefinition, failingCount: number, totalCount: number, aggregate = false): boolean {
  if (aggregate || !check.threshold) return failingCount === 0;
  const { maxFailingRows, maxFailingPercent } = check.threshold;
  const percent = totalCount > 0 ? (failingCount / totalCount) * 100 : 0;
  if (maxFailingRows === undefined && maxFailingPercent === undefined) return failingCount === 0;
  if (maxFailingRows !== undefined && failingCount > maxFailingRows) return false;
  if (maxFailingPercent !== undefined && percent > maxFailingPercent) return false;
  return true;
}

/** Engines hand back BIGINT as bigint and timestamps as Date or value objects; results must survive JSON. */
function toPlain(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.map(toPlain);
  if (value !== null && typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype === Object.prototype || prototype === null) {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, toPlain(inner)]));
    }
    return String(value);
  }
  return value;
}

function plainRow(row: Record<string, unknown>): Record<string, unknown> {
  return toPlain(row) as Record<string, unknown>;
}

function toCount(value: unknown): number {
  const count = Number(typeof value === 'bigint' ? value : (value ?? 0));
  return Number.isFinite(count) ? count : 0;
}

/**
 * Runs one check against `options.relation`. Never throws for a failing or broken check: a check whose SQL
 * errors is reported as failed with `error` set, so a blocking check that cannot run still blocks.
 * @example
 * const result = await runCheck(conn, checks.unique(['iata']), { assetKey: 'silver/airports', relation: '"silver"."airports"' });
 * if (!result.passed && result.blocking) throw new SluiceError('CHECK_FAILED', `${result.checkName} failed`);
 */
export async function runCheck(connection: CheckConnection, check: CheckDefinition, options: RunCheckOptions): Promise<CheckResult> {
  const started = performance.now();
  const result: CheckResult = {
    checkName: check.name,
    checkType: check.type,
    assetKey: options.assetKey,
    passed: false,
    severity: check.severity,
    blocking: check.blocking,
    failingCount: 0,
    totalCount: 0,
    failingPercent: 0,
    sampleFailing: [],
    sql: '',
    durationMs: 0,
  };
  try {
    const compiled = compileCheck(check, options);
    result.sql = compiled.sql;
    const [summary] = await connection.query(compiled.sql, compiled.params);
    if (!summary) throw new Error(`check "${check.name}" returned no summary row`);
    const { failing_count: failing, total_count: total, ...measures } = summary;
    result.failingCount = toCount(failing);
    result.totalCount = toCount(total);
    result.failingPercent = compiled.aggregate
      ? result.failingCount > 0
        ? 100
        : 0
      : result.totalCount > 0
        ? (result.failingCount / result.totalCount) * 100
        : 0;
    result.passed = checkPassed(check, result.failingCount, result.totalCount, compiled.aggregate);
    if (result.failingCount > 0) {
      if (compiled.aggregate) {
        result.sampleFailing = [plainRow(measures)];
      } else if (compiled.sampleSql) {
        const rows = await connection.query(compiled.sampleSql, compiled.sampleParams ?? []);
        result.sampleFailing = rows.map(plainRow);
      }
    }
  } catch (error) {
    result.passed = false;
    result.error = serializeError(error);
  }
  result.durationMs = performance.now() - started;
  return result;
}

/**
 * Runs `checks` one after another (they share one connection) and returns every result.
 * @example const results = await runChecks(conn, definition.checks, { assetKey, relation: staging });
 */
export async function runChecks(connection: CheckConnection, checkList: readonly CheckDefinition[], options: RunCheckOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checkList) results.push(await runCheck(connection, check, options));
  return results;
}

/**
 * The results that must stop a publish: failed, blocking checks.
 * @example if (blockingFailures(results).length > 0) keepOldTable()
 */
export function blockingFailures(results: readonly CheckResult[]): CheckResult[] {
  return results.filter((result) => !result.passed && result.blocking);
}
