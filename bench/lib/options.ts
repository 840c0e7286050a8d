// Command-line options of `npm run bench` and the sizes each mode measures.
import { join } from 'node:path';
import { BENCH_DIR } from './paths.js';

export type SectionName = 'flights' | 'synthetic' | 'store' | 'events' | 'ui' | 'operations' | 'startup' | 'access' | 'governed' | 'postgres';
export const SECTIONS: readonly SectionName[] = ['flights', 'synthetic', 'store', 'events', 'ui', 'operations', 'startup', 'access', 'governed', 'postgres'];
export const DEFAULT_OUT_DIR = join(BENCH_DIR, 'results');

/** What one bench run measures. */
export interface BenchOptions {
  quick: boolean;
  sections: SectionName[];
  /** Repetitions of every timed figure. */
  reps: number;
  outDir: string;
  flightRows: number | undefined;
  synthetic: { sizes: number[]; shapes: string[]; executeSizes: number[]; executeShapes: string[]; maxExecuteMs: number };
  store: { assets: number; materializationsPerAsset: number; events: number; lineageSamples: number };
  /** Event replays to a real `sluice dev`: events per second, and how many seconds of events each replay sends. */
  events: { rates: number[]; seconds: number };
  /** Production mode: store operations per repetition, the queued DAG's size and the worker counts. */
  postgres: { storeOps: number; dagAssets: number; workers: number[] };
  /** Lineage graph sizes the UI's layout is timed on; both strategies up to `compareUpTo` assets. */
  ui: { sizes: number[]; compareUpTo: number };
}

const USAGE = `usage: npm run bench -- [--quick] [--only flights,synthetic,store,events,ui,operations,startup,access,governed] [--reps N] [--rates 500,1000] [--out DIR]`;

/**
 * Parses the bench's arguments. Quick mode is the CI smoke: 3 repetitions, a 25k-flight subset, small graphs.
 * @example parseBenchOptions(['--quick', '--only', 'store'])
 */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const only = value('--only')
    ?.split(',')
    .map((s) => s.trim());
  for (const name of only ?? []) if (!SECTIONS.includes(name as SectionName)) throw new Error(`unknown section "${name}"; ${USAGE}`);
  const reps = Number(value('--reps') ?? (quick ? 3 : 5));
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps must be a whole number >= 1; ${USAGE}`);
  const rates = (value('--rates') ?? '500,1000').split(',').map(Number);
  if (rates.some((r) => !(r > 0))) throw new Error(`--rates must be events per second above 0, comma-separated; ${USAGE}`);
  const shapes = ['chain', 'fan-out', 'random'];
  return {
    quick,
    sections: (only as SectionName[] | undefined) ?? [...SECTIONS],
    reps,
    outDir: value('--out') ?? DEFAULT_OUT_DIR,
    flightRows: quick ? 25_000 : undefined,
    synthetic: quick
      ? { sizes: [100], shapes, executeSizes: [100], executeShapes: ['random'], maxExecuteMs: 120_000 }
      : { sizes: [100, 1_000, 10_000], shapes, executeSizes: [100, 1_000, 10_000], executeShapes: shapes, maxExecuteMs: 120_000 },
    store: quick
      ? { assets: 1_000, materializationsPerAsset: 5, events: 1_000, lineageSamples: 50 }
      : { assets: 10_000, materializationsPerAsset: 10, events: 20_000, lineageSamples: 200 },
    events: { rates, seconds: quick ? 3 : 20 },
    postgres: quick ? { storeOps: 200, dagAssets: 50, workers: [1, 2] } : { storeOps: 2_000, dagAssets: 1_000, workers: [1, 2, 4] },
    ui: quick ? { sizes: [100, 1_000], compareUpTo: 100 } : { sizes: [100, 1_000, 10_000], compareUpTo: 1_000 },
  };
}
