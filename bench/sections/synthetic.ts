// Section 2: orchestration overhead on synthetic DAGs: load + validate + plan, and execution, per asset as size grows.
import { runScenario } from '../lib/child.js';
import type { BenchOptions } from '../lib/options.js';
import { progress } from '../lib/progress.js';
import { pairedRatio, summarize, type Summary } from '../lib/stats.js';
import type { DagShape } from '../lib/synthetic-dag.js';

/** Above this size a materialization runs only when its projected time fits `maxExecuteMs`. */
const ALWAYS_EXECUTE_UP_TO = 1_000;

interface SyntheticRun {
  shape: DagShape;
  size: number;
  edges: number;
  defineMs: number[];
  loadMs: number[];
  graphMs: number[];
  planAllMs: number[];
  planUpstreamMs: number[];
  planDownstreamMs: number[];
  schedulerMs: number[];
  execute?: { openMs: number[]; materializeMs: number[]; closeMs: number[]; directMs: number[]; load: number[] };
  peakRssMb: number;
}

/** Sluice's materialize against the same statements run directly in DuckDB, alternating in one process. */
export interface ExecuteFigures {
  openMs: Summary;
  materializeMs: Summary;
  closeMs: Summary;
  /** Sluice: materialize / assets. */
  perAssetMs: Summary;
  /** DuckDB direct: `CREATE TABLE AS` per asset in the graph's order on one connection, total / assets. */
  directPerAssetMs: Summary;
  /** Per repetition, (Sluice - direct) / assets: what orchestration and metadata add to each asset. */
  overheadPerAssetMs: Summary;
  /** Per repetition, Sluice / direct. */
  ratio: Summary;
  /** 1-minute load average over the repetitions. */
  load: { min: number; max: number };
}

export interface SyntheticRow {
  shape: DagShape;
  size: number;
  edges: number;
  defineMs: Summary;
  /** Sluice.load: parse every SQL asset to infer deps, then validate the graph. */
  loadMs: Summary;
  /** AssetGraph.build alone (validation + topological order), the part of load that is not SQL parsing. */
  graphMs: Summary;
  planAllMs: Summary;
  planUpstreamMs: Summary;
  planDownstreamMs: Summary;
  /** executePlan of '*' with no-op steps, per asset: the scheduler's own cost. */
  schedulerPerAssetMs: Summary;
  /** (load + plan '*') per asset. */
  loadPlanPerAssetMs: Summary;
  execute?: ExecuteFigures;
  executeSkipped?: string;
  /** Peak RSS of the child: load/plan repetitions, plus the materializations when they ran. */
  peakRssMb: number;
}

export interface SyntheticGrowth {
  shape: DagShape;
  from: number;
  to: number;
  /** Per-asset time at `to` over per-asset time at `from`: 1 means total time grows linearly with size. */
  loadPlanPerAsset: number;
  schedulerPerAsset: number;
  executePerAsset: number | null;
}

/** Ingestion with quarantine of clean flights against a plain read of the same file into a table (same process, alternating). */
export interface IngestionFormatRow {
  format: 'CSV' | 'Parquet';
  plainMs: Summary;
  ingestMs: Summary;
  /** Median of the per-repetition ratios ingest / plain, the write statements alone. */
  ratio: Summary;
  /** The CHECKPOINT run right after each write: what the write left for the next checkpoint to rewrite. */
  plainCheckpointMs: Summary;
  ingestCheckpointMs: Summary;
  /** Median of the per-repetition ratios of write + checkpoint: the whole cost of having the table stored. */
  ratioWithCheckpoint: Summary;
}

export interface IngestionResult {
  rows: number;
  formats: IngestionFormatRow[];
}

export interface SyntheticResult {
  rows: SyntheticRow[];
  growth: SyntheticGrowth[];
  /** Per-asset costs beside the orchestration ones: loading a source file with quarantine. */
  ingestion?: IngestionResult;
  notes: string[];
}

type IngestionVariant = 'csvPlain' | 'csvIngest' | 'parquetPlain' | 'parquetIngest';

type IngestionRun = Record<IngestionVariant, number[]> & {
  rows: number;
  /** The CHECKPOINT right after each write, per variant. */
  checkpoints: Record<IngestionVariant, number[]>;
};

