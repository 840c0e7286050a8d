// Child: one synthetic DAG (shape x size): define, load + validate, plan; then optionally materialize it end to end,
// alternating with the same statements run directly in DuckDB (the engine's floor).
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { AssetGraph, defineProject, Sluice } from '../../src/index.js';
import { parseAssetKey } from '../../src/model/asset-key.js';
import { executePlan } from '../../src/runtime/executor.js';
import { planRun } from '../../src/runtime/planner.js';
import { scratchDir } from '../lib/paths.js';
import { emitResult, scenarioArgs, timed } from '../lib/scenario-io.js';
import { SYNTHETIC_SCHEMA, syntheticKey, syntheticSqlAssets, type DagShape } from '../lib/synthetic-dag.js';

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
const execute = { openMs: [] as number[], materializeMs: [] as number[], closeMs: [] as number[], directMs: [] as number[], load: [] as number[] };
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

/** Sluice.open, materialize '*', close, in a fresh scratch folder. */
async function materializeWithSluice(): Promise<void> {
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

/**
 * The floor: the same SQL as `CREATE TABLE <key> AS <sql>` in the graph's order on one plain @duckdb/node-api
 * connection (DuckDB's defaults, autocommit), into a fresh file. Timed like materialize: statements only, not open/close.
 */
async function materializeDirectly(statements: readonly string[]): Promise<void> {
  const dir = scratchDir('synthetic-direct');
  try {
    const instance = await DuckDBInstance.create(join(dir, 'warehouse.duckdb'), { autoinstall_known_extensions: 'false', autoload_known_extensions: 'true' });
    const connection = await instance.connect();
    try {
      const [directMs] = await timed(async () => {
        await connection.run(`CREATE SCHEMA ${SYNTHETIC_SCHEMA}`);
        for (const statement of statements) await connection.run(statement);
      });
      execute.directMs.push(directMs);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (executeReps > 0) {
  const orderDir = scratchDir('synthetic-order');
  const loaded = await Sluice.load({ dir: orderDir, project: project(orderDir) }).finally(() => rmSync(orderDir, { recursive: true, force: true }));
  const statements = loaded.graph.order.map((key) => {
    const { schema, name } = parseAssetKey(key);
    return `CREATE TABLE ${schema}.${name} AS ${loaded.graph.require(key).definition.sql!}`;
  });
  for (let rep = 0; rep < executeReps; rep++) {
    execute.load.push(loadavg()[0]!);
    // Alternating which goes first cancels drift in the machine's load between the two.
    if (rep % 2 === 0) {
      await materializeWithSluice();
      await materializeDirectly(statements);
    } else {
      await materializeDirectly(statements);
      await materializeWithSluice();
    }
  }
  execute.load.push(loadavg()[0]!);
}

emitResult({ shape, size, edges, ...samples, execute: executeReps > 0 ? execute : undefined });
