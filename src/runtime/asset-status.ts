// Fresh, stale, failed or never: an asset's state from its materializations and the graph (pure).
import type { AssetGraph } from '../model/asset-graph.js';
import type { AssetStatus, MaterializationRecord } from '../store/records.js';
import { codeVersionOf } from './versions.js';

/** Why an asset is stale, for `sluice list` and the UI. */
export interface StalenessReason {
  key: string;
  reason: string;
}

/**
 * Status of every asset. Stale: never built while an upstream was, code changed since the last build,
 * or an upstream's latest data version differs from the one it was built from (transitively).
 * Failed: the latest attempt failed after the latest materialization.
 * @example computeAssetStatuses(graph, latest, failures).get('gold/daily') // { status: 'stale', reason: '...' }
 */
export function computeAssetStatuses(
  graph: AssetGraph,
  latest: ReadonlyMap<string, MaterializationRecord>,
  lastFailures: ReadonlyMap<string, string> = new Map(),
): Map<string, { status: AssetStatus; reason?: string }> {
  const result = new Map<string, { status: AssetStatus; reason?: string }>();
  for (const key of graph.order) {
    const node = graph.require(key);
    const materialization = latest.get(key);
    const failedAt = lastFailures.get(key);
    if (failedAt && (!materialization || failedAt > materialization.createdAt)) {
      result.set(key, { status: 'failed', reason: `last attempt failed at ${failedAt}` });
      continue;
    }
    if (!materialization) {
      result.set(key, { status: 'never' });
      continue;
    }
    result.set(key, stalenessOf(key, node.deps, codeVersionOf(node.definition), materialization, latest, result));
  }
  return result;
}

function stalenessOf(
  key: string,
  deps: readonly string[],
  codeVersion: string,
  materialization: MaterializationRecord,
  latest: ReadonlyMap<string, MaterializationRecord>,
  known: ReadonlyMap<string, { status: AssetStatus }>,
): { status: AssetStatus; reason?: string } {
  if (materialization.codeVersion !== codeVersion) return { status: 'stale', reason: 'its code changed since the last materialization' };
  const inputs = (materialization.metadata.inputVersions ?? {}) as Record<string, string | null>;
  for (const dep of deps) {
    const upstream = latest.get(dep);
    if (upstream && upstream.dataVersion !== (inputs[dep] ?? null)) {
      return { status: 'stale', reason: `upstream "${dep}" has new data since ${key} was built` };
    }
    const upstreamStatus = known.get(dep)?.status;
    if (upstreamStatus === 'stale' || upstreamStatus === 'never')
      return { status: 'stale', reason: `upstream "${dep}" is ${upstreamStatus === 'never' ? 'not materialized' : 'stale'}` };
  }
  return { status: 'fresh' };
}
