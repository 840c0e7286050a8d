// The API's views of the asset graph: asset summaries and the lineage graph, with live status (pure, but for the
// one read of the metadata store they are computed from).
import type { AssetGraph } from '../model/asset-graph.js';
import { didYouMean } from '../model/did-you-mean.js';
import { AssetNotFoundError } from '../errors.js';
import { computeAssetStatuses } from '../runtime/asset-status.js';
import type { MetadataStore } from '../store/metadata-store.js';
import type { AssetListItem, AssetStatus, AssetSummary, CheckSummary, LineageResponse, MaterializationRecord } from './api-types.js';
import { checkSummaries } from './check-views.js';

/** What the views are computed from. */
export interface AssetState {
  statuses: ReadonlyMap<string, { status: AssetStatus; reason?: string }>;
  latest: ReadonlyMap<string, MaterializationRecord>;
  /** Assets an active run is building now: shown as running whatever their last state. */
  building: ReadonlySet<string>;
  /** Latest check results per asset. */
  checks: ReadonlyMap<string, CheckSummary>;
}

/**
 * Reads what the views need from the metadata store, each table once.
 * @example const state = await readAssetState(sluice.project.graph, sluice.store, launcher.buildingAssets());
 */
export async function readAssetState(
  graph: AssetGraph,
  store: Pick<MetadataStore, 'latestMaterializations' | 'latestAssetFailures' | 'latestCheckResults'>,
  building: ReadonlySet<string>,
): Promise<AssetState> {
  const [latest, failures, checks] = await Promise.all([store.latestMaterializations(), store.latestAssetFailures(), store.latestCheckResults()]);
  return { statuses: computeAssetStatuses(graph, latest, failures), latest, building, checks: checkSummaries(graph, checks) };
}

function statusOf(key: string, state: AssetState): { status: AssetStatus; reason?: string } {
  if (state.building.has(key)) return { status: 'running' };
  return state.statuses.get(key) ?? { status: 'never' };
}

/**
 * The summary of one asset as the API shows it.
 * @example assetSummary(graph, 'silver/flights', state).status // 'fresh'
 */
export function assetSummary(graph: AssetGraph, key: string, state: AssetState): AssetSummary {
  const node = graph.get(key);
  if (!node) throw new AssetNotFoundError(key, didYouMean(key, graph.keys()));
  const { definition } = node;
  const status = statusOf(key, state);
  const summary: AssetSummary = {
    key,
    group: definition.group,
    kind: definition.kind,
    deps: [...node.deps],
    description: definition.description ?? null,
    owners: [...definition.owners],
    tags: { ...definition.tags },
    status: status.status,
    lastMaterialization: state.latest.get(key) ?? null,
    checks: state.checks.get(key) ?? { passed: 0, warned: 0, failed: 0 },
  };
  if (status.reason !== undefined) summary.statusReason = status.reason;
  return summary;
}

/** Every asset, in dependency order, as GET /api/assets lists it (the latest materialization without SQL and metadata). */
export function assetSummaries(graph: AssetGraph, state: AssetState): AssetListItem[] {
  return graph.order.map((key) => {
    const { lastMaterialization, ...summary } = assetSummary(graph, key, state);
    if (!lastMaterialization) return { ...summary, lastMaterialization };
    const { sql: _sql, metadata: _metadata, ...kept } = lastMaterialization;
    return { ...summary, lastMaterialization: kept };
  });
}

/**
 * The asset-level lineage graph: one node per asset, one edge per dependency (from upstream to downstream).
 * @example lineageGraph(graph, state).edges // [{ from: 'bronze/flights', to: 'silver/flights' }, ...]
 */
export function lineageGraph(graph: AssetGraph, state: AssetState): LineageResponse {
  const nodes = graph.order.map((key) => {
    const { definition } = graph.require(key);
    const { status, reason } = statusOf(key, state);
    const checks = state.checks.get(key);
    return { key, group: definition.group, kind: definition.kind, status, ...(reason ? { statusReason: reason } : {}), ...(checks ? { checks } : {}) };
  });
  const edges = graph.order.flatMap((key) => graph.parentsOf(key).map((from) => ({ from, to: key })));
  return { nodes, edges };
}

/**
 * The graph key an URL's `:schema/:name` names, or AssetNotFoundError. The key always comes from the
 * graph, so nothing from the URL ever reaches SQL.
 * @example findAssetKey(graph, 'Silver', 'flights') // 'silver/flights'
 */
export function findAssetKey(graph: AssetGraph, schema: string, name: string): string {
  const key = `${schema}/${name}`.toLowerCase();
  if (!graph.has(key)) throw new AssetNotFoundError(key, didYouMean(key, graph.keys()));
  return key;
}
