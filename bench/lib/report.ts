// Renders bench/results/latest.md from the results: key ratios first, then one section per scenario.
import { accessKeyFigure, accessSection } from '../sections/access.js';
import { governedKeyFigure, governedSection } from '../sections/governed.js';
import { operationsKeyFigure, operationsSection } from '../sections/operations.js';
import type { EventsResult } from '../sections/events.js';
import type { FlightsResult, FlightsVariant } from '../sections/flights.js';
import type { StartupResult } from '../sections/startup.js';
import type { StoreResult } from '../sections/store.js';
import type { SyntheticResult } from '../sections/synthetic.js';
import { uiKeyFigure, uiSection } from '../sections/ui.js';
import { cell, mb, ms, num, ratio, table } from './format.js';
import type { BenchResults } from './results.js';

export function renderReport(results: BenchResults): string {
  const { machine } = results;
  const load = `load average ${machine.loadAverage.start.toFixed(1)} at start, ${machine.loadAverage.end?.toFixed(1) ?? '?'} at end on ${machine.cores} cores`;
  const parts = [
    '# Sluice benchmarks',
    `\`npm run bench${results.mode === 'quick' ? ' -- --quick' : ''}\` on ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${results.reps} repetitions per figure, ${(results.durationS / 60).toFixed(1)} min in all.`,
    `Machine: ${machine.cores} x ${machine.cpu}, ${machine.memoryGb} GB, Node ${machine.node}, DuckDB ${machine.duckdb}. Code: ${machine.gitCommit}${machine.srcChanges ? ` plus ${machine.srcChanges} uncommitted src/ changes` : ''}. ${load}${machine.loadAverage.start > machine.cores ? ': other processes competed for the CPU, so absolute times are pessimistic; the paired ratios cancel most of it' : ''}.`,
    'Cells read `median (min–max)`. See bench/README.md for what each figure measures.',
    keyFigures(results),
  ];
  if (results.flights) parts.push(flightsSection(results.flights));
  if (results.synthetic) parts.push(syntheticSection(results.synthetic));
  if (results.store) parts.push(storeSection(results.store));
  if (results.events) parts.push(eventsSection(results.events));
  if (results.ui) parts.push(uiSection(results.ui));
  if (results.operations) parts.push(operationsSection(results.operations));
  if (results.startup) parts.push(startupSection(results.startup));
  if (results.access) parts.push(accessSection(results.access));
  if (results.governed) parts.push(governedSection(results.governed));
  parts.push(memorySection(results));
  if (results.errors.length > 0) parts.push(`## Errors\n${results.errors.map((e) => `- ${e.replaceAll('\n', ' ')}`).join('\n')}`);
  return `${parts.join('\n\n')}\n`;
}