/** Runs the ingestion scenario (the demo's flights, a subset in quick mode). */
async function runIngestion(options: BenchOptions): Promise<IngestionResult> {
  progress(`ingestion: ${options.reps} alternating reps of ingestCsv / ingestParquet against plain reads`);
  const run = await runScenario<IngestionRun>('ingestion', { rows: options.flightRows, reps: options.reps }, { timeoutMs: 30 * 60_000 });
  const withCheckpoint = (variant: IngestionVariant) => run[variant].map((ms, i) => ms + run.checkpoints[variant][i]!);
  const row = (format: 'CSV' | 'Parquet', plain: IngestionVariant, ingest: IngestionVariant): IngestionFormatRow => ({
    format,
    plainMs: summarize(run[plain]),
    ingestMs: summarize(run[ingest]),
    ratio: pairedRatio(run[ingest], run[plain]),
    plainCheckpointMs: summarize(run.checkpoints[plain]),
    ingestCheckpointMs: summarize(run.checkpoints[ingest]),
    ratioWithCheckpoint: pairedRatio(withCheckpoint(ingest), withCheckpoint(plain)),
  });
  return { rows: run.rows, formats: [row('CSV', 'csvPlain', 'csvIngest'), row('Parquet', 'parquetPlain', 'parquetIngest')] };
}

export async function runSynthetic(options: BenchOptions): Promise<SyntheticResult> {
  const { sizes, shapes, executeSizes, executeShapes, maxExecuteMs } = options.synthetic;
  const rows: SyntheticRow[] = [];
  const notes = [
    'assets are one-row SQL tables (`SELECT 1 AS x FROM <parents>`) whose deps Sluice infers by parsing, in a scratch DuckDB file; concurrency is the project default (4)',
    'random DAG: about 10% roots, the others 1-3 distinct parents drawn uniformly from all earlier assets (seed 42)',
  ];
  for (const size of sizes) {
    for (const shape of shapes as DagShape[]) {
      let executeReps = executeSizes.includes(size) && executeShapes.includes(shape) ? options.reps : 0;
      let executeSkipped: string | undefined;
      if (executeReps > 0 && size > ALWAYS_EXECUTE_UP_TO) {
        const projected = projectExecuteMs(
          rows.filter((r) => r.shape === shape && r.execute),
          size,
        );
        if (projected === undefined || projected > maxExecuteMs) {
          executeReps = 0;
          executeSkipped =
            projected === undefined
              ? `not run: no smaller ${shape} run to project its time from`
              : `not run: one run projects to ${(projected / 1000).toFixed(0)} s from the per-asset times measured at smaller sizes, over the ${maxExecuteMs / 1000} s limit`;
        }
      }
      progress(`synthetic ${shape} ${size}: ${options.reps} load/plan reps${executeReps ? `, ${executeReps} materializations` : ''}`);
      const run = await runScenario<SyntheticRun>('synthetic-dag', { shape, size, reps: options.reps, executeReps }, { timeoutMs: 45 * 60_000 });
      rows.push(toRow(run, executeSkipped));
    }
  }
  notes.push(
    "execute vs DuckDB direct: each repetition runs Sluice (`materialize` of `*`) and the same SQL as `CREATE TABLE <key> AS <sql>` in the graph's order on one plain @duckdb/node-api connection (autocommit, a fresh file), alternating which goes first; overhead = (Sluice - direct) / assets per repetition, goal <= 2 ms",
    ...rows.filter((r) => r.execute).map(executeNote),
  );
  const ingestion = await runIngestion(options);
  notes.push(
    "ingestion: the flights (clean) loaded with ingestCsv / ingestParquet (typed columns, quarantine, lineage columns) vs a plain `CREATE TABLE AS SELECT * FROM read_csv/read_parquet` with the same types (DuckDB defaults), alternating in one DuckDB file; each write is timed alone, then a `CHECKPOINT` right after it: a table written with its rows' order kept can leave partly filled row groups that the next checkpoint (at close, or when the WAL fills) rewrites, so that part of a write's cost is paid later. Ingestion writes its Parquet target in any row order (each row carries its file and position) and leaves none; the CSV one-pass load keeps the order (its line numbers come from row ids). The goal (<= 1.5x) is read on write + checkpoint",
  );
  return { rows, growth: growthOf(rows), ingestion, notes };
}

