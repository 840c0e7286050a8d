// Section: the governed read path's cost. A query through the governed reader (parse, guard, rewrite, run capped)
// vs the same query on a raw warehouse session over silver.flights (target <= 1.1x), and the rewrite alone (< 5 ms);
// each for a query asked again (the reader keeps its parse and rendering) and for one it has not seen.
import { runScenario } from '../lib/child.js';
import { cell, ms, ratio, table } from '../lib/format.js';
import type { BenchOptions } from '../lib/options.js';
import { progress } from '../lib/progress.js';
import { pairedRatio, summarize, type Summary } from '../lib/stats.js';

export interface GovernedBenchResult {
  flights: number;
  rawMs: Summary;
  governedMs: Summary;
  /** governed / raw, paired per round. */
  governedRatio: Summary;
  rawFilteredMs: Summary;
  governedFilteredMs: Summary;
  governedFilteredRatio: Summary;
  /** The same query with a literal of its own each time: nothing kept from an earlier call. */
  rawUnseenMs: Summary;
  governedUnseenMs: Summary;
  governedUnseenRatio: Summary;
  /** `GovernedReader.plan` (parse, guard, rewrite, render) without running. */
  rewriteMs: Summary;
  rewriteFilteredMs: Summary;
  rewriteUnseenMs: Summary;
  peakRssMb: number;
}

export async function runGoverned(options: BenchOptions): Promise<GovernedBenchResult> {
  // A query takes ~10-20 ms and the rewrite ~0.2-2 ms: the ratio needs many rounds to rise above the noise.
  const rounds = Math.max(options.reps * 4, 12);
  const rows = options.quick ? 25_000 : null;
  progress(`governed query: ${rounds} rounds over ${rows ? rows.toLocaleString('en-US') : 'all'} flights`);
  const r = await runScenario<{ flights: number; samples: Record<string, number[]> }>('governed-query', { rounds, rows }, { timeoutMs: 15 * 60_000 });
  const s = r.samples;
  return {
    flights: r.flights,
    rawMs: summarize(s.raw!),
    governedMs: summarize(s.governed!),
    governedRatio: pairedRatio(s.governed!, s.raw!),
    rawFilteredMs: summarize(s.rawFiltered!),
    governedFilteredMs: summarize(s.governedFiltered!),
    governedFilteredRatio: pairedRatio(s.governedFiltered!, s.rawFiltered!),
    rawUnseenMs: summarize(s.rawUnseen!),
    governedUnseenMs: summarize(s.governedUnseen!),
    governedUnseenRatio: pairedRatio(s.governedUnseen!, s.rawUnseen!),
    rewriteMs: summarize(s.rewrite!),
    rewriteFilteredMs: summarize(s.rewriteFiltered!),
    rewriteUnseenMs: summarize(s.rewriteUnseen!),
    peakRssMb: r.peakRssMb,
  };
}

/** The headline line of the report. */
export function governedKeyFigure(r: GovernedBenchResult): string {
  return `Governed query over ${r.flights.toLocaleString('en-US')} flights: **${ratio(r.governedRatio.median)}** of a raw session (target <= 1.1x), ${ratio(r.governedUnseenRatio.median)} for a query not seen before, with a row filter ${ratio(r.governedFilteredRatio.median)} of the same filter written by hand; rewrite ${ms(r.rewriteMs.median)} median, ${ms(r.rewriteUnseenMs.median)} for a query not seen before (target < 5 ms)`;
}

/** The section of the report. */
export function governedSection(r: GovernedBenchResult): string {
  const rows = [
    [
      'GROUP BY origin, no policy applies (admin)',
      cell(r.rawMs),
      cell(r.governedMs),
      `${ratio(r.governedRatio.median)} (${ratio(r.governedRatio.min)}–${ratio(r.governedRatio.max)})`,
    ],
    [
      'same, analyst with a row filter vs the filter by hand',
      cell(r.rawFilteredMs),
      cell(r.governedFilteredMs),
      `${ratio(r.governedFilteredRatio.median)} (${ratio(r.governedFilteredRatio.min)}–${ratio(r.governedFilteredRatio.max)})`,
    ],
    [
      'GROUP BY origin not seen before (a literal of its own), admin',
      cell(r.rawUnseenMs),
      cell(r.governedUnseenMs),
      `${ratio(r.governedUnseenRatio.median)} (${ratio(r.governedUnseenRatio.min)}–${ratio(r.governedUnseenRatio.max)})`,
    ],
  ];
  return `## Governed query\nsilver.flights with ${r.flights.toLocaleString('en-US')} rows; raw = a warehouse session running the SQL as written; governed = \`GovernedReader.query\` (parse with json_serialize_sql, guard, rewrite each relation to its policy-applied subquery, json_deserialize_sql, run with a row cap and a timeout). The reader keeps the parse and the rendering of the SQL it has seen (pure functions of the text; who may read what is decided on every call), so a query asked again skips both round trips to DuckDB; the third row is a query it has not seen. Rounds interleaved, order alternating.\n\n${table(['query', 'raw', 'governed', 'governed / raw (paired)'], rows)}\n\nRewrite alone (\`plan\`, no execution): ${cell(r.rewriteMs)} without a policy, ${cell(r.rewriteFilteredMs)} with a row filter, ${cell(r.rewriteUnseenMs)} for a query not seen before.`;
}
