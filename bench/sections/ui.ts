// Section 5: the web UI's lineage graph layout (ELK), the step that decides how long a large graph takes to appear.
import { runScenario } from '../lib/child.js';
import type { BenchOptions } from '../lib/options.js';
import { progress } from '../lib/progress.js';
import { perItem, summarize, type Summary } from '../lib/stats.js';
import type { UiLayoutRow } from '../scenarios/ui-layout.js';

export interface UiLayoutResultRow {
  size: number;
  edges: number;
  groups: number;
  strategy: 'compound' | 'two-level';
  /** The strategy the UI picks at this size (the others are shown for comparison). */
  chosen: boolean;
  layoutMs: Summary;
  perAssetMs: Summary;
}

export interface UiResult {
  rows: UiLayoutResultRow[];
  peakRssMb: number;
  notes: string[];
}

export async function runUi(options: BenchOptions): Promise<UiResult> {
  const { sizes, compareUpTo } = options.ui;
  progress(`ui: lineage layout of ${sizes.join(', ')} assets, ${options.reps} reps`);
  const run = await runScenario<{ rows: UiLayoutRow[] }>('ui-layout', { sizes, reps: options.reps, compareUpTo }, { timeoutMs: 30 * 60_000 });
  return {
    rows: run.rows.map((r) => {
      const layoutMs = summarize(r.layoutMs);
      return { size: r.size, edges: r.edges, groups: r.groups, strategy: r.strategy, chosen: r.chosen, layoutMs, perAssetMs: perItem(layoutMs, r.size) };
    }),
    peakRssMb: run.peakRssMb,
    notes: [
      "ui/src/graph/layout.ts's computeLayout, the code the browser runs in a Web Worker, here in Node on ui/bench/synthetic-lineage.ts's graphs (bronze/silver/gold, ~25 assets per group); after one warm-up layout, as a worker pays ELK's warm-up once",
      'compound: one ELK run over the whole hierarchy (the UI uses it up to 150 assets); two-level: each group laid out alone, then the groups placed in columns (above 150)',
      'one thread here; the browser spreads a large graph\'s groups over a pool of workers, so on more cores it can take less than this',
      "this is the layout only: drawing the boxes is the browser's (React Flow, and a canvas overview when zoomed out), and a layout is cached per graph in the browser, so it is paid when the graph's structure changes",
    ],
  };
}
