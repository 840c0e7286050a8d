// Keeps bench/README.md quoting the latest full run: the key figures go between two marker comments.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR } from './paths.js';
import { keyFigures } from './report.js';
import type { BenchResults } from './results.js';

const START = '<!-- latest-figures:start -->';
const END = '<!-- latest-figures:end -->';

/** Replaces the README's quoted figures with those of `results`; returns false when the markers are missing. */
export function quoteInReadme(results: BenchResults): boolean {
  const path = join(BENCH_DIR, 'README.md');
  const readme = readFileSync(path, 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) return false;
  const when = `From the full run of ${results.startedAt.slice(0, 10)} (commit ${results.machine.gitCommit}, load average ${results.machine.loadAverage.start.toFixed(1)} on ${results.machine.cores} cores):`;
  const body = keyFigures(results).replace(/^## Key figures\n/, '');
  writeFileSync(path, `${readme.slice(0, start + START.length)}\n${when}\n\n${body}\n${readme.slice(end)}`);
  return true;
}
