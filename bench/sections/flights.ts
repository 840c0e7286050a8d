// Section 1: the flights example end to end: Sluice vs the same SQL in one DuckDB connection vs pandas, in alternation.
import { join } from 'node:path';
import { runChild, runScenario } from '../lib/child.js';
import { flightsCsv, flightsSources, type FlightsSources } from '../lib/flights-data.js';
import { directStatements, type DirectStatement } from '../lib/flights-project.js';
import type { BenchOptions } from '../lib/options.js';
import { BENCH_DIR, FLIGHTS_DIR } from '../lib/paths.js';
import { progress } from '../lib/progress.js';
import { findPandasPython } from '../lib/python.js';
import { pairedRatio, summarize, type Summary } from '../lib/stats.js';

export type FlightsVariant = 'sluice' | 'direct' | 'directProfile' | 'pandas';

export const VARIANT_LABELS: Record<FlightsVariant, string> = {
  sluice: 'Sluice: open + materialize all + close',
  direct: 'DuckDB direct: same SQL, one connection (engine floor)',
  directProfile: "DuckDB direct + Sluice's profile scan per table",
  pandas: 'pandas: same transforms (CSV in, pickle out)',
};

interface FlightsRun {
  openMs: number;
  materializeMs: number;
  closeMs: number;
  totalMs: number;
  steps: Record<string, number>;
  rowCounts?: Record<string, number>;
  peakRssMb: number;
  readMs?: number;
  transformMs?: number;
  writeMs?: number;
}

export interface FlightsVariantResult {
  label: string;
  totalMs: Summary;
  materializeMs: Summary;
  openMs: Summary;
  closeMs: Summary;
  /** Per asset: Sluice's step duration, the statement's time, or pandas' time for that table. */
  steps: Record<string, Summary>;
  peakRssMb: number;
  pandas?: { readMs: Summary; transformMs: Summary; writeMs: Summary };
  rowCounts?: Record<string, number>;
}

export interface FlightsRatio {
  name: string;
  /** Ratio of the two medians. */
  ofMedians: number;
  /** Median and range of the per-repetition ratios (each pair measured back to back). */
  paired: Summary;
}

export interface FlightsResult {
  flightRows: number;
  subset: boolean;
  pandasInput: string | null;
  variants: Partial<Record<FlightsVariant, FlightsVariantResult>>;
  ratios: FlightsRatio[];
  rowCheck: { ok: boolean; mismatches: string[] };
  notes: string[];
}

/** Runs every variant `reps` times, rotating their order each repetition so none always goes first. */
export async function runFlights(options: BenchOptions): Promise<FlightsResult> {
  const notes: string[] = [];
  const sources = await flightsSources(options.flightRows);
  if (!sources.original)
    notes.push(
      `quick mode: the first ${sources.flightRows.toLocaleString('en-US')} flights only; the example's bronze/flights ingests that subset (SLUICE_FLIGHTS_PARQUET)`,
    );
  const { statements, checks } = await directStatements(sources);
  if (checks > 0)
    notes.push(`Sluice also runs the example's ${checks} data checks (blocking ones on the staged tables, before publishing); the baselines run none`);
  const python = findPandasPython();
  let csv: string | null = null;
  if ('skipped' in python) notes.push(`pandas skipped: ${python.skipped}`);
  else {
    csv = await flightsCsv(sources);
    notes.push(
      `pandas ${python.version}: no Parquet reader in Debian's pandas (no pyarrow/fastparquet), so it reads a CSV export of the same flights (written once by DuckDB, untimed); Sluice and DuckDB read the Parquet file`,
    );
  }
  const variants: FlightsVariant[] = ['sluice', 'direct', ...(options.quick ? [] : (['directProfile'] as const)), ...(csv ? (['pandas'] as const) : [])];
  if (options.quick) notes.push("quick mode: the 'DuckDB direct + profile' diagnostic is left out");
  const runs = new Map<FlightsVariant, FlightsRun[]>(variants.map((v) => [v, []]));
  for (let rep = 0; rep < options.reps; rep++) {
    const order = variants.map((_, i) => variants[(i + rep) % variants.length]!);
    for (const variant of order) {
      progress(`flights rep ${rep + 1}/${options.reps}: ${variant}`);
      runs.get(variant)!.push(await runVariant(variant, { sources, statements, csv, python: 'command' in python ? python.command : '', verify: rep === 0 }));
    }
  }
  const result: FlightsResult = {
    flightRows: sources.flightRows,
    subset: !sources.original,
    pandasInput: csv,
    variants: {},
    ratios: [],
    rowCheck: { ok: true, mismatches: [] },
    notes,
  };
  for (const [variant, list] of runs) result.variants[variant] = summarizeVariant(variant, list);
  const total = (v: FlightsVariant): number[] => runs.get(v)?.map((r) => r.totalMs) ?? [];
  const ratio = (name: string, a: FlightsVariant, b: FlightsVariant): void => {
    if (!runs.has(a) || !runs.has(b)) return;
    result.ratios.push({ name, ofMedians: summarize(total(a)).median / summarize(total(b)).median, paired: pairedRatio(total(a), total(b)) });
  };
  ratio('Sluice / DuckDB direct (orchestration overhead)', 'sluice', 'direct');
  ratio('Sluice / (DuckDB direct + profile scans)', 'sluice', 'directProfile');
  ratio('(DuckDB direct + profile scans) / DuckDB direct (cost of the metadata scans)', 'directProfile', 'direct');
  ratio('pandas / Sluice (how many times faster Sluice is)', 'pandas', 'sluice');
  result.rowCheck = checkRowCounts(result.variants);
  return result;
}

