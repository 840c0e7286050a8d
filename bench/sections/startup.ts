// Section: the first five minutes as a user lives them, whole commands with their processes: CLI cold start beside
// `node -e 0`, and `npm run demo`'s command beside the same SQL run directly in DuckDB.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runScenario } from '../lib/child.js';
import { flightsSources } from '../lib/flights-data.js';
import { directStatements } from '../lib/flights-project.js';
import type { BenchOptions } from '../lib/options.js';
import { FLIGHTS_DIR, REPO_ROOT } from '../lib/paths.js';
import { progress } from '../lib/progress.js';
import { pairedRatio, summarize, type Summary } from '../lib/stats.js';

export interface StartupRow {
  command: string;
  wallMs: Summary;
  /** Paired with `node -e 0` measured just before it (absent for that baseline itself). */
  overNodeMs?: Summary;
}

export interface StartupResult {
  rows: StartupRow[];
  demo?: { commandMs: Summary; directMs: Summary; ratio: Summary };
  notes: string[];
}

/** Wall time of one command, process start and exit included; throws with its output when it fails. */
function wallMs(argv: readonly string[], cwd: string): number {
  const started = performance.now();
  const child = spawnSync(process.execPath, argv, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const elapsed = performance.now() - started;
  if (child.status !== 0) throw new Error(`node ${argv.join(' ')} exited with ${child.status}: ${(child.stderr || child.stdout).slice(-800)}`);
  return elapsed;
}

export async function runStartup(options: BenchOptions): Promise<StartupResult> {
  const notes: string[] = [];
  // The snapshot was built (dist/) before measuring, so the CLI runs as an installed package does.
  const build = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed: ${build.stdout.slice(-800)}`);
  const bin = join(REPO_ROOT, 'bin', 'sluice.js');
  const commands: Record<string, string[]> = {
    'sluice --version': [bin, '--version'],
    'sluice --help': [bin, '--help'],
    'sluice list (flights example)': [bin, 'list'],
  };
  const reps = Math.max(options.reps, 5);
  const baseline: number[] = [];
  const samples = new Map<string, number[]>(Object.keys(commands).map((name) => [name, []]));
  progress(`startup: CLI cold start, ${reps} reps`);
  for (let rep = 0; rep < reps; rep++) {
    for (const [name, argv] of Object.entries(commands)) {
      baseline.push(wallMs(['-e', '0'], FLIGHTS_DIR));
      samples.get(name)!.push(wallMs(argv, FLIGHTS_DIR));
    }
  }
  const perCommand = Object.keys(commands).length;
  const rows: StartupRow[] = [{ command: 'node -e 0', wallMs: summarize(baseline) }];
  for (const [name, list] of samples) {
    const paired = list.map((ms, rep) => ms - baseline[rep * perCommand + Object.keys(commands).indexOf(name)]!);
    rows.push({ command: name, wallMs: summarize(list), overNodeMs: summarize(paired) });
  }
  const result: StartupResult = { rows, notes };
  if (options.quick) {
    notes.push('quick mode: the demo command (3M flights) is left out');
    return result;
  }
  const sources = await flightsSources(undefined);
  const { statements } = await directStatements(sources);
  const demo: number[] = [];
  const direct: number[] = [];
  for (let rep = 0; rep < options.reps; rep++) {
    progress(`startup rep ${rep + 1}/${options.reps}: npm run demo's command and DuckDB direct`);
    const directRun = await runScenario<{ totalMs: number }>(
      'flights-direct',
      { statements, fileSearchPath: FLIGHTS_DIR, profile: false, verify: false },
      { timeoutMs: 15 * 60_000 },
    );
    // The direct scenario times its statements only; its process start is part of neither figure's comparison.
    direct.push(directRun.totalMs);
    demo.push(wallMs([join(REPO_ROOT, 'scripts', 'demo.js')], REPO_ROOT));
  }
  result.demo = { commandMs: summarize(demo), directMs: summarize(direct), ratio: pairedRatio(demo, direct) };
  notes.push(
    'demo command: `node scripts/demo.js` (what `npm run demo` runs) wall time, processes included, from an empty examples/flights/data of the snapshot; DuckDB direct: the same statements in one connection, statements only',
  );
  return result;
}
