// Section: the operations pages (issue 16) in Chromium against a real `sluice dev` of the flights demo: the partition
// grid's first render at 10,000 partitions beside 100, the column lineage view (one column and the whole demo), and a
// run's end (its run-status event in the page) to the grid showing the new partition (target < 500 ms).
import { runScenario } from '../lib/child.js';
import { cell, ms, ratio, table } from '../lib/format.js';
import type { BenchOptions } from '../lib/options.js';
import { progress } from '../lib/progress.js';
import { pairedRatio, summarize, type Summary } from '../lib/stats.js';
import type { OperationsUiResult } from '../scenarios/operations-ui.js';

export interface OperationsBenchResult {
  partitions: number;
  gridMs: Summary;
  grid100Ms: Summary;
  /** 10,000 partitions / 100 partitions, paired per repetition. */
  gridRatio: Summary;
  columnViewMs: Summary;
  wholeColumnGraphMs: Summary;
  wholeColumnGraphNodes: number;
  runEventToGridMs: Summary;
  peakRssMb: number;
}

export async function runOperations(options: BenchOptions): Promise<OperationsBenchResult> {
  const reps = Math.max(options.reps, 3);
  progress(`operations UI: ${reps} repetitions in Chromium`);
  const r = await runScenario<OperationsUiResult>('operations-ui', { reps }, { timeoutMs: 15 * 60_000 });
  return {
    partitions: r.partitions,
    gridMs: summarize(r.gridFirstRenderMs),
    grid100Ms: summarize(r.grid100FirstRenderMs),
    gridRatio: pairedRatio(r.gridFirstRenderMs, r.grid100FirstRenderMs),
    columnViewMs: summarize(r.columnViewMs),
    wholeColumnGraphMs: summarize(r.wholeColumnGraphMs),
    wholeColumnGraphNodes: r.wholeColumnGraphNodes,
    runEventToGridMs: summarize(r.runEventToGridMs),
    peakRssMb: r.peakRssMb,
  };
}

/** The headline line of the report. */
export function operationsKeyFigure(r: OperationsBenchResult): string {
  return `Operations UI: partition grid at ${r.partitions.toLocaleString('en-US')} partitions drawn in ${ms(r.gridMs.median)} (${ratio(r.gridRatio.median)} of 100 partitions); run event to grid **${ms(r.runEventToGridMs.median)}** median (target < 500 ms)`;
}

/** The section of the report. */
export function operationsSection(r: OperationsBenchResult): string {
  const rows = [
    [`partition grid first render, ${r.partitions.toLocaleString('en-US')} partitions`, cell(r.gridMs)],
    ['the same page, 100 partitions (alternating)', cell(r.grid100Ms)],
    [`${r.partitions.toLocaleString('en-US')} / 100 partitions (paired)`, `${ratio(r.gridRatio.median)} (${ratio(r.gridRatio.min)}–${ratio(r.gridRatio.max)})`],
    ['column lineage view, gold/region_monthly_summary.avg_delay_min', cell(r.columnViewMs)],
    [`whole demo column graph (${r.wholeColumnGraphNodes} columns)`, cell(r.wholeColumnGraphMs)],
    ['run-status event in the page to the grid showing the partition (target < 500 ms)', cell(r.runEventToGridMs)],
  ];
  return `## Operations UI\nDebian's Chromium against a real \`sluice dev\` of the flights demo plus assets with ${r.partitions.toLocaleString('en-US')} and 100 daily partitions; each render is navigation start to the view drawn, in a fresh page.\n\n${table(['measure', 'time'], rows)}`;
}