/** The headline ratios and per-asset figures, also quoted in bench/README.md. */
export function keyFigures(results: BenchResults): string {
  const lines: string[] = [];
  for (const r of results.flights?.ratios ?? [])
    lines.push(
      `Flights end to end, ${r.name}: **${ratio(r.paired.median)}** (paired; range ${ratio(r.paired.min)}–${ratio(r.paired.max)}; ratio of medians ${ratio(r.ofMedians)})`,
    );
  for (const shape of new Set(results.synthetic?.rows.map((r) => r.shape))) {
    const rows = results.synthetic!.rows.filter((r) => r.shape === shape);
    const plan = rows.map((r) => `${ms(r.loadPlanPerAssetMs.median)} at ${num(r.size)}`).join(', ');
    const run = rows
      .filter((r) => r.execute)
      .map((r) => `${ms(r.execute!.perAssetMs.median)} at ${num(r.size)} (overhead over DuckDB direct ${ms(r.execute!.overheadPerAssetMs.median)})`)
      .join(', ');
    lines.push(`Synthetic ${shape}: load + plan per asset ${plan}${run ? `; execute per asset ${run}` : ''}`);
  }
  const ingestion = results.synthetic?.ingestion;
  if (ingestion) {
    const formats = ingestion.formats
      .map((f) => `${f.format} **${ratio(f.ratioWithCheckpoint.median)}** with the checkpoint after (the write alone ${ratio(f.ratio.median)})`)
      .join('; ');
    lines.push(`Ingestion with quarantine / plain read of ${num(ingestion.rows)} flights (paired): ${formats}`);
  }
  const store = results.store;
  if (store) {
    lines.push(
      `Store: **${num(store.eventsPerSecond.median)} events/s** appended; \`sluice list\` of ${num(store.assets)} assets with ${num(store.materializations)} materializations in **${ms(store.listMs.median)}**; upstream closure ${ms(store.upstreamMs.median)}, downstream ${ms(store.downstreamMs.median)} per query`,
    );
  }
  const events = results.events;
  if (events) {
    const rates = events.rates
      .map((r) => `${num(r.rate)}/s (achieved ${num(r.achievedRate.median)}/s): p50 **${ms(r.p50Ms.median)}**, p99 **${ms(r.p99Ms.median)}**`)
      .join('; ');
    const loads = events.rates.flatMap((r) => [r.loadStart.min, r.loadStart.max, r.loadEnd.min, r.loadEnd.max]);
    lines.push(
      `Events to gold (${events.asset}, real \`sluice dev\`, ${num(events.seconds)} s of flights per replay): ${rates}; load average ${num(Math.min(...loads), 1)}–${num(Math.max(...loads), 1)} on ${events.cores} cores`,
    );
  }
  const ui = results.ui ? uiKeyFigure(results.ui) : null;
  if (ui) lines.push(ui);
  if (results.operations) lines.push(operationsKeyFigure(results.operations));
  const startup = results.startup;
  if (startup) {
    const cold = startup.rows
      .filter((r) => r.command !== 'node -e 0')
      .map((r) => `${r.command} ${ms(r.wallMs.median)}`)
      .join(', ');
    const node = startup.rows.find((r) => r.command === 'node -e 0');
    lines.push(
      `CLI cold start: ${cold} (node -e 0: ${node ? ms(node.wallMs.median) : '?'})${startup.demo ? `; \`npm run demo\` command / DuckDB direct: **${ratio(startup.demo.ratio.median)}** (paired; ${ratio(startup.demo.anyOrderRatio.median)} of DuckDB direct writing rows in any order, as Sluice does)` : ''}`,
    );
  }
  if (results.access) lines.push(accessKeyFigure(results.access));
  if (results.governed) lines.push(governedKeyFigure(results.governed));
  return `## Key figures\n${lines.map((l) => `- ${l}`).join('\n')}`;
}

function flightsSection(f: FlightsResult): string {
  const variants = Object.entries(f.variants) as [FlightsVariant, NonNullable<FlightsResult['variants'][FlightsVariant]>][];
  const main = table(
    ['variant', 'total', 'build (materialize / statements / transforms)', 'open', 'close', 'peak RSS'],
    variants.map(([, v]) => [v.label, cell(v.totalMs), cell(v.materializeMs), cell(v.openMs), cell(v.closeMs), mb(v.peakRssMb)]),
  );
  const ratios = table(
    ['ratio of totals', 'paired median (range)', 'of medians'],
    f.ratios.map((r) => [r.name, cell(r.paired, ratio), ratio(r.ofMedians)]),
  );
  const keys = [...new Set(variants.flatMap(([, v]) => Object.keys(v.steps)))];
  const steps = table(
    ['asset', ...variants.map(([name]) => name)],
    keys.map((k) => [k, ...variants.map(([, v]) => cell(v.steps[k]))]),
  );
  const pandas = f.variants.pandas?.pandas;
  return [
    `## 1. Flights end to end (${num(f.flightRows)} flights${f.subset ? ', subset' : ''}, every asset from scratch)`,
    main,
    ratios,
    "### Per asset\nSluice: the step as the executor timed it (build, profile scan, publish, events). Direct: the statement (plus the profile scan in directProfile). pandas: the table's transform (bronze/flights includes reading the CSV).",
    steps,
    pandas ? `pandas split: read ${cell(pandas.readMs)}, transform ${cell(pandas.transformMs)}, write ${cell(pandas.writeMs)}.` : '',
    f.rowCheck.ok ? 'Row counts: every variant built the same rows per asset as Sluice.' : `**Row counts differ:** ${f.rowCheck.mismatches.join('; ')}`,
    f.notes.map((n) => `- ${n}`).join('\n'),
  ]
    .filter(Boolean)
    .join('\n\n');
}

function syntheticSection(s: SyntheticResult): string {
  const plan = table(
    ['shape', 'assets', 'edges', 'define', 'load + validate', 'graph build', "plan '*'", "plan '+last'", "plan 'first+'", '(load + plan) / asset', 'peak RSS'],
    s.rows.map((r) => [
      r.shape,
      num(r.size),
      num(r.edges),
      cell(r.defineMs),
      cell(r.loadMs),
      cell(r.graphMs),
      cell(r.planAllMs),
      cell(r.planUpstreamMs),
      cell(r.planDownstreamMs),
      cell(r.loadPlanPerAssetMs),
      mb(r.peakRssMb),
    ]),
  );
  const run = table(
    [
      'shape',
      'assets',
      'scheduler only (no-op steps) / asset',
      'Sluice.open',
      'materialize',
      'per asset',
      'DuckDB direct / asset',
      'overhead / asset',
      'Sluice / direct',
      'close',
    ],
    s.rows.map((r) =>
      r.execute
        ? [
            r.shape,
            num(r.size),
            cell(r.schedulerPerAssetMs),
            cell(r.execute.openMs),
            cell(r.execute.materializeMs),
            cell(r.execute.perAssetMs),
            cell(r.execute.directPerAssetMs),
            cell(r.execute.overheadPerAssetMs),
            ratio(r.execute.ratio.median),
            cell(r.execute.closeMs),
          ]
        : [r.shape, num(r.size), cell(r.schedulerPerAssetMs), '-', r.executeSkipped ?? 'not run in this mode', '-', '-', '-', '-', '-'],
    ),
  );
  const growth = table(
    ['shape', 'size', '(load + plan) / asset grew', 'scheduler / asset grew', 'execute / asset grew'],
    s.growth.map((g) => [
      g.shape,
      `${num(g.from)} → ${num(g.to)}`,
      ratio(g.loadPlanPerAsset),
      ratio(g.schedulerPerAsset),
      g.executePerAsset === null ? '-' : ratio(g.executePerAsset),
    ]),
  );
  const ingestion = s.ingestion
    ? table(
        [
          'format',
          'plain read into a table',
          'ingestion with quarantine',
          'ingestion / plain (paired)',
          'checkpoint after: plain',
          'checkpoint after: ingestion',
          'ingestion / plain, write + checkpoint (paired)',
        ],
        s.ingestion.formats.map((f) => [
          f.format,
          cell(f.plainMs),
          cell(f.ingestMs),
          cell(f.ratio, ratio),
          cell(f.plainCheckpointMs),
          cell(f.ingestCheckpointMs),
          cell(f.ratioWithCheckpoint, ratio),
        ]),
      )
    : '';
  return [
    '## 2. Orchestration overhead (synthetic DAGs)',
    '### Load, validate, plan',
    plan,
    '### Execute',
    run,
    '### Growth (1.00x: total time grows in proportion to the number of assets)',
    s.growth.length > 0 ? growth : 'One size only in this mode.',
    ...(s.ingestion ? [`### Ingestion of ${num(s.ingestion.rows)} clean flights`, ingestion] : []),
    s.notes.map((n) => `- ${n}`).join('\n'),
  ].join('\n\n');
}

function storeSection(s: StoreResult): string {
  const perSecond = (v: number): string => `${num(v)}/s`;
  const size = (v: number): string => num(v);
  const rows: [string, string][] = [
    ['events appended (appendEvent loop)', cell(s.eventsPerSecond, perSecond)],
    ['… same inserts, one cached prepared statement (SQLite ceiling)', cell(s.rawEventsPerSecond, perSecond)],
    ['… appendEvent time / ceiling time', cell(s.appendOverhead, ratio)],
    ['materializations recorded (recordMaterialization loop)', cell(s.materializationsPerSecond, perSecond)],
    ['Sluice.open of the project', ms(s.openMs)],
    ['`sluice list` (listAssets)', cell(s.listMs)],
    ['… store.latestMaterializations()', cell(s.latestMaterializationsMs)],
    ['… store.latestAssetFailures()', cell(s.latestFailuresMs)],
    ['… computeAssetStatuses()', cell(s.statusesMs)],
    ['upstream closure per asset', cell(s.upstreamMs)],
    ['… closure size', cell(s.upstreamSize, size)],
    ['downstream closure per asset', cell(s.downstreamMs)],
    ['… closure size', cell(s.downstreamSize, size)],
    ['`sluice lineage KEY` text (lineageText)', cell(s.lineageTreeMs)],
    ['materialization history, 100 rows', cell(s.historyMs)],
  ];
  return [
    `## 3. Metadata store (${num(s.assets)} assets, ${num(s.materializations)} materializations, SQLite)`,
    table(['figure', 'median (min–max)'], rows),
    s.notes.map((n) => `- ${n}`).join('\n'),
  ].join('\n\n');
}

function eventsSection(e: EventsResult): string {
  const perSecond = (v: number): string => `${num(v)}/s`;
  const load = (v: number): string => num(v, 1);
  const main = table(
    ['rate asked', 'events', 'achieved', 'latency p50', 'latency p99', 'max', 'load avg at start', 'load avg at end', 'gold rows (= batch build)'],
    e.rates.map((r) => [
      perSecond(r.rate),
      num(r.events),
      cell(r.achievedRate, perSecond),
      cell(r.p50Ms),
      cell(r.p99Ms),
      cell(r.maxMs),
      cell(r.loadStart, load),
      cell(r.loadEnd, load),
      num(r.goldRows),
    ]),
  );
  const each = table(
    ['rep', 'rate', 'achieved', 'p50', 'p99', 'max', 'load avg start → end', 'server ready in'],
    e.replays.map((r) => [
      String(r.rep + 1),
      perSecond(r.rate),
      perSecond(r.achievedRate),
      ms(r.p50Ms),
      ms(r.p99Ms),
      ms(r.maxMs),
      `${load(r.loadAverage.start)} → ${load(r.loadAverage.end)}`,
      ms(r.readyMs),
    ]),
  );
  return [
    `## 4. Event-to-gold latency (flights replayed as events to \`sluice dev\` of examples/flights/events, ${e.cores} cores)`,
    main,
    '### Each replay, in the order run',
    each,
    e.notes.map((n) => `- ${n}`).join('\n'),
  ].join('\n\n');
}

function memorySection(results: BenchResults): string {
  const base = results.memory.baselineMb;
  const rows = results.memory.rows.map((r) => [r.scenario, mb(r.peakRssMb), base === null ? '-' : mb(r.peakRssMb - base)]);
  return [
    "## 6. Peak memory (RSS of each scenario's own process; the max over its repetitions)",
    base === null ? '' : `Baseline: a process that loads Sluice and DuckDB and does nothing peaks at ${mb(base)}.`,
    table(['scenario', 'peak RSS', 'above baseline'], rows),
  ]
    .filter(Boolean)
    .join('\n\n');
}

function startupSection(s: StartupResult): string {
  const rows = table(
    ['command', 'wall time', 'over node -e 0 (paired)'],
    s.rows.map((r) => [r.command, cell(r.wallMs), r.overNodeMs ? cell(r.overNodeMs) : '—']),
  );
  const demo = s.demo
    ? `\n\n${table(
        ['', 'median (min–max)'],
        [
          ['`npm run demo` command (node scripts/demo.js)', cell(s.demo.commandMs)],
          ['DuckDB direct, same statements', cell(s.demo.directMs)],
          ['ratio (paired)', `${ratio(s.demo.ratio.median)} (${ratio(s.demo.ratio.min)}–${ratio(s.demo.ratio.max)})`],
          ['DuckDB direct, same statements, rows in any order', cell(s.demo.anyOrderMs)],
          ['ratio to that (paired)', `${ratio(s.demo.anyOrderRatio.median)} (${ratio(s.demo.anyOrderRatio.min)}–${ratio(s.demo.anyOrderRatio.max)})`],
        ],
      )}`
    : '';
  const dev = s.dev
    ? `\n\n${table(
        ['`sluice dev` of the generated project', 'ready', 'GET /api/assets', 'GET /api/lineage'],
        s.dev.map((d) => [
          `${num(d.assets)} assets, ${d.cache} cache (/api/assets ${num(d.assetsApiBytes / 1e6, 1)} MB)`,
          cell(d.readyMs),
          cell(d.assetsApiMs),
          cell(d.lineageApiMs),
        ]),
      )}`
    : '';
  return `## Start-up and the demo command\n${rows}${dev}${demo}${s.notes.length > 0 ? `\n\n${s.notes.map((n) => `- ${n}`).join('\n')}` : ''}`;
}
