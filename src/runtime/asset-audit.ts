// Runs an asset's checks on a relation (staged before the publish, or published) and judges the outcome.
import type { CheckResult } from '../checks/run-check.js';
import { runChecks } from '../checks/run-check.js';
import type { WarehouseSession } from '../engine/warehouse.js';
import type { AssetDefinition } from '../model/asset-definition.js';
import { quoteQualified, type QualifiedName } from '../model/asset-key.js';
import type { CheckSummaryItem, RunEventMap } from './run-events.js';

/**
 * Evaluates every check of `asset` against `relation`; never throws for failing checks.
 * @example const results = await auditRelation(session, asset, staging);
 */
export async function auditRelation(session: WarehouseSession, asset: AssetDefinition, relation: QualifiedName): Promise<CheckResult[]> {
  const keyColumns = asset.incremental?.strategy === 'merge' ? asset.incremental.uniqueKey : asset.partitionColumn ? [asset.partitionColumn] : undefined;
  return runChecks(session, asset.checks, { assetKey: asset.key, relation: quoteQualified(relation), ...(keyColumns ? { keyColumns } : {}) });
}

/** The failed checks that must stop a publish. */
export function blockingFailuresOf(results: readonly CheckResult[]): CheckResult[] {
  return results.filter((r) => !r.passed && r.blocking);
}

/** The `asset_checked` event payload for a set of results. */
export function checkEventData(stage: 'staged' | 'published', results: readonly CheckResult[]): RunEventMap['asset_checked'] {
  const items: CheckSummaryItem[] = results.map((r) => ({
    checkName: r.checkName,
    checkType: r.checkType,
    passed: r.passed,
    severity: r.severity,
    blocking: r.blocking,
    failingCount: r.failingCount,
    totalCount: r.totalCount,
    failingPercent: r.failingPercent,
    ...(r.error ? { error: r.error.message } : {}),
  }));
  return {
    stage,
    passed: items.filter((i) => i.passed).length,
    failed: items.filter((i) => !i.passed && i.severity === 'error').length,
    warned: items.filter((i) => !i.passed && i.severity === 'warn').length,
    results: items,
  };
}

/** One line for the event log, e.g. `checks: 5 passed, 1 warned`. */
export function checkMessage(data: RunEventMap['asset_checked']): string {
  const parts = [`${data.passed} passed`];
  if (data.failed > 0) parts.push(`${data.failed} failed`);
  if (data.warned > 0) parts.push(`${data.warned} warned`);
  const failing = data.results.filter((r) => !r.passed).map((r) => `${r.checkName} (${r.error ?? `${r.failingCount} failing`})`);
  return `checks on ${data.stage} table: ${parts.join(', ')}${failing.length > 0 ? `: ${failing.join(', ')}` : ''}`;
}
