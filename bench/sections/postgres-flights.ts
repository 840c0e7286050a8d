// Part of the production-mode section: the flights demo built on DuckDB and on PostgreSQL, alternating, in one run.
import { flightsSources } from '../lib/flights-data.js';
import { runScenario } from '../lib/child.js';
import type { BenchOptions } from '../lib/options.js';
import { progress } from '../lib/progress.js';
import { pairedRatio, summarize, type Summary } from '../lib/stats.js';

type Engine = 'duckdb' | 'postgres';

interface FlightsRun {
  flightRows: number;
  duckdb: { totalMs: number; steps: Record<string, number> }[];
  postgres: { totalMs: number; steps: Record<string, number> }[];
}

export interface PostgresFlightsResult {
  flightRows: number;
  totalMs: Record<Engine, Summary>;
  /** PostgreSQL time / DuckDB time, per repetition. */
  ratio: Summary;
  /** Median step durations (build, checks, publish) per asset on each engine. */
  steps: { key: string; duckdbMs: number; postgresMs: number }[];
}

/** A full-size PostgreSQL build takes minutes (its relationship checks most of them), so two pairs at most. */
const MAX_REPS = 2;

/** Open, materialize every asset with its checks, close: once per engine per repetition, the order alternating. */
export async function runPostgresFlights(options: BenchOptions): Promise<PostgresFlightsResult> {
  const sources = await flightsSources(options.flightRows);
  const reps = Math.min(options.reps, MAX_REPS);
  progress(`postgres: the flights demo (${sources.flightRows.toLocaleString('en-US')} flights) on DuckDB and PostgreSQL, ${reps} reps alternating`);
  const run = await runScenario<FlightsRun>('postgres-flights', { sources, reps }, { timeoutMs: 120 * 60_000 });
  const median = (engine: Engine, key: string): number => summarize(run[engine].map((r) => r.steps[key] ?? 0)).median;
  return {
    flightRows: run.flightRows,
    totalMs: { duckdb: summarize(run.duckdb.map((r) => r.totalMs)), postgres: summarize(run.postgres.map((r) => r.totalMs)) },
    ratio: pairedRatio(
      run.postgres.map((r) => r.totalMs),
      run.duckdb.map((r) => r.totalMs),
    ),
    steps: Object.keys(run.duckdb[0]?.steps ?? {}).map((key) => ({ key, duckdbMs: median('duckdb', key), postgresMs: median('postgres', key) })),
  };
}

const seconds = (ms: number): string => (Number.isFinite(ms) ? (ms / 1000).toFixed(1) : 'n/a');

/** The comparison's Markdown lines. */
export function postgresFlightsLines(r: PostgresFlightsResult): string[] {
  return [
    `The flights demo (${r.flightRows.toLocaleString('en-US')} flights, every asset and check) built on DuckDB and on PostgreSQL in alternation (medians of ${r.ratio.n}):`,
    '',
    '| asset (build + checks + publish) | DuckDB | PostgreSQL |',
    '|---|---|---|',
    ...r.steps.map((s) => `| ${s.key} | ${seconds(s.duckdbMs)} s | ${seconds(s.postgresMs)} s |`),
    `| **open + materialize + close** | **${seconds(r.totalMs.duckdb.median)} s** | **${seconds(r.totalMs.postgres.median)} s** (${r.ratio.median.toFixed(1)}x) |`,
    '',
    'On PostgreSQL the bronze assets are read by DuckDB in process and loaded with COPY; silver and gold run as SQL in PostgreSQL.',
    '',
  ];
}
