// Upstream and downstream traversal of the asset graph (pure, used to highlight a node's lineage).

export interface Adjacency {
  upstream: Map<string, string[]>;
  downstream: Map<string, string[]>;
}

export interface Lineage {
  upstream: Set<string>;
  downstream: Set<string>;
}

/**
 * Index edges both ways once, so each highlight is a linear walk.
 * @example const adjacency = buildAdjacency([{ from: 'bronze/flights', to: 'silver/flights' }]);
 */
export function buildAdjacency(edges: { from: string; to: string }[]): Adjacency {
  const upstream = new Map<string, string[]>();
  const downstream = new Map<string, string[]>();
  for (const { from, to } of edges) {
    const ups = upstream.get(to);
    if (ups) ups.push(from);
    else upstream.set(to, [from]);
    const downs = downstream.get(from);
    if (downs) downs.push(to);
    else downstream.set(from, [to]);
  }
  return { upstream, downstream };
}

function walk(start: string, next: Map<string, string[]>): Set<string> {
  const seen = new Set<string>();
  const stack = [start];
  for (let key = stack.pop(); key !== undefined; key = stack.pop()) {
    for (const neighbour of next.get(key) ?? []) {
      if (seen.has(neighbour) || neighbour === start) continue;
      seen.add(neighbour);
      stack.push(neighbour);
    }
  }
  return seen;
}

/**
 * Everything upstream and everything downstream of an asset (the asset itself in neither).
 * @example lineageOf('silver/flights', adjacency).upstream.has('bronze/flights') // true
 */
export function lineageOf(key: string, adjacency: Adjacency): Lineage {
  return { upstream: walk(key, adjacency.upstream), downstream: walk(key, adjacency.downstream) };
}

/**
 * Whether an edge lies on a path through `key`: both ends upstream (or `key`), or both downstream (or `key`).
 * @example isLineageEdge({ from: 'bronze/flights', to: 'silver/flights' }, 'silver/flights', lineage) // true
 */
export function isLineageEdge(edge: { from: string; to: string }, key: string, lineage: Lineage): boolean {
  const up = (k: string): boolean => k === key || lineage.upstream.has(k);
  const down = (k: string): boolean => k === key || lineage.downstream.has(k);
  return (up(edge.from) && up(edge.to)) || (down(edge.from) && down(edge.to));
}
