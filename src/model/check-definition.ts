// Data-quality check definitions: the declarative shapes and the `checks.*` constructors that validate them.
import { SluiceError } from '../errors.js';
import { assertIdentifier, normalizeAssetKey } from './asset-key.js';

/** `warn` checks only report; `error` checks fail the materialization when they are blocking. */
export type CheckSeverity = 'warn' | 'error';

/** Tolerated failures: a check fails when more than `maxFailingRows` rows or `maxFailingPercent` % fail. */
export interface CheckThreshold {
  maxFailingRows?: number;
  maxFailingPercent?: number;
}

/** Options every check accepts. */
export interface CheckOptions {
  /** Stable id of the check on its asset; derived from the type and columns when omitted. */
  name?: string;
  /** Defaults to `error`. */
  severity?: CheckSeverity;
  /** Whether a failure stops the publish and skips downstream; defaults to `severity === 'error'`. */
  blocking?: boolean;
  /** Without a threshold a single failing row fails the check. Ignored by aggregate checks (row_count, freshness, reconciliation). */
  threshold?: CheckThreshold;
  description?: string;
  /** Columns shown for sample failing rows (key columns); defaults to the checked columns. */
  sampleColumns?: readonly string[];
}

/** Fields shared by every validated check. */
interface CheckBase {
  name: string;
  severity: CheckSeverity;
  blocking: boolean;
  threshold?: CheckThreshold;
  description?: string;
  sampleColumns?: readonly string[];
}

/** A scalar a check compares column values with; bound as a SQL parameter. */
export type CheckValue = string | number | boolean;

export interface NotNullCheck extends CheckBase {
  type: 'not_null';
  columns: readonly string[];
}
export interface UniqueCheck extends CheckBase {
  type: 'unique';
  columns: readonly string[];
}
export interface AcceptedValuesCheck extends CheckBase {
  type: 'accepted_values';
  column: string;
  values: readonly CheckValue[];
}
export interface AcceptedRangeCheck extends CheckBase {
  type: 'accepted_range';
  column: string;
  min?: number | string;
  max?: number | string;
  /** Whether `min` and `max` themselves are accepted (default true). */
  inclusive: boolean;
}
export interface RelationshipsCheck extends CheckBase {
  type: 'relationships';
  column: string;
  /** Asset key of the referenced asset, e.g. `silver/airports`. */
  to: string;
  toColumn: string;
}
export interface RowCountCheck extends CheckBase {
  type: 'row_count';
  min?: number;
  max?: number;
}
export interface FreshnessCheck extends CheckBase {
  type: 'freshness';
  column: string;
  maxAgeMs: number;
}
export interface ReconciliationCheck extends CheckBase {
  type: 'reconciliation';
  /** A SQL aggregate over this asset, e.g. `sum(flights)`. */
  expression: string;
  /** Asset key of the other side. */
  to: string;
  /** A SQL aggregate over the other asset, e.g. `count(*)`. */
  toExpression: string;
  /** Largest accepted absolute difference (default 0). */
  tolerance: number;
}
export interface CustomSqlCheck extends CheckBase {
  type: 'custom_sql';
  /** A SELECT returning the failing rows; `{{ this }}` stands for the relation under check. */
  sql: string;
}

/** A validated check, discriminated by `type`. */
export type CheckDefinition =
  | NotNullCheck
  | UniqueCheck
  | AcceptedValuesCheck
  | AcceptedRangeCheck
  | RelationshipsCheck
  | RowCountCheck
  | FreshnessCheck
  | ReconciliationCheck
  | CustomSqlCheck;

/** The check types, as stored with results. */
export type CheckType = CheckDefinition['type'];

const CHECK_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

function invalid(message: string): SluiceError {
  return new SluiceError('INVALID_DEFINITION', message);
}

function base(type: CheckType, defaultName: string, options: CheckOptions = {}): CheckBase {
  const name = options.name ?? defaultName.replace(/[^A-Za-z0-9_]+/g, '_').slice(0, 128);
  if (!CHECK_NAME.test(name)) {
    throw invalid(`${type} check name "${name}" is invalid; use letters, digits and underscores (at most 128 characters)`);
  }
  const severity = options.severity ?? 'error';
  if (severity !== 'warn' && severity !== 'error') {
    throw invalid(`check "${name}": severity must be "warn" or "error", got "${String(severity)}"`);
  }
  const blocking = options.blocking ?? severity === 'error';
  if (blocking && severity === 'warn') {
    throw invalid(`check "${name}" is blocking but has severity "warn"; make it severity "error" or non-blocking`);
  }
  const check: CheckBase = { name, severity, blocking };
  if (options.threshold) check.threshold = validateThreshold(name, options.threshold);
  if (options.description !== undefined) check.description = options.description;
  if (options.sampleColumns) check.sampleColumns = columnsOf(name, options.sampleColumns, 'sample column');
  return check;
}

