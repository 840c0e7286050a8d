// Times the lineage layout on synthetic graphs in Node (the same code the browser runs in its worker).
// Run: node --import tsx ui/bench/layout-bench.ts [sizes...]   e.g. 1000 10000
import ELK from 'elkjs/lib/elk.bundled.js';
import { computeLayout, type LayoutStrategy } from '../src/graph/layout';
import { syntheticLineage } from './synthetic-lineage';

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const elk = new ELK();
// The first layouts pay for ELK's warm-up (JIT); the browser pays it once per worker.
await computeLayout(elk, syntheticLineage(200), 'compound');
for (const size of sizes.length > 0 ? sizes : [1000, 10000]) {
  const graph = syntheticLineage(size);
  const strategies: LayoutStrategy[] = size <= 1500 ? ['compound', 'two-level'] : ['two-level'];
  for (const strategy of strategies) {
    const layout = await computeLayout(elk, graph, strategy);
    console.log(`${size} assets, ${graph.edges.length} edges, ${layout.groups.length} groups, ${strategy}: ${Math.round(layout.elapsedMs)} ms`);
  }
}
