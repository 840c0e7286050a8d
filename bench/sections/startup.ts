// Section: the first five minutes as a user lives them, whole commands with their processes: CLI cold start beside
// `node -e 0` (on the flights example and on a generated 10,000-asset project, with the project caches under
// data/.cache warm and cold), `sluice dev` ready time and its asset API at 10,000 assets, and `npm run demo`'s command
// beside the same SQL run directly in DuckDB.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario } from '../lib/child.js';
import { flightsSources } from '../lib/flights-data.js';
import { directStatements } from '../lib/flights-project.js';
import type { BenchOptions } from '../lib/options.js';
import { FLIGHTS_DIR, REPO_ROOT } from '../lib/paths.js';
import { progress } from '../lib/progress.js';
import { pairedRatio, summarize, type Summary } from '../lib/stats.js';
import { generateProject, startUiServer, type GeneratedProject } from '../scenarios/ui-project.js';

export interface StartupRow {
  command: string;
  wallMs: Summary;
  /** Paired with `node -e 0` measured just before it (absent for that baseline itself). */
  overNodeMs?: Summary;
}

/** `sluice dev` of the large generated project: ready time and its asset routes, with the project caches cold or warm. */
export interface DevStartupRow {
  assets: number;
  cache: 'cold' | 'warm';
  readyMs: Summary;
  assetsApiMs: Summary;
  lineageApiMs: Summary;
  assetsApiBytes: number;
}

export interface StartupResult {
  rows: StartupRow[];
  dev?: DevStartupRow[];
  demo?: { commandMs: Summary; directMs: Summary; ratio: Summary; anyOrderMs: Summary; anyOrderRatio: Summary };
  notes: string[];
}

/** Assets (in 20 groups) of the generated project, the size issue 17 measures. */
const LARGE_PROJECT = 10_000;

/** Wall time of one command, process start and exit included; throws with its output when it fails. */
function wallMs(argv: readonly string[], cwd: string): number {
  const started = performance.now();
  // The listing of 10,000 assets is ~1.4 MB, above spawnSync's default buffer.
  const child = spawnSync(process.execPath, argv, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 256 * 1024 * 1024 });
  const elapsed = performance.now() - started;
  if (child.status !== 0) throw new Error(`node ${argv.join(' ')} exited with ${child.status}: ${(child.stderr || child.stdout).slice(-800)}`);
  return elapsed;
}

/** A command measured cold: a fresh process each time, its caches first removed when `cold`. */
interface ColdStart {
  argv: string[];
  cwd: string;
  /** Removes the project's caches (data/.cache) before each run: the first command after a clone or an edit. */
  cold?: boolean;
}

/**
 * The same graph with each view's deps in its SQL (`SELECT 1 AS x FROM a, b`) instead of declared: ~7,400 distinct
 * statements the loader must parse (or find in its cache), as in a project of SQL files.
 */
function withInferredDeps(project: GeneratedProject): GeneratedProject {
  const file = join(project.dir, 'sluice.config.ts');
  const config = readFileSync(file, 'utf8').replace(/sql: 'SELECT 1 AS x', deps: (\[[^\]]*\])/g, (_, deps: string) => {
    const from = (JSON.parse(deps) as string[]).map((key) => key.replace('/', '.'));
    return `sql: ${JSON.stringify(from.length > 0 ? `SELECT 1 AS x FROM ${from.join(', ')}` : 'SELECT 1 AS x')}`;
  });
  if (config.includes('deps:')) throw new Error(`the generated config changed shape: ${file} still declares deps`);
  writeFileSync(file, config);
  return project;
}

