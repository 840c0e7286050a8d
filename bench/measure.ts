// The measuring half of `npm run bench`, run from a snapshot by run.ts: every scenario in its own process, then
// results/latest.{json,md}.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { runScenario } from './lib/child.js';
import { machineInfo } from './lib/machine.js';
import { parseBenchOptions, type SectionName } from './lib/options.js';
import { progress } from './lib/progress.js';
import { renderReport } from './lib/report.js';
import type { BenchResults, MemoryRow } from './lib/results.js';
import { runAccess } from './sections/access.js';
import { runGoverned } from './sections/governed.js';
import { runOperations } from './sections/operations.js';
import { runEvents } from './sections/events.js';
import { runFlights } from './sections/flights.js';
import { runStartup } from './sections/startup.js';
import { runStore } from './sections/store.js';
import { postgresSection, runPostgres } from './sections/postgres.js';
import { runSynthetic } from './sections/synthetic.js';
import { runUi } from './sections/ui.js';

const options = parseBenchOptions(process.argv.slice(2));
const started = performance.now();
const results: BenchResults = {
  schemaVersion: 1,
  mode: options.quick ? 'quick' : 'full',
  startedAt: new Date().toISOString(),
  durationS: 0,
  reps: options.reps,
  machine: machineInfo(),
  memory: { baselineMb: null, rows: [] },
  errors: [],
};

/** A failing section is reported and the others still run; only broken scenarios fail the bench, never slow ones. */
async function section(name: SectionName, run: () => Promise<void>): Promise<void> {
  if (!options.sections.includes(name)) return;
  try {
    await run();
  } catch (error) {
    results.errors.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    progress(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const memory: MemoryRow[] = results.memory.rows;
results.memory.baselineMb = (await runScenario<object>('baseline', {})).peakRssMb;
await section('flights', async () => {
  results.flights = await runFlights(options);
  for (const v of Object.values(results.flights.variants)) memory.push({ scenario: `flights: ${v.label}`, peakRssMb: v.peakRssMb });
});
await section('synthetic', async () => {
  results.synthetic = await runSynthetic(options);
  for (const r of results.synthetic.rows)
    memory.push({
      scenario: `synthetic ${r.shape} ${r.size.toLocaleString('en-US')}: ${r.execute ? 'load/plan + materialize' : 'load/plan'}`,
      peakRssMb: r.peakRssMb,
    });
});
await section('store', async () => {
  results.store = await runStore(options);
  memory.push({
    scenario: `store: ${results.store.assets.toLocaleString('en-US')} assets, ${results.store.materializations.toLocaleString('en-US')} materializations, list + lineage`,
    peakRssMb: results.store.peakRssMb,
  });
});
await section('events', async () => {
  results.events = await runEvents(options);
  for (const r of results.events.rates)
    if (r.devPeakRssMb !== null)
      memory.push({
        scenario: `events: sluice dev, start-up + ${r.events.toLocaleString('en-US')} events at ${r.rate.toLocaleString('en-US')}/s`,
        peakRssMb: r.devPeakRssMb,
      });
});
await section('ui', async () => {
  results.ui = await runUi(options);
  memory.push({
    scenario: `ui: lineage layout of ${[...new Set(results.ui.rows.map((r) => r.size.toLocaleString('en-US')))].join(', ')} assets`,
    peakRssMb: results.ui.peakRssMb,
  });
});
await section('operations', async () => {
  results.operations = await runOperations(options);
  memory.push({
    scenario: `operations UI: the driver of sluice dev and Chromium (their own memory not counted), ${results.operations.partitions.toLocaleString('en-US')}-partition grid`,
    peakRssMb: results.operations.peakRssMb,
  });
});
await section('startup', async () => {
  results.startup = await runStartup(options);
});
await section('access', async () => {
  results.access = await runAccess(options);
  memory.push({
    scenario: `access: ${results.access.assets.toLocaleString('en-US')} assets, authenticated requests + audit`,
    peakRssMb: results.access.peakRssMb,
  });
});
await section('governed', async () => {
  results.governed = await runGoverned(options);
  memory.push({
    scenario: `governed query: ${results.governed.flights.toLocaleString('en-US')} flights, governed vs raw`,
    peakRssMb: results.governed.peakRssMb,
  });
});

await section('postgres', async () => {
  results.postgres = await runPostgres(options);
  memory.push({ scenario: 'postgres: store operations on SQLite and PostgreSQL', peakRssMb: results.postgres.peakRssMb });
  memory.push({
    scenario: `postgres: a ${results.postgres.queue.dagAssets}-asset DAG, the submitter and its paired in-process runs (workers are processes of their own)`,
    peakRssMb: results.postgres.queue.peakRssMb,
  });
});

results.durationS = (performance.now() - started) / 1000;
results.machine.loadAverage.end = loadavg()[0]!;
mkdirSync(options.outDir, { recursive: true });
writeFileSync(join(options.outDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(options.outDir, 'latest.md'), renderReport(results) + (results.postgres ? `\n${postgresSection(results.postgres)}` : ''));
progress(`wrote ${join(options.outDir, 'latest.md')} and latest.json in ${results.durationS.toFixed(0)} s`);

if (results.errors.length > 0) process.exitCode = 1;