function validateThreshold(name: string, threshold: CheckThreshold): CheckThreshold {
  const { maxFailingRows, maxFailingPercent } = threshold;
  if (maxFailingRows !== undefined && !(Number.isInteger(maxFailingRows) && maxFailingRows >= 0)) {
    throw invalid(`check "${name}": threshold.maxFailingRows must be a non-negative integer, got ${maxFailingRows}`);
  }
  if (maxFailingPercent !== undefined && !(maxFailingPercent >= 0 && maxFailingPercent <= 100)) {
    throw invalid(`check "${name}": threshold.maxFailingPercent must be between 0 and 100, got ${maxFailingPercent}`);
  }
  return { ...threshold };
}

function columnsOf(name: string, columns: readonly string[], what = 'column'): string[] {
  if (columns.length === 0) throw invalid(`check "${name}" needs at least one ${what}`);
  return columns.map((column) => assertIdentifier(column, `${what} of check "${name}"`));
}

function keyPart(assetKey: string): string {
  return normalizeAssetKey(assetKey).replace('/', '_');
}

function finiteOrUndefined(name: string, label: string, value: number | undefined): number | undefined {
  if (value !== undefined && !Number.isFinite(value)) throw invalid(`check "${name}": ${label} must be a finite number, got ${value}`);
  return value;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Parses a duration such as `90s`, `15m`, `1h30m`, `2d` (or a number of milliseconds).
 * @example parseDuration('1h30m') // 5_400_000
 */
export function parseDuration(duration: string | number): number {
  if (typeof duration === 'number') {
    if (!(Number.isFinite(duration) && duration > 0)) throw invalid(`duration must be a positive number of milliseconds, got ${duration}`);
    return duration;
  }
  const compact = duration.replace(/\s+/g, '');
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/.test(compact)) {
    throw invalid(`duration "${duration}" is invalid; write it like "30m", "1h", "1h30m" or "2d"`);
  }
  let total = 0;
  for (const match of compact.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) {
    total += Number(match[1]) * (DURATION_UNITS[match[2] ?? 'ms'] ?? 1);
  }
  if (total <= 0) throw invalid(`duration "${duration}" must be longer than zero`);
  return total;
}

/**
 * Constructors for the built-in checks. Each validates its arguments and returns a plain `CheckDefinition`.
 * @example
 * const flightChecks = [
 *   checks.notNull(['delay_min']),
 *   checks.acceptedRange('delay_min', { min: -1440, max: 2880 }),
 *   checks.relationships('origin', { to: 'silver/airports', column: 'iata' }),
 * ];
 */
