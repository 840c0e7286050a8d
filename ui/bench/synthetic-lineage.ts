// A reproducible synthetic lineage graph of any size (bronze/silver/gold layers, ~25 assets per group) for benchmarks.
import type { LayoutInput } from '../src/graph/layout';

/**
 * `size` assets in three layers; each silver/gold asset reads 1-3 earlier assets, mostly from its own domain.
 * @example const graph = syntheticLineage(1000); // 1,000 nodes, ~1,260 edges, 39 groups
 */
export function syntheticLineage(size: number, seed = 42): LayoutInput {
  let state = seed;
  const random = (): number => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const layers = ['bronze', 'silver', 'gold'] as const;
  const domains = Math.max(1, Math.round(size / 75));
  const nodes = Array.from({ length: size }, (_, i) => {
    const layer = Math.min(2, Math.floor((i / size) * 3));
    const domain = i % domains;
    return { key: `${layers[layer]}/d${domain}_t${i}`, group: `${layers[layer]}_domain_${domain}`, layer, domain, index: i };
  });
  const pools = new Map<string, typeof nodes>();
  for (const node of nodes) {
    const id = `${node.layer}:${node.domain}`;
    pools.set(id, [...(pools.get(id) ?? []), node]);
  }
  const edges = new Map<string, { from: string; to: string }>();
  for (const node of nodes) {
    if (node.layer === 0) continue;
    const count = 1 + Math.floor(random() * 3);
    for (let d = 0; d < count; d++) {
      const fromLayer = node.layer === 2 && random() < 0.5 ? 2 : node.layer - 1;
      const domain = random() < 0.8 ? node.domain : Math.floor(random() * domains);
      const candidates = (pools.get(`${fromLayer}:${domain}`) ?? []).filter((p) => p.index < node.index);
      const from = candidates[Math.floor(random() * candidates.length)];
      if (from) edges.set(`${from.key}>${node.key}`, { from: from.key, to: node.key });
    }
  }
  return { nodes: nodes.map(({ key, group }) => ({ key, group })), edges: [...edges.values()] };
}
