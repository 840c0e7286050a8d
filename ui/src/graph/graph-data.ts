// The lineage graph's data: what each node needs, built from GET /api/lineage (light enough for 10,000s of assets).
import type { AssetStatus, CheckSummary, LineageResponse } from '../../../src/server/api-types';

/** One asset as the graph draws it. */
export interface GraphAsset {
  key: string;
  group: string;
  kind: string;
  status: AssetStatus;
  /** Null when the server did not send check counts. */
  checks: CheckSummary | null;
}

/** A lineage node; servers that know check counts send them along (not yet part of LineageResponse). */
type LineageNode = LineageResponse['nodes'][number] & { checks?: CheckSummary };

/** Whether the lineage response carries check counts, or they must be fetched separately. */
export function lineageHasChecks(lineage: LineageResponse): boolean {
  return lineage.nodes.length === 0 || (lineage.nodes[0] as LineageNode).checks !== undefined;
}

/**
 * Graph nodes from the lineage response, with check counts from the response or from `fallbackChecks`.
 * @example toGraphAssets(lineage, new Map(assets.map((a) => [a.key, a.checks])))
 */
export function toGraphAssets(lineage: LineageResponse, fallbackChecks?: ReadonlyMap<string, CheckSummary>): GraphAsset[] {
  return (lineage.nodes as LineageNode[]).map((n) => ({
    key: n.key,
    group: n.group,
    kind: n.kind,
    status: n.status,
    checks: n.checks ?? fallbackChecks?.get(n.key) ?? null,
  }));
}
