// Section 3: the SQLite metadata store and the read paths on top of it (`sluice list`, lineage) at scale.
import { runScenario } from '../lib/child.js';
import type { BenchOptions } from '../lib/options.js';
import { progress } from '../lib/progress.js';
import { pairedRatio, rate, summarize, type Summary } from '../lib/stats.js';

interface StoreRun {
  assets: number;
  materializations: number;
  events: number;
  edges: number;
  appendMs: number[];
  rawAppendMs: number[];
  recordMs: number[];
  openMs: number;
  listed: number;
  listMs: number[];
  latestMs: number[];
  failuresMs: number[];
  statusMs: number[];
  upstreamMs: number[];
  downstreamMs: number[];
  upstreamSize: number[];
  downstreamSize: number[];
  treeMs: number[];
  historyMs: number[];
  peakRssMb: number;
}

export interface StoreResult {
  assets: number;
  materializations: number;
  edges: number;
  /** SqliteStore.appendEvent in a loop, one commit each. */
  eventsPerSecond: Summary;
  /** The same inserts through one cached better-sqlite3 statement: the ceiling appendEvent could reach. */
  rawEventsPerSecond: Summary;
  /** rawEventsPerSecond / eventsPerSecond, per repetition. */
  appendOverhead: Summary;
  /** SqliteStore.recordMaterialization in a loop (insert + read back), one batch per asset round. */
  materializationsPerSecond: Summary;
  /** Sluice.open of the project over this store (declared deps: no SQL parsing). */
  openMs: number;
  /** listAssets(), the data behind `sluice list`. */
  listMs: Summary;
  latestMaterializationsMs: Summary;
  latestFailuresMs: Summary;
  statusesMs: Summary;
  /** Per sampled asset: transitive closures, the `sluice lineage KEY` text, and 100 history rows. */
  upstreamMs: Summary;
  downstreamMs: Summary;
  upstreamSize: Summary;
  downstreamSize: Summary;
  lineageTreeMs: Summary;
  historyMs: Summary;
  peakRssMb: number;
  notes: string[];
}

export async function runStore(options: BenchOptions): Promise<StoreResult> {
  const { assets, materializationsPerAsset, events, lineageSamples } = options.store;
  progress(`store: ${assets} assets, ${assets * materializationsPerAsset} materializations, ${options.reps} x ${events} events`);
  const run = await runScenario<StoreRun>(
    'store',
    { assets, materializationsPerAsset, events, reps: options.reps, lineageSamples },
    { timeoutMs: 30 * 60_000 },
  );
  if (run.listed !== assets) throw new Error(`store scenario listed ${run.listed} assets, expected ${assets}`);
  return {
    assets: run.assets,
    materializations: run.materializations,
    edges: run.edges,
    eventsPerSecond: rate(run.appendMs, run.events),
    rawEventsPerSecond: rate(run.rawAppendMs, run.events),
    appendOverhead: pairedRatio(run.appendMs, run.rawAppendMs),
    materializationsPerSecond: rate(run.recordMs, run.assets),
    openMs: run.openMs,
    listMs: summarize(run.listMs),
    latestMaterializationsMs: summarize(run.latestMs),
    latestFailuresMs: summarize(run.failuresMs),
    statusesMs: summarize(run.statusMs),
    upstreamMs: summarize(run.upstreamMs),
    downstreamMs: summarize(run.downstreamMs),
    upstreamSize: summarize(run.upstreamSize),
    downstreamSize: summarize(run.downstreamSize),
    lineageTreeMs: summarize(run.treeMs),
    historyMs: summarize(run.historyMs),
    peakRssMb: run.peakRssMb,
    notes: [
      `a random DAG of ${run.assets.toLocaleString('en-US')} assets (${run.edges.toLocaleString('en-US')} edges), each materialized ${materializationsPerAsset} times in dependency order; 1% of assets failed after their last success`,
      `lineage figures are over ${lineageSamples} sampled assets (the tree over the first 10), not repetitions`,
    ],
  };
}