export const checks = {
  /** Fails for every row where one of `columns` is null. */
  notNull(columns: readonly string[] | string, options?: CheckOptions): NotNullCheck {
    const list = typeof columns === 'string' ? [columns] : columns;
    const check = base('not_null', `not_null_${list.join('_')}`, options);
    return { type: 'not_null', ...check, columns: columnsOf(check.name, list) };
  },

  /** Fails for every row whose combination of `columns` occurs more than once (rows with a null key are ignored). */
  unique(columns: readonly string[] | string, options?: CheckOptions): UniqueCheck {
    const list = typeof columns === 'string' ? [columns] : columns;
    const check = base('unique', `unique_${list.join('_')}`, options);
    return { type: 'unique', ...check, columns: columnsOf(check.name, list) };
  },

  /** Fails for every non-null value of `column` outside `values`. */
  acceptedValues(column: string, values: readonly CheckValue[], options?: CheckOptions): AcceptedValuesCheck {
    const check = base('accepted_values', `accepted_values_${column}`, options);
    assertIdentifier(column, `column of check "${check.name}"`);
    if (values.length === 0) throw invalid(`check "${check.name}" needs at least one accepted value`);
    for (const value of values) {
      if (!['string', 'number', 'boolean'].includes(typeof value) || (typeof value === 'number' && !Number.isFinite(value))) {
        throw invalid(`check "${check.name}": accepted values must be strings, finite numbers or booleans, got ${String(value)}`);
      }
    }
    return { type: 'accepted_values', ...check, column, values: [...values] };
  },

  /** Fails for every non-null value of `column` below `min` or above `max` (numbers, or ISO date strings). */
  acceptedRange(column: string, range: { min?: number | string; max?: number | string; inclusive?: boolean }, options?: CheckOptions): AcceptedRangeCheck {
    const check = base('accepted_range', `accepted_range_${column}`, options);
    assertIdentifier(column, `column of check "${check.name}"`);
    if (range.min === undefined && range.max === undefined) throw invalid(`check "${check.name}" needs a min, a max or both`);
    for (const bound of [range.min, range.max]) {
      if (typeof bound === 'number' && !Number.isFinite(bound)) throw invalid(`check "${check.name}": bounds must be finite, got ${bound}`);
    }
    if (typeof range.min === 'number' && typeof range.max === 'number' && range.min > range.max) {
      throw invalid(`check "${check.name}": min ${range.min} is greater than max ${range.max}`);
    }
    const result: AcceptedRangeCheck = { type: 'accepted_range', ...check, column, inclusive: range.inclusive ?? true };
    if (range.min !== undefined) result.min = range.min;
    if (range.max !== undefined) result.max = range.max;
    return result;
  },

  /** Fails for every non-null value of `column` that has no match in `to`'s `column` (a foreign key). */
  relationships(column: string, target: { to: string; column: string }, options?: CheckOptions): RelationshipsCheck {
    const to = normalizeAssetKey(target.to);
    const check = base('relationships', `relationships_${column}_${keyPart(to)}_${target.column}`, options);
    assertIdentifier(column, `column of check "${check.name}"`);
    assertIdentifier(target.column, `referenced column of check "${check.name}"`);
    return { type: 'relationships', ...check, column, to, toColumn: target.column };
  },

  /** Fails when the number of rows is outside `[min, max]`. */
  rowCount(range: { min?: number; max?: number }, options?: CheckOptions): RowCountCheck {
    const check = base('row_count', 'row_count', options);
    const min = finiteOrUndefined(check.name, 'min', range.min);
    const max = finiteOrUndefined(check.name, 'max', range.max);
    if (min === undefined && max === undefined) throw invalid(`check "${check.name}" needs a min, a max or both`);
    if (min !== undefined && max !== undefined && min > max) throw invalid(`check "${check.name}": min ${min} is greater than max ${max}`);
    const result: RowCountCheck = { type: 'row_count', ...check };
    if (min !== undefined) result.min = min;
    if (max !== undefined) result.max = max;
    return result;
  },

  /** Fails when the newest value of the timestamp/date `column` is older than `maxAge` (`'1h'`, `'2d'` or milliseconds), or the asset is empty. */
  freshness(column: string, maxAge: string | number, options?: CheckOptions): FreshnessCheck {
    const check = base('freshness', `freshness_${column}`, options);
    assertIdentifier(column, `column of check "${check.name}"`);
    return { type: 'freshness', ...check, column, maxAgeMs: parseDuration(maxAge) };
  },

  /** Fails when `expression` over this asset and `toExpression` over `to` differ by more than `tolerance`. */
  reconciliation(expression: string, target: { to: string; expression: string; tolerance?: number }, options?: CheckOptions): ReconciliationCheck {
    const to = normalizeAssetKey(target.to);
    const check = base('reconciliation', `reconciliation_${keyPart(to)}`, options);
    if (!expression.trim() || !target.expression.trim()) throw invalid(`check "${check.name}" needs an expression on both sides`);
    const tolerance = target.tolerance ?? 0;
    if (!(Number.isFinite(tolerance) && tolerance >= 0)) throw invalid(`check "${check.name}": tolerance must be a non-negative number`);
    return { type: 'reconciliation', ...check, expression, to, toExpression: target.expression, tolerance };
  },

  /** Fails for every row the SELECT returns; write `{{ this }}` where the checked relation goes. */
  customSql(name: string, sql: string, options?: Omit<CheckOptions, 'name'>): CustomSqlCheck {
    const check = base('custom_sql', name, { ...options, name });
    const trimmed = sql.trim().replace(/;\s*$/, '');
    if (!/^(select|with|from)\b/i.test(trimmed)) throw invalid(`check "${name}": custom SQL must be a SELECT returning the failing rows`);
    return { type: 'custom_sql', ...check, sql: trimmed };
  },
};
