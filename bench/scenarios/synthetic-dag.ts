// Child: one synthetic DAG (shape x size): define, load + validate, plan; then optionally materialize it end to end.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { AssetGraph, defineProject, Sluice } from '../../src/index.js';
import { executePlan } from '../../src/runtime/executor.js';
import { planRun } from '../../src/runtime/planner.js';
import { scratchDir } from '../lib/paths.js';
import { emitResult, scenarioArgs, timed } from '../lib/scenario-io.js';
import { syntheticKey, syntheticSqlAssets, type DagShape } from '../lib/synthetic-dag.js';

interface Args {
  shape: DagShape;
  size: number;
  reps: number;
  /** Materializations to time (0: plan only). */
  executeReps: number;
}

const { shape, size, reps, executeReps } = scenarioArgs<Args>();
const samples = {
  defineMs: [] as number[],
  loadMs: [] as number[],
  graphMs: [] as number[],
  planAllMs: [] as number[],
  planUpstreamMs: [] as number[],
  planDownstreamMs: [] as number[],
  schedulerMs: [] as number[],
};
const execute = { openMs: [] as number[], materializeMs: [] as number[], closeMs: [] as number[] };
let edges = 0;

function project(dir: string) {
  const assets = syntheticSqlAssets(shape, size);
  return defineProject({
    name: `${shape}-${size}`,
    assets,
    warehouse: { path: join(dir, 'warehouse.duckdb') },
    metadata: { path: join(dir, 'sluice.sqlite') },
  });
}

for (let rep = 0; rep < reps; rep++) {
  const dir = scratchDir('synthetic-plan');
  try {
    const [defineMs, definition] = await timed(() => project(dir));
    // Sluice.load parses every SQL asset with DuckDB to infer its deps, then validates the graph.
    const [loadMs, loaded] = await timed(() => Sluice.load({ dir, project: definition }));
    const nodes = [...loaded.graph.keys()].map((key) => loaded.graph.get(key)!);
    const [graphMs] = await timed(() => AssetGraph.build(nodes));
    const [planAllMs] = await timed(() => planRun(loaded.graph, '*'));
    const [planUpstreamMs] = await timed(() => planRun(loaded.graph, `+${syntheticKey(size - 1)}`));
    const [planDownstreamMs] = await timed(() => planRun(loaded.graph, `${syntheticKey(0)}+`));
    // The executor with steps that do nothing: scheduling cost alone, apart from warehouse and store work.
    const [schedulerMs] = await timed(() =>
      executePlan(
        planRun(loaded.graph, '*'),
        { run: async () => undefined, retryPolicy: () => ({ retries: 0, delayMs: 0 }) },
        { concurrency: definition.concurrency },
      ),
    );
    edges = nodes.reduce((sum, n) => sum + n.deps.length, 0);
    Object.entries({ defineMs, loadMs, graphMs, planAllMs, planUpstreamMs, planDownstreamMs, schedulerMs }).forEach(([k, v]) =>
      samples[k as keyof typeof samples].push(v),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (let rep = 0; rep < executeReps; rep++) {
  const dir = scratchDir('synthetic-run');
  try {
    const [openMs, sluice] = await timed(() => Sluice.open({ dir, project: project(dir) }));
    const [materializeMs, result] = await timed(() => sluice.materialize({ select: '*' }));
    const [closeMs] = await timed(() => sluice.close());
    if (result.status !== 'succeeded')
      throw new Error(`synthetic ${shape}-${size} run ${result.status}: ${result.assets.find((a) => a.error)?.error?.message ?? ''}`);
    execute.openMs.push(openMs);
    execute.materializeMs.push(materializeMs);
    execute.closeMs.push(closeMs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

emitResult({ shape, size, edges, ...samples, execute: executeReps > 0 ? execute : undefined });
