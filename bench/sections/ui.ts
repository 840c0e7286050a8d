// Section 5: the web UI's lineage graph: what a user sees in Chromium (first render, expanding a group, search, status
// updates, at 1,000 and 10,000 assets, with `sluice list`, the asset API and `sluice dev` start-up beside), and the
// layout code alone in Node (ELK and the group arrangement, as the browser's worker runs them).
import { existsSync } from 'node:fs';
import { runScenario } from '../lib/child.js';
import { cell, ms, num, table } from '../lib/format.js';
import type { BenchOptions } from '../lib/options.js';
import { progress } from '../lib/progress.js';
import { perItem, summarize, type Summary } from '../lib/stats.js';
import type { UiBrowserRow } from '../scenarios/ui-browser.js';
import { CHROMIUM } from '../scenarios/ui-project.js';
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

/** One project measured in Chromium. */
export interface UiBrowserResultRow {
  size: number;
  groups: number;
  expandedAssets: number;
  devReadyMs: Summary;
  firstRenderMs: Summary;
  secondVisitMs: Summary;
  expandMs: Summary;
  searchMs: Summary;
  statusToPaintMs: Summary;
  runToPaintMs: Summary;
  allExpandedMs: Summary;
  listMs: Summary;
  apiAssetsMs: Summary;
  apiLineageMs: Summary;
}

export interface UiResult {
  rows: UiLayoutResultRow[];
  /** Null when Chromium is not installed (the reason is in the notes). */
  browser: UiBrowserResultRow[] | null;
  peakRssMb: number;
  notes: string[];
}

/** Projects measured in the browser: the shape the issue measured (groups of 500 at 10,000 assets). */
function browserProjects(options: BenchOptions): { size: number; groups: number }[] {
  return options.quick
    ? [{ size: 1_000, groups: 10 }]
    : [
        { size: 1_000, groups: 10 },
        { size: 10_000, groups: 20 },
      ];
}

async function runBrowser(options: BenchOptions): Promise<UiBrowserResultRow[] | null> {
  if (!existsSync(CHROMIUM)) return null;
  const projects = browserProjects(options);
  // Each repetition opens the page twice and launches a run: one in quick mode keeps the smoke test short.
  const reps = options.quick ? 1 : options.reps;
  progress(`ui: the lineage page in Chromium at ${projects.map((p) => num(p.size)).join(', ')} assets, ${reps} reps`);
  const run = await runScenario<{ rows: UiBrowserRow[] }>('ui-browser', { projects, reps }, { timeoutMs: 60 * 60_000 });
  return run.rows.map((r) => ({
    size: r.size,
    groups: r.groups,
    expandedAssets: r.expandedAssets,
    devReadyMs: summarize([r.devReadyMs]),
    firstRenderMs: summarize(r.firstRenderMs),
    secondVisitMs: summarize(r.secondVisitMs),
    expandMs: summarize(r.expandMs),
    searchMs: summarize(r.searchMs),
    statusToPaintMs: summarize(r.statusToPaintMs),
    runToPaintMs: summarize(r.runToPaintMs),
    allExpandedMs: summarize(r.allExpandedMs),
    listMs: summarize(r.listMs),
    apiAssetsMs: summarize(r.apiAssetsMs),
    apiLineageMs: summarize(r.apiLineageMs),
  }));
}

