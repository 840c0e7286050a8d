#!/usr/bin/env node
// `npm run demo`: builds examples/flights from scratch and prints a summary, in one process, as `sluice materialize`
// then `sluice query` would. The TypeScript build runs only when a source is newer than dist/ (a fresh clone builds
// once; every later demo starts at once).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const project = process.argv[2] ?? join(root, 'examples', 'flights');
const builtMain = join(root, 'dist', 'cli', 'main.js');

const SUMMARY_SQL = `SELECT region, count(*) AS months, sum(flights) AS flights,
  round(100.0 * sum(delayed_flights) / sum(flights), 1) AS pct_delayed
FROM gold.region_monthly_summary GROUP BY region ORDER BY flights DESC`;

/** Newest modification time of any file under `dir`. */
function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

if (!existsSync(builtMain) || newestMtime(join(root, 'src')) > statSync(builtMain).mtimeMs) {
  process.stdout.write('building Sluice (src/ changed since the last build)...\n');
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

rmSync(join(project, 'data'), { recursive: true, force: true });
process.chdir(project);
const { main } = await import(builtMain);
const built = await main(['node', 'sluice', 'materialize']);
process.exitCode = built !== 0 ? built : await main(['node', 'sluice', 'query', SUMMARY_SQL]);
