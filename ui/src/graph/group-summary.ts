// What a collapsed group's card says about its assets: how many, in which status, and how their checks fare (pure).
import type { AssetStatus } from '../../../src/server/api-types';
import type { GraphAsset } from './graph-data';

/** One group's assets, counted by status and check outcome. */
export interface GroupSummary {
  group: string;
  count: number;
  statuses: Record<AssetStatus, number>;
  /** Latest check results over the group's assets; `unknown` counts assets whose check results were not sent. */
  checks: { passed: number; warned: number; failed: number; unknown: number };
}

const NO_STATUSES: Record<AssetStatus, number> = { fresh: 0, stale: 0, failed: 0, running: 0, never: 0 };

/**
 * Counts per group, recomputed on every status update (a linear pass; the layout never depends on it).
 * @example groupSummaries(assets).get('sales')?.statuses.failed // 2
 */
export function groupSummaries(assets: readonly GraphAsset[]): Map<string, GroupSummary> {
  const summaries = new Map<string, GroupSummary>();
  for (const asset of assets) {
    let summary = summaries.get(asset.group);
    if (!summary) {
      summary = { group: asset.group, count: 0, statuses: { ...NO_STATUSES }, checks: { passed: 0, warned: 0, failed: 0, unknown: 0 } };
      summaries.set(asset.group, summary);
    }
    summary.count++;
    summary.statuses[asset.status]++;
    if (asset.checks) {
      summary.checks.passed += asset.checks.passed;
      summary.checks.warned += asset.checks.warned;
      summary.checks.failed += asset.checks.failed;
    } else {
      summary.checks.unknown++;
    }
  }
  return summaries;
}

/** The statuses worth naming on a card, most urgent first, with their counts (zero counts left out). */
export function statusParts(summary: GroupSummary): { status: AssetStatus; count: number }[] {
  return (['failed', 'running', 'stale', 'fresh', 'never'] as const)
    .filter((status) => summary.statuses[status] > 0)
    .map((status) => ({ status, count: summary.statuses[status] }));
}
