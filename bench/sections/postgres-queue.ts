// Part of the production-mode section: the queue executor (graphile-worker, `sluice worker` processes) beside the
// in-process executor on the same PostgreSQL warehouse, paired run by run.
import { runScenario } from '../lib/child.js';
import type { BenchOptions } from '../lib/options.js';
import { progress } from '../lib/progress.js';
import { pairedRatio, summarize, type Summary } from '../lib/stats.js';
import type { QueueRow, StepTimes } from '../scenarios/postgres-queue.js';

/** Steps each worker process runs at once. */
const SLOTS_PER_WORKER = 2;
/** Paired repetitions per worker count (each is two runs of the whole DAG). */
const MAX_REPS = 3;

interface QueueRun {
  dagAssets: number;
  rows: QueueRow[];
  deathToRerunMs: number[];
  peakRssMb: number;
}

export interface PostgresQueueResult {
  dagAssets: number;
  reps: number;
  rows: {
    workers: number;
    slots: number;
    inProcessWallMs: Summary;
    queueWallMs: Summary;
    /** Queue wall time / in-process wall time, per pair. */
    wallRatio: Summary;
    /** Per pair: median time per step outside its build, in process and through the queue, and their difference. */
    outsideBuildInProcessMs: Summary;
    outsideBuildQueueMs: Summary;
    addedByQueueMs: Summary;
    outsideBuildQueueP99Ms: number;
    toBuildInProcessP50Ms: number;
    toBuildQueueP50Ms: number;
    toBuildQueueP99Ms: number;
  }[];
  deathToRerunMs: Summary;
  peakRssMb: number;
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
};
const all = (times: StepTimes[], field: keyof StepTimes): number[] => times.flatMap((t) => t[field]);

export async function runPostgresQueue(options: BenchOptions): Promise<PostgresQueueResult> {
  const { dagAssets, workers } = options.postgres;
  const reps = Math.min(options.reps, MAX_REPS);
  progress(`postgres: a ${dagAssets}-asset DAG on ${workers.join('/')} worker processes, each run paired with an in-process run (${reps} pairs each)`);
  const run = await runScenario<QueueRun>('postgres-queue', { reps, dagAssets, workers, slotsPerWorker: SLOTS_PER_WORKER }, { timeoutMs: 90 * 60_000 });
  return {
    dagAssets: run.dagAssets,
    reps,
    rows: run.rows.map((row) => {
      const inProcess = row.inProcess.map((t) => percentile(t.outsideBuild, 0.5));
      const queue = row.queue.map((t) => percentile(t.outsideBuild, 0.5));
      return {
        workers: row.workers,
        slots: row.slots,
        inProcessWallMs: summarize(row.inProcessWallMs),
        queueWallMs: summarize(row.queueWallMs),
        wallRatio: pairedRatio(row.queueWallMs, row.inProcessWallMs),
        outsideBuildInProcessMs: summarize(inProcess),
        outsideBuildQueueMs: summarize(queue),
        addedByQueueMs: summarize(queue.map((q, i) => q - inProcess[i]!)),
        outsideBuildQueueP99Ms: percentile(all(row.queue, 'outsideBuild'), 0.99),
        toBuildInProcessP50Ms: percentile(all(row.inProcess, 'toBuild'), 0.5),
        toBuildQueueP50Ms: percentile(all(row.queue, 'toBuild'), 0.5),
        toBuildQueueP99Ms: percentile(all(row.queue, 'toBuild'), 0.99),
      };
    }),
    deathToRerunMs: summarize(run.deathToRerunMs),
    peakRssMb: run.peakRssMb,
  };
}

const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a';

/** The queue's lines of the production-mode section. */
export function postgresQueueLines(r: PostgresQueueResult): string[] {
  const one = r.rows[0];
  return [
    `A ${fmt(r.dagAssets)}-asset DAG (one-row SQL assets, about log2(n) levels) on a PostgreSQL warehouse, through the queue on ${r.rows.map((q) => q.workers).join(', ')} \`sluice worker\` processes (${SLOTS_PER_WORKER} steps each), each run paired with an in-process run with as many steps in flight (medians of ${r.reps} pairs):`,
    '',
    '| workers | steps in flight | in process | queue | queue / in process | queue speed-up vs 1 worker | per step outside its build: in process / queue / added by the queue | queue p99 | submit to build start p50: in process / queue (queue p99) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...r.rows.map(
      (q) =>
        `| ${q.workers} | ${q.slots} | ${fmt(q.inProcessWallMs.median)} ms | ${fmt(q.queueWallMs.median)} ms | ${fmt(q.wallRatio.median, 2)}x | ${fmt(one ? one.queueWallMs.median / q.queueWallMs.median : Number.NaN, 2)}x | ${fmt(q.outsideBuildInProcessMs.median, 1)} / ${fmt(q.outsideBuildQueueMs.median, 1)} / **${fmt(q.addedByQueueMs.median, 1)} ms** | ${fmt(q.outsideBuildQueueP99Ms, 1)} ms | ${fmt(q.toBuildInProcessP50Ms, 1)} / ${fmt(q.toBuildQueueP50Ms, 1)} ms (${fmt(q.toBuildQueueP99Ms, 1)} ms) |`,
    ),
    '',
    "Per step outside its build: the submitter's started-to-succeeded time minus the build as the executing process timed it (events, locks, records; through the queue also enqueue, pick-up and the outcome's way back); added by the queue: that median through the queue minus in process, per pair. Submit to build start: from the step's started event to its build beginning. All on the database clock. Every process shares the machine's cores, so more workers add slots, not CPUs.",
    '',
    `A worker killed with -9 mid-step: its step started again on another worker after ${fmt(r.deathToRerunMs.median)} ms (median of ${r.deathToRerunMs.n}; noticed after two missed heartbeats of 1 s once its connection has ended, and the waiting run looks once a second).`,
    '',
  ];
}