/**
 * Projects one run at `size` from the largest measured run: its per-asset time, grown per tenfold size by the
 * growth seen between the two largest measured runs (never less than linear total time).
 */
function projectExecuteMs(measured: SyntheticRow[], size: number): number | undefined {
  const last = measured.at(-1)?.execute && measured.at(-1)!;
  if (!last) return undefined;
  const before = measured.at(-2);
  const perAsset = last.execute!.perAssetMs.median;
  const growthPerDecade = before?.execute ? Math.max(1, (perAsset / before.execute.perAssetMs.median) ** (1 / Math.log10(last.size / before.size))) : 1;
  return size * perAsset * growthPerDecade ** Math.log10(size / last.size);
}

function toRow(run: SyntheticRun, executeSkipped: string | undefined): SyntheticRow {
  const row: SyntheticRow = {
    shape: run.shape,
    size: run.size,
    edges: run.edges,
    defineMs: summarize(run.defineMs),
    loadMs: summarize(run.loadMs),
    graphMs: summarize(run.graphMs),
    planAllMs: summarize(run.planAllMs),
    planUpstreamMs: summarize(run.planUpstreamMs),
    planDownstreamMs: summarize(run.planDownstreamMs),
    schedulerPerAssetMs: summarize(run.schedulerMs.map((ms) => ms / run.size)),
    loadPlanPerAssetMs: summarize(run.loadMs.map((ms, i) => (ms + run.planAllMs[i]!) / run.size)),
    peakRssMb: run.peakRssMb,
  };
  if (run.execute) {
    const { openMs, materializeMs, closeMs, directMs, load } = run.execute;
    row.execute = {
      openMs: summarize(openMs),
      materializeMs: summarize(materializeMs),
      closeMs: summarize(closeMs),
      perAssetMs: summarize(materializeMs.map((ms) => ms / run.size)),
      directPerAssetMs: summarize(directMs.map((ms) => ms / run.size)),
      overheadPerAssetMs: summarize(materializeMs.map((ms, i) => (ms - directMs[i]!) / run.size)),
      ratio: pairedRatio(materializeMs, directMs),
      load: { min: Math.min(...load), max: Math.max(...load) },
    };
  }
  if (executeSkipped) row.executeSkipped = executeSkipped;
  return row;
}

/** One line per executed graph: per asset Sluice, direct and overhead (medians, with ranges), and the paired ratio. */
function executeNote(row: SyntheticRow): string {
  const e = row.execute!;
  const range = (s: Summary): string => `${s.median.toFixed(2)} ms (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
  return (
    `execute ${row.shape} ${row.size.toLocaleString('en-US')}, per asset: Sluice ${range(e.perAssetMs)}, DuckDB direct ${range(e.directPerAssetMs)}, ` +
    `overhead ${range(e.overheadPerAssetMs)}, Sluice / direct ${e.ratio.median.toFixed(2)}x (${e.ratio.min.toFixed(2)}–${e.ratio.max.toFixed(2)}x); ` +
    `${e.ratio.n} alternating repetitions, load average ${e.load.min.toFixed(1)}–${e.load.max.toFixed(1)}`
  );
}

function growthOf(rows: SyntheticRow[]): SyntheticGrowth[] {
  const growth: SyntheticGrowth[] = [];
  for (const shape of new Set(rows.map((r) => r.shape))) {
    const bySize = rows.filter((r) => r.shape === shape).sort((a, b) => a.size - b.size);
    for (let i = 1; i < bySize.length; i++) {
      const [from, to] = [bySize[i - 1]!, bySize[i]!];
      growth.push({
        shape,
        from: from.size,
        to: to.size,
        loadPlanPerAsset: to.loadPlanPerAssetMs.median / from.loadPlanPerAssetMs.median,
        schedulerPerAsset: to.schedulerPerAssetMs.median / from.schedulerPerAssetMs.median,
        executePerAsset: from.execute && to.execute ? to.execute.perAssetMs.median / from.execute.perAssetMs.median : null,
      });
    }
  }
  return growth;
}