/** Milliseconds of one GET, body read. */
async function getMs(url: string): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const response = await fetch(url);
  const body = await response.text();
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${body.slice(0, 300)}`);
  return { ms: performance.now() - started, bytes: body.length };
}

/** `sluice dev` started `reps` times per cache state, alternating cold and warm, with the asset routes read from each. */
async function measureDev(dir: string, assets: number, reps: number): Promise<DevStartupRow[]> {
  const states = ['cold', 'warm'] as const;
  const samples = new Map(states.map((state) => [state, { ready: [] as number[], assets: [] as number[], lineage: [] as number[], bytes: 0 }]));
  for (let rep = 0; rep < reps; rep++) {
    for (const state of states) {
      progress(`startup: sluice dev at ${assets.toLocaleString('en-US')} assets, ${state} cache, rep ${rep + 1}/${reps}`);
      if (state === 'cold') rmSync(join(dir, 'data', '.cache'), { recursive: true, force: true });
      const server = await startUiServer(dir);
      try {
        const sample = samples.get(state)!;
        sample.ready.push(server.readyMs);
        for (let read = 0; read < 3; read++) {
          const listing = await getMs(`${server.url}/api/assets`);
          sample.assets.push(listing.ms);
          sample.bytes = listing.bytes;
          sample.lineage.push((await getMs(`${server.url}/api/lineage`)).ms);
        }
      } finally {
        await server.stop();
      }
    }
  }
  return states.map((cache) => {
    const sample = samples.get(cache)!;
    return {
      assets,
      cache,
      readyMs: summarize(sample.ready),
      assetsApiMs: summarize(sample.assets),
      lineageApiMs: summarize(sample.lineage),
      assetsApiBytes: sample.bytes,
    };
  });
}

export async function runStartup(options: BenchOptions): Promise<StartupResult> {
  const notes: string[] = [];
  // The snapshot was built (dist/) before measuring, so the CLI runs as an installed package does.
  const build = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed: ${build.stdout.slice(-800)}`);
  const rows: StartupRow[] = [];
  let dev: DevStartupRow[] | undefined;
  const bin = join(REPO_ROOT, 'bin', 'sluice.js');
  const large = generateProject(LARGE_PROJECT, 20);
  const inferred = withInferredDeps(generateProject(LARGE_PROJECT, 20));
  try {
    const size = LARGE_PROJECT.toLocaleString('en-US');
    const commands: Record<string, ColdStart> = {
      'sluice --version': { argv: [bin, '--version'], cwd: FLIGHTS_DIR },
      'sluice --help': { argv: [bin, '--help'], cwd: FLIGHTS_DIR },
      'sluice list (flights example)': { argv: [bin, 'list'], cwd: FLIGHTS_DIR },
      'sluice list (flights example), cold cache': { argv: [bin, 'list'], cwd: FLIGHTS_DIR, cold: true },
      [`sluice list (${size} assets)`]: { argv: [bin, 'list'], cwd: large.dir },
      [`sluice list (${size} assets), cold cache`]: { argv: [bin, 'list'], cwd: large.dir, cold: true },
      [`sluice list (${size} assets, deps inferred from SQL)`]: { argv: [bin, 'list'], cwd: inferred.dir },
      [`sluice list (${size} assets, deps inferred from SQL), cold cache`]: { argv: [bin, 'list'], cwd: inferred.dir, cold: true },
    };
    const reps = Math.max(options.reps, 5);
    const baseline: number[] = [];
    const samples = new Map<string, { wall: number[]; overNode: number[] }>(Object.keys(commands).map((name) => [name, { wall: [], overNode: [] }]));
    progress(`startup: CLI cold start, ${reps} reps`);
    // Warm means what a user's second command finds: the caches one `sluice list` leaves.
    for (const dir of [FLIGHTS_DIR, large.dir, inferred.dir]) wallMs([bin, 'list'], dir);
    for (let rep = 0; rep < reps; rep++) {
      for (const [name, command] of Object.entries(commands)) {
        const node = wallMs(['-e', '0'], command.cwd);
        baseline.push(node);
        if (command.cold) rmSync(join(command.cwd, 'data', '.cache'), { recursive: true, force: true });
        const wall = wallMs(command.argv, command.cwd);
        samples.get(name)!.wall.push(wall);
        samples.get(name)!.overNode.push(wall - node);
      }
    }
    rows.push({ command: 'node -e 0', wallMs: summarize(baseline) });
    for (const [name, sample] of samples) rows.push({ command: name, wallMs: summarize(sample.wall), overNodeMs: summarize(sample.overNode) });
    dev = await measureDev(large.dir, LARGE_PROJECT, options.quick ? 1 : Math.min(options.reps, 3));
  } finally {
    large.remove();
    inferred.remove();
  }
  notes.push(
    'cold cache: data/.cache (the compiled config and the SQL analyses) removed before each run, as after a clone or a first edit; without it, the warm cache of the runs before',
    `the ${LARGE_PROJECT.toLocaleString('en-US')}-asset project is the UI section's generated one (20 groups of views, 0-3 deps each, a 1.4 MB config), and the same graph with the deps in each view's SQL (~7,400 distinct statements to parse); \`sluice dev\` ready: from spawning to its first answer of GET /api/lineage (polled every 100 ms); the API figures: three GETs per start, body read`,
  );
  const result: StartupResult = { rows, ...(dev ? { dev } : {}), notes };
  if (options.quick) {
    notes.push('quick mode: the demo command (3M flights) is left out');
    return result;
  }
  const sources = await flightsSources(undefined);
  const { statements } = await directStatements(sources);
  const demo: number[] = [];
  const direct: number[] = [];
  const anyOrder: number[] = [];
  for (let rep = 0; rep < options.reps; rep++) {
    progress(`startup rep ${rep + 1}/${options.reps}: npm run demo's command and DuckDB direct`);
    const directRun = await runScenario<{ totalMs: number }>(
      'flights-direct',
      { statements, fileSearchPath: FLIGHTS_DIR, profile: false, verify: false },
      { timeoutMs: 15 * 60_000 },
    );
    // The direct figure is DuckDB opening a fresh file, the statements and the close (its checkpoint); not its process start.
    direct.push(directRun.totalMs);
    // The same with rows written in any order, as Sluice writes its tables: what the demo costs over that too.
    const anyOrderRun = await runScenario<{ totalMs: number }>(
      'flights-direct',
      { statements, fileSearchPath: FLIGHTS_DIR, profile: false, verify: false, anyOrder: true },
      { timeoutMs: 15 * 60_000 },
    );
    anyOrder.push(anyOrderRun.totalMs);
    demo.push(wallMs([join(REPO_ROOT, 'scripts', 'demo.js')], REPO_ROOT));
  }
  result.demo = {
    commandMs: summarize(demo),
    directMs: summarize(direct),
    ratio: pairedRatio(demo, direct),
    anyOrderMs: summarize(anyOrder),
    anyOrderRatio: pairedRatio(demo, anyOrder),
  };
  notes.push(
    "demo command: `node scripts/demo.js` (what `npm run demo` runs) wall time, processes included, on a fresh warehouse and run history each time (the compiled config in data/.cache is kept between runs, as between a user's; the first run compiles it); DuckDB direct: a fresh file opened, the same statements on one connection and the close (its checkpoint), without its process start; in any order: the same with `SET preserve_insertion_order = false`, as Sluice writes its tables (keeping the order leaves partly filled row groups that the close's checkpoint rewrites)",
  );
  return result;
}
