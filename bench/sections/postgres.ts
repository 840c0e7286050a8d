// Section: production mode. Store operations on SQLite beside PostgreSQL, the queue beside in-process runs, the flights demo.
import { runScenario } from '../lib/child.js';
import type { BenchOptions } from '../lib/options.js';
import { progress } from '../lib/progress.js';
import { pairedRatio, rate, summarize, type Summary } from '../lib/stats.js';
import { postgresFlightsLines, runPostgresFlights, type PostgresFlightsResult } from './postgres-flights.js';
import { postgresQueueLines, runPostgresQueue, type PostgresQueueResult } from './postgres-queue.js';

interface StoreRep {
  appendMs: number;
  recordMs: number;
  latestMs: number;
  runMs: number;
}

interface PostgresRun {
  storeOps: number;
  sqlite: StoreRep[];
  postgres: StoreRep[];
  peakRssMb: number;
}

export interface PostgresResult {
  storeOps: number;
  store: Record<'sqlite' | 'postgres', { eventsPerSecond: Summary; materializationsPerSecond: Summary; latestMs: Summary }>;
  /** PostgreSQL time / SQLite time for the same appends, per repetition. */
  appendRatio: Summary;
  recordRatio: Summary;
  peakRssMb: number;
  queue: PostgresQueueResult;
  flights: PostgresFlightsResult;
}

export async function runPostgres(options: BenchOptions): Promise<PostgresResult> {
  const { storeOps } = options.postgres;
  progress(`postgres: ${storeOps} store operations on SQLite and PostgreSQL`);
  const run = await runScenario<PostgresRun>('postgres', { reps: options.reps, storeOps }, { timeoutMs: 60 * 60_000 });
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
    store: { sqlite: store(run.sqlite), postgres: store(run.postgres) },
    appendRatio: pairedRatio(
      run.postgres.map((r) => r.appendMs),
      run.sqlite.map((r) => r.appendMs),
    ),
    recordRatio: pairedRatio(
      run.postgres.map((r) => r.recordMs),
      run.sqlite.map((r) => r.recordMs),
    ),
    peakRssMb: run.peakRssMb,
    queue: await runPostgresQueue(options),
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
    ...postgresQueueLines(r.queue),
    ...postgresFlightsLines(r.flights),
  ];
  return lines.join('\n');
}
