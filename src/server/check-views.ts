// The API's views of checks: each defined check in words, merged with its latest result, and per-asset counts (pure).
import type { CheckDefinition } from '../model/check-definition.js';
import type { AssetGraph } from '../model/asset-graph.js';
import type { StoredCheckResult } from '../store/metadata-store.js';
import type { AssetCheckView, CheckDefinitionView, CheckResultView, CheckSummary } from './api-types.js';

/** Checks that judge one aggregate, not rows: a threshold of failing rows means nothing to them. */
const AGGREGATE_TYPES: ReadonlySet<CheckDefinition['type']> = new Set(['row_count', 'freshness', 'reconciliation']);

/** A result belongs to a definition when both the name and the type match (a renamed-over check starts afresh). */
function resultKey(assetKey: string, checkName: string, checkType: string): string {
  return `${assetKey}\u0000${checkName}\u0000${checkType}`;
}

function literal(value: string | number | boolean): string {
  return typeof value === 'string' ? `'${value.replaceAll("'", "''")}'` : String(value);
}

const DURATIONS: readonly [unit: string, ms: number][] = [
  ['w', 604_800_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/** `5400000` -> `1h30m`, as the durations `checks.freshness()` accepts. */
function duration(ms: number): string {
  let rest = ms;
  let text = '';
  for (const [unit, size] of DURATIONS) {
    if (rest >= size) {
      text += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return rest > 0 || text === '' ? `${text}${rest}ms` : text;
}

function bounds(subject: string, min: number | string | undefined, max: number | string | undefined, inclusive = true): string {
  const [ge, le] = inclusive ? ['>=', '<='] : ['>', '<'];
  if (min !== undefined && max !== undefined)
    return inclusive ? `${subject} between ${literal(min)} and ${literal(max)}` : `${literal(min)} < ${subject} < ${literal(max)}`;
  return min !== undefined ? `${subject} ${ge} ${literal(min)}` : `${subject} ${le} ${literal(max!)}`;
}

/**
 * What a check asserts, in one line of SQL-like words.
 * @example checkAssertion(checks.acceptedRange('n', { min: 0, max: 3 })) // 'n between 0 and 3'
 */
export function checkAssertion(check: CheckDefinition): string {
  switch (check.type) {
    case 'not_null':
      return `${check.columns.join(', ')} ${check.columns.length > 1 ? 'are' : 'is'} not null`;
    case 'unique':
      return check.columns.length > 1 ? `(${check.columns.join(', ')}) is unique` : `${check.columns[0]} is unique`;
    case 'accepted_values':
      return `${check.column} in (${check.values.map(literal).join(', ')})`;
    case 'accepted_range':
      return bounds(check.column, check.min, check.max, check.inclusive);
    case 'relationships':
      return `${check.column} exists in ${check.to}.${check.toColumn}`;
    case 'row_count':
      return bounds('row count', check.min, check.max);
    case 'freshness':
      return `newest ${check.column} at most ${duration(check.maxAgeMs)} old`;
    case 'reconciliation':
      return `${check.expression} equals ${check.toExpression} of ${check.to}${check.tolerance > 0 ? ` (within ${check.tolerance})` : ''}`;
    case 'custom_sql':
      return `no rows from: ${check.sql}`;
  }
}

/**
 * A check definition as the API shows it.
 * @example checkDefinitionView(checks.notNull('n')) // { name: 'not_null_n', type: 'not_null', severity: 'error', blocking: true, assertion: 'n is not null', ... }
 */
export function checkDefinitionView(check: CheckDefinition): CheckDefinitionView {
  const threshold = !AGGREGATE_TYPES.has(check.type) && check.threshold ? { ...check.threshold } : null;
  return {
    name: check.name,
    type: check.type,
    severity: check.severity,
    blocking: check.blocking,
    assertion: checkAssertion(check),
    description: check.description ?? null,
    threshold,
  };
}

/**
 * A stored check result as the API shows it. Failing samples are rows of the asset: they are left out
 * unless the caller may see its data.
 * @example checkResultView(result, isAllowed(principal, 'asset:preview', { kind: 'asset', id: key }))
 */
export function checkResultView(result: StoredCheckResult, withSamples: boolean): CheckResultView {
  return {
    checkName: result.checkName,
    checkType: result.checkType,
    assetKey: result.assetKey,
    passed: result.passed,
    severity: result.severity,
    blocking: result.blocking,
    failingCount: result.failingCount,
    totalCount: result.totalCount,
    failingPercent: result.failingPercent,
    sampleFailing: withSamples ? result.sampleFailing : [],
    error: result.error?.message ?? null,
    runId: result.runId,
    stage: result.stage,
    createdAt: result.createdAt,
  };
}

/**
 * Every check defined on an asset, in definition order, each with its latest result or `null` when it has
 * not run since it was defined. Results of checks no longer defined are left out.
 * @example assetChecks(asset.checks, await store.latestCheckResults(asset.key), true)[0]?.latest // null before the first build
 */
export function assetChecks(definitions: readonly CheckDefinition[], results: readonly StoredCheckResult[], withSamples: boolean): AssetCheckView[] {
  const latest = new Map(results.map((r) => [resultKey('', r.checkName, r.checkType), r]));
  return definitions.map((check) => {
    const result = latest.get(resultKey('', check.name, check.type));
    return { ...checkDefinitionView(check), latest: result ? checkResultView(result, withSamples) : null };
  });
}

/**
 * Counts of the latest result of each defined check, per asset: passed, failed with severity warn, failed
 * with severity error. Checks that have not run count nowhere; results of checks no longer defined are ignored.
 * @example checkSummaries(graph, await store.latestCheckResults()).get('silver/flights') // { passed: 3, warned: 1, failed: 0 }
 */
export function checkSummaries(graph: AssetGraph, results: readonly StoredCheckResult[]): Map<string, CheckSummary> {
  const defined = new Set<string>();
  for (const key of graph.order) for (const check of graph.require(key).definition.checks) defined.add(resultKey(key, check.name, check.type));
  const summaries = new Map<string, CheckSummary>();
  for (const result of results) {
    if (!defined.has(resultKey(result.assetKey, result.checkName, result.checkType))) continue;
    let summary = summaries.get(result.assetKey);
    if (!summary) summaries.set(result.assetKey, (summary = { passed: 0, warned: 0, failed: 0 }));
    if (result.passed) summary.passed += 1;
    else if (result.severity === 'warn') summary.warned += 1;
    else summary.failed += 1;
  }
  return summaries;
}
