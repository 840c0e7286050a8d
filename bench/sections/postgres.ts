// Section: production mode. Store operations on SQLite beside PostgreSQL, a DAG on 1/2/4 queue workers, worker death.
import { runScenario } from '../lib/child.js';
import type { BenchOptions } from '../lib/options.js';
import { progress } from '../lib/progress.js';
import { pairedRatio, rate, summarize, type Summary } from '../lib/stats.js';
import { postgresFlightsLines, runPostgresFlights, type PostgresFlightsResult } from './postgres-flights.js';

interface StoreRep {
  appendMs: number;
  recordMs: number;
  latestMs: number;
  runMs: number;
}

interface QueueRow {
  workers: number;
  wallMs: number[];
  overheadMedianMs: number;
  overheadP99Ms: number;
  startP50Ms: number;
  startP99Ms: number;
}

interface PostgresRun {
  storeOps: number;
  dagAssets: number;
  sqlite: StoreRep[];
  postgres: StoreRep[];
  inProcessMs: number[];
  queued: QueueRow[];
  deathToRerunMs: number[];
  peakRssMb: number;
}

export interface PostgresResult {
  storeOps: number;
  dagAssets: number;
  store: Record<'sqlite' | 'postgres', { eventsPerSecond: Summary; materializationsPerSecond: Summary; latestMs: Summary }>;
  /** PostgreSQL time / SQLite time for the same appends, per repetition. */
  appendRatio: Summary;
  recordRatio: Summary;
  inProcessMs: Summary;
  queued: { workers: number; wallMs: Summary; overheadMedianMs: number; overheadP99Ms: number; startP50Ms: number; startP99Ms: number }[];
  deathToRerunMs: Summary;
  peakRssMb: number;
  flights: PostgresFlightsResult;
}

export async function runPostgres(options: BenchOptions): Promise<PostgresResult> {
  const { storeOps, dagAssets, workers } = options.postgres;
  progress(`postgres: ${storeOps} store operations on SQLite and PostgreSQL; a ${dagAssets}-asset DAG in-process and on ${workers.join('/')} queue workers`);
  const run = await runScenario<PostgresRun>('postgres', { reps: options.reps, storeOps, dagAssets, workers }, { timeoutMs: 60 * 60_000 });
  const store = (reps: StoreRep[]) => ({
    eventsPerSecond: rate(
      reps.map((r) => r.appendMs),
      run.storeOps,
    ),
    materializationsPerSecond: rate(
      reps.map((r) => r.recordMs),
      run.storeOps,
    ),
    latestMs: summarize(reps.map((r) => r.latestMs)),
  });
  return {
    storeOps: run.storeOps,
    dagAssets: run.dagAssets,
    store: { sqlite: store(run.sqlite), postgres: store(run.postgres) },
    appendRatio: pairedRatio(
      run.postgres.map((r) => r.appendMs),
      run.sqlite.map((r) => r.appendMs),
    ),
    recordRatio: pairedRatio(
      run.postgres.map((r) => r.recordMs),
      run.sqlite.map((r) => r.recordMs),
    ),
    inProcessMs: summarize(run.inProcessMs),
    queued: run.queued.map((q) => ({
      workers: q.workers,
      wallMs: summarize(q.wallMs),
      overheadMedianMs: q.overheadMedianMs,
      overheadP99Ms: q.overheadP99Ms,
      startP50Ms: q.startP50Ms,
      startP99Ms: q.startP99Ms,
    })),
    deathToRerunMs: summarize(run.deathToRerunMs),
    peakRssMb: run.peakRssMb,
    flights: await runPostgresFlights(options),
  };
}

const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a';

/** The section's Markdown for results/latest.md. */
export function postgresSection(r: PostgresResult): string {
  const s = r.store;
  const lines = [
    '## Production mode (PostgreSQL, queue workers)',
    `Store operations, one commit each, ${fmt(r.storeOps)} per repetition, SQLite and PostgreSQL alternating in one run (medians):`,
    '',
    '| operation | SQLite | PostgreSQL | PostgreSQL / SQLite time |',
    '|---|---|---|---|',
    `| append an event | ${fmt(s.sqlite.eventsPerSecond.median)}/s | ${fmt(s.postgres.eventsPerSecond.median)}/s | ${fmt(r.appendRatio.median, 1)}x |`,
    `| record a materialization | ${fmt(s.sqlite.materializationsPerSecond.median)}/s | ${fmt(s.postgres.materializationsPerSecond.median)}/s | ${fmt(r.recordRatio.median, 1)}x |`,
    `| latest materializations (100 assets) | ${fmt(s.sqlite.latestMs.median, 1)} ms | ${fmt(s.postgres.latestMs.median, 1)} ms | |`,
    '',
    `A ${fmt(r.dagAssets)}-asset DAG (one-row SQL assets, 8 steps in flight) on a PostgreSQL warehouse: in one process ${fmt(r.inProcessMs.median)} ms; through the queue:`,
    '',
    '| workers (2 steps each) | run wall time | speed-up vs 1 worker | per-step overhead p50 / p99 | enqueue-to-start p50 / p99 |',
    '|---|---|---|---|---|',
    ...r.queued.map(
      (q) =>
        `| ${q.workers} | ${fmt(q.wallMs.median)} ms | ${fmt(r.queued[0]!.wallMs.median / q.wallMs.median, 2)}x | ${fmt(q.overheadMedianMs, 1)} / ${fmt(q.overheadP99Ms, 1)} ms | ${fmt(q.startP50Ms, 1)} / ${fmt(q.startP99Ms, 1)} ms |`,
    ),
    '',
    `Per-step overhead: the submitter's started-to-succeeded time minus the build the worker timed. A worker killed with -9 mid-step: its step started again on another worker after ${fmt(r.deathToRerunMs.median)} ms (median; the default SLUICE_QUEUE_STALE_MS is 5,000).`,
    '',
    ...postgresFlightsLines(r.flights),
  ];
  return lines.join('\n');
}
