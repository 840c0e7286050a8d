// `npm run bench [-- --quick]`: snapshots the working tree, runs bench/measure.ts from the snapshot, and writes
// bench/results/latest.{json,md}; a complete full run also refreshes the figures bench/README.md quotes.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_OUT_DIR, parseBenchOptions, SECTIONS } from './lib/options.js';
import { REPO_ROOT, SOURCE_REPO_ENV } from './lib/paths.js';
import { progress } from './lib/progress.js';
import { quoteInReadme } from './lib/readme-figures.js';
import type { BenchResults } from './lib/results.js';
import { snapshotWorkingTree } from './lib/snapshot.js';

const argv = process.argv.slice(2);
const options = parseBenchOptions(argv);
const snapshot = snapshotWorkingTree();
progress(`measuring a snapshot of the working tree in ${snapshot}`);
try {
  const inner = spawnSync(process.execPath, ['--import', 'tsx', join(snapshot, 'bench', 'measure.ts'), ...argv, '--out', options.outDir], {
    cwd: snapshot,
    stdio: 'inherit',
    env: { ...process.env, [SOURCE_REPO_ENV]: REPO_ROOT },
  });
  process.exitCode = inner.status ?? 1;
  const complete = inner.status === 0 && !options.quick && options.outDir === DEFAULT_OUT_DIR && options.sections.length === SECTIONS.length;
  if (complete) {
    const results = JSON.parse(readFileSync(join(options.outDir, 'latest.json'), 'utf8')) as BenchResults;
    if (quoteInReadme(results)) progress('updated the figures quoted in bench/README.md');
  }
} finally {
  rmSync(snapshot, { recursive: true, force: true });
}
