// Every check of a project with its latest result, worst first, and one check's results over time (for the Checks page).
import type { AssetGraph } from '../../model/asset-graph.js';
import type { MetadataStore, StoredCheckResult } from '../../store/metadata-store.js';
import type { AssetCheckView, CheckResultView } from '../api-types.js';
import { assetChecks, checkResultView } from '../check-views.js';

/** How bad a check's state is, worst first: what the Checks page sorts and filters by. */
export type CheckState = 'failed' | 'warned' | 'errored' | 'not_run' | 'passed';

/** One row of GET /api/checks/overview. */
export interface CheckOverviewRow extends AssetCheckView {
  assetKey: string;
  group: string;
  state: CheckState;
}

/** GET /api/checks/overview */
export interface ChecksOverviewResponse {
  checks: CheckOverviewRow[];
}

/** GET /api/checks/history?asset=KEY&check=NAME */
export interface CheckHistoryResponse {
  assetKey: string;
  checkName: string;
  /** Newest first. */
  results: CheckResultView[];
}

// Same order as the asset page: a check that could not run says nothing about the data, which is worst.
const RANK: Record<CheckState, number> = { errored: 0, failed: 1, warned: 2, not_run: 3, passed: 4 };

/**
 * The state of a check from its latest result: an error-severity failure is `failed`, a warning `warned`,
 * a check that could not run `errored`.
 * @example checkState(null) // 'not_run'
 */
function checkState(latest: CheckResultView | null): CheckState {
  if (!latest) return 'not_run';
  if (latest.passed) return 'passed';
  if (latest.error) return 'errored';
  return latest.severity === 'warn' ? 'warned' : 'failed';
}

/**
 * Every defined check of the assets in `keys`, worst first (then by failing share, asset and name).
 * Failing samples are kept only for the assets in `withSamples`.
 * @example checksOverview(graph, graph.order, await store.latestCheckResults(), new Set(graph.order))[0]?.state // 'failed'
 */
export function checksOverview(
  graph: AssetGraph,
  keys: readonly string[],
  results: readonly StoredCheckResult[],
  withSamples: ReadonlySet<string>,
): CheckOverviewRow[] {
  const byAsset = new Map<string, StoredCheckResult[]>();
  for (const result of results) byAsset.set(result.assetKey, [...(byAsset.get(result.assetKey) ?? []), result]);
  const rows: CheckOverviewRow[] = [];
  for (const key of keys) {
    const definition = graph.get(key)!.definition;
    for (const check of assetChecks(definition.checks, byAsset.get(key) ?? [], withSamples.has(key))) {
      rows.push({ ...check, assetKey: key, group: definition.group, state: checkState(check.latest) });
    }
  }
  return rows.sort(
    (a, b) =>
      RANK[a.state] - RANK[b.state] ||
      (b.latest?.failingPercent ?? 0) - (a.latest?.failingPercent ?? 0) ||
      a.assetKey.localeCompare(b.assetKey) ||
      a.name.localeCompare(b.name),
  );
}

/**
 * The results of one check in the latest `runs` runs that included its asset, newest first.
 * @example const results = await checkHistory(store, 'silver/flights', 'not_null_origin', true);
 */
export async function checkHistory(store: MetadataStore, assetKey: string, checkName: string, withSamples: boolean, runs = 200): Promise<CheckResultView[]> {
  const candidates = (await store.listRuns({ limit: runs })).filter((run) => run.assetKeys.includes(assetKey));
  const perRun = await Promise.all(candidates.map((run) => store.runCheckResults(run.id)));
  return perRun
    .flat()
    .filter((r) => r.assetKey === assetKey && r.checkName === checkName)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id)
    .map((r) => checkResultView(r, withSamples));
}