export async function runUi(options: BenchOptions): Promise<UiResult> {
  const { sizes, compareUpTo } = options.ui;
  const browser = await runBrowser(options);
  progress(`ui: lineage layout of ${sizes.join(', ')} assets, ${options.reps} reps`);
  const run = await runScenario<{ rows: UiLayoutRow[] }>('ui-layout', { sizes, reps: options.reps, compareUpTo }, { timeoutMs: 30 * 60_000 });
  return {
    rows: run.rows.map((r) => {
      const layoutMs = summarize(r.layoutMs);
      return { size: r.size, edges: r.edges, groups: r.groups, strategy: r.strategy, chosen: r.chosen, layoutMs, perAssetMs: perItem(layoutMs, r.size) };
    }),
    browser,
    peakRssMb: run.peakRssMb,
    notes: [
      ...(browser ? [] : [`the browser figures are missing: ${CHROMIUM} is not installed (apt-get install -y chromium)`]),
      'Chromium (Debian, headless, 1400x900) against a real `sluice dev` of generated projects: views in equal groups, each reading 0-3 earlier assets (mostly nearby); above 500 assets the page opens at the group level',
      "first render: navigation to the graph drawn, in a fresh browser context; second visit: a new tab of that context; expand: a click on the middle group's card to its assets drawn; search: picking an asset of the last (collapsed) group to it selected and centred (the view animates for 400 ms)",
      "status to repaint: the lineage response's last byte in the page to the frame after the graph changed; run to repaint: launching a one-asset run to that frame (the run, the 1 s refresh coalescing and the fetch included)",
      'every group expanded: a fresh visit to a URL naming every group, i.e. the whole graph laid out (ELK for groups of up to 50 assets, our layered arrangement above)',
      '`sluice list`: the whole command with no `sluice dev` running; the API figures: GET from the running `sluice dev`',
      "layout alone: ui/src/graph/layout.ts's computeLayout in Node on ui/bench/synthetic-lineage.ts's graphs (bronze/silver/gold, ~25 assets per group, i.e. the whole graph expanded), after one warm-up layout, as a worker pays ELK's warm-up once",
      'compound: one ELK run over the whole hierarchy (the UI uses it up to 150 assets); two-level: each group laid out alone, then the groups placed in columns',
    ],
  };
}

/** The section of the Markdown report. */
export function uiSection(u: UiResult): string {
  const browser = u.browser
    ? table(
        [
          'assets',
          'groups',
          'first render',
          'second visit',
          `expand a group`,
          'search to centred',
          'status to repaint',
          'run to repaint',
          'every group expanded',
          '`sluice list`',
          'GET /api/assets',
          'GET /api/lineage',
          '`sluice dev` ready',
        ],
        u.browser.map((r) => [
          num(r.size),
          num(r.groups),
          cell(r.firstRenderMs),
          cell(r.secondVisitMs),
          r.expandMs.n > 0 ? `${cell(r.expandMs)} (${num(r.expandedAssets)} assets)` : '-',
          cell(r.searchMs),
          cell(r.statusToPaintMs),
          cell(r.runToPaintMs),
          cell(r.allExpandedMs),
          cell(r.listMs),
          cell(r.apiAssetsMs),
          cell(r.apiLineageMs),
          ms(r.devReadyMs.median),
        ]),
      )
    : '';
  return [
    '## 5. Web UI: the lineage graph',
    browser ? '### In Chromium' : '',
    browser,
    '### Layout alone (Node)',
    table(
      ['assets', 'edges', 'groups', 'strategy', 'layout', 'per asset'],
      u.rows.map((r) => [
        num(r.size),
        num(r.edges),
        num(r.groups),
        `${r.strategy}${r.chosen ? " (the UI's choice)" : ''}`,
        cell(r.layoutMs),
        cell(r.perAssetMs),
      ]),
    ),
    u.notes.map((n) => `- ${n}`).join('\n'),
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** The key figure of the section. */
export function uiKeyFigure(u: UiResult): string | null {
  const largest = u.browser?.at(-1);
  if (!largest) {
    const chosen = u.rows.filter((r) => r.chosen);
    return chosen.length > 0
      ? `UI lineage layout (Node): ${chosen.map((r) => `${ms(r.layoutMs.median)} at ${num(r.size)} assets (${r.strategy})`).join(', ')}`
      : null;
  }
  return `UI lineage graph in Chromium at ${num(largest.size)} assets: first render **${ms(largest.firstRenderMs.median)}**, expand a ${num(largest.expandedAssets)}-asset group ${ms(largest.expandMs.median)}, status to repaint ${ms(largest.statusToPaintMs.median)}; \`sluice list\` ${ms(largest.listMs.median)}`;
}
