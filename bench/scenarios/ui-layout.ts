// Child: the lineage graph's layout, the UI's costly step before it draws, timed on synthetic graphs in Node: the same
// code (ui/src/graph/layout.ts, ELK) the browser runs in its Web Worker, as ui/bench/layout-bench.ts runs it.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../lib/paths.js';
import { emitResult, scenarioArgs } from '../lib/scenario-io.js';

interface Args {
  sizes: number[];
  reps: number;
  /** Also time the other strategy at sizes up to this many assets (the UI itself picks one by size). */
  compareUpTo: number;
}

type Strategy = 'compound' | 'two-level';
interface LayoutInput {
  nodes: { key: string; group: string }[];
  edges: { from: string; to: string }[];
}
interface LayoutModule {
  computeLayout(elk: unknown, input: LayoutInput, strategy?: Strategy): Promise<{ elapsedMs: number; groups: unknown[]; positions: Record<string, unknown> }>;
  chooseStrategy(input: LayoutInput): Strategy;
}

/** One size and strategy: ELK's time per repetition. */
export interface UiLayoutRow {
  size: number;
  edges: number;
  groups: number;
  strategy: Strategy;
  /** Whether the UI uses this strategy at this size. */
  chosen: boolean;
  layoutMs: number[];
}

// The UI's modules are written for its bundler (extensionless imports), so they are loaded at run time through tsx,
// not type-checked against the server's settings.
const load = <T>(...path: string[]): Promise<T> => import(pathToFileURL(join(REPO_ROOT, ...path)).href) as Promise<T>;
const { computeLayout, chooseStrategy } = await load<LayoutModule>('ui', 'src', 'graph', 'layout.ts');
const { syntheticLineage } = await load<{ syntheticLineage(size: number): LayoutInput }>('ui', 'bench', 'synthetic-lineage.ts');
const { default: ELK } = await load<{ default: new () => unknown }>('node_modules', 'elkjs', 'lib', 'elk.bundled.js');

const args = scenarioArgs<Args>();
const elk = new ELK();
// ELK's first layouts pay for its JIT warm-up; the browser pays it once per worker.
await computeLayout(elk, syntheticLineage(200), 'compound');
const rows: UiLayoutRow[] = [];
for (const size of args.sizes) {
  const graph = syntheticLineage(size);
  const chosen = chooseStrategy(graph);
  const strategies: Strategy[] = size <= args.compareUpTo ? ['compound', 'two-level'] : [chosen];
  for (const strategy of strategies) {
    const row: UiLayoutRow = { size, edges: graph.edges.length, groups: 0, strategy, chosen: strategy === chosen, layoutMs: [] };
    for (let rep = 0; rep < args.reps; rep++) {
      const layout = await computeLayout(elk, graph, strategy);
      if (Object.keys(layout.positions).length !== size) throw new Error(`${strategy} layout of ${size} assets placed ${Object.keys(layout.positions).length}`);
      row.groups = layout.groups.length;
      row.layoutMs.push(layout.elapsedMs);
    }
    rows.push(row);
  }
}
emitResult({ rows });