interface VariantInput {
  sources: FlightsSources;
  statements: DirectStatement[];
  csv: string | null;
  python: string;
  verify: boolean;
}

function runVariant(variant: FlightsVariant, input: VariantInput): Promise<FlightsRun> {
  const timeoutMs = 15 * 60_000;
  switch (variant) {
    case 'sluice':
      return runScenario<FlightsRun>('flights-sluice', { sources: input.sources, verify: input.verify }, { timeoutMs });
    case 'pandas': {
      const args = { flightsCsv: input.csv, airportsCsv: input.sources.airportsCsv, regionsCsv: join(FLIGHTS_DIR, 'seeds', 'state_regions.csv') };
      return runChild<FlightsRun>('pandas', input.python, [join(BENCH_DIR, 'flights_pandas.py'), JSON.stringify(args)], { timeoutMs });
    }
    default:
      return runScenario<FlightsRun>(
        'flights-direct',
        { statements: input.statements, fileSearchPath: FLIGHTS_DIR, profile: variant === 'directProfile', verify: input.verify },
        { timeoutMs },
      );
  }
}

function summarizeVariant(variant: FlightsVariant, runs: FlightsRun[]): FlightsVariantResult {
  const of = (pick: (r: FlightsRun) => number): Summary => summarize(runs.map(pick));
  const keys = Object.keys(runs[0]?.steps ?? {});
  const result: FlightsVariantResult = {
    label: VARIANT_LABELS[variant],
    totalMs: of((r) => r.totalMs),
    materializeMs: of((r) => r.materializeMs),
    // pandas has no warehouse to open or close.
    openMs: variant === 'pandas' ? summarize([]) : of((r) => r.openMs),
    closeMs: variant === 'pandas' ? summarize([]) : of((r) => r.closeMs),
    steps: Object.fromEntries(keys.map((k) => [k, of((r) => r.steps[k] ?? Number.NaN)])),
    peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
  };
  if (variant === 'pandas')
    result.pandas = { readMs: of((r) => r.readMs ?? 0), transformMs: of((r) => r.transformMs ?? 0), writeMs: of((r) => r.writeMs ?? 0) };
  const counted = runs.find((r) => r.rowCounts);
  if (counted?.rowCounts) result.rowCounts = counted.rowCounts;
  return result;
}

/** Every variant must have built the same number of rows per asset as Sluice (pandas builds no views but the first). */
function checkRowCounts(variants: FlightsResult['variants']): FlightsResult['rowCheck'] {
  const reference = variants.sluice?.rowCounts;
  if (!reference) return { ok: false, mismatches: ['no Sluice row counts to compare with'] };
  const mismatches: string[] = [];
  for (const [variant, result] of Object.entries(variants)) {
    for (const [key, rows] of Object.entries(result.rowCounts ?? {})) {
      if (reference[key] !== rows) mismatches.push(`${variant} ${key}: ${rows} rows, Sluice ${reference[key] ?? 'none'}`);
    }
  }
  return { ok: mismatches.length === 0, mismatches };
}
