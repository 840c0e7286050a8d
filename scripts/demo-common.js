// What both demos share: the repository root, a build of dist/ only when src/ changed since the last one (a fresh
// clone builds once; every later demo starts at once), and the summary both print.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const flightsProject = join(root, 'examples', 'flights');

export const SUMMARY_SQL = `SELECT region, count(*) AS months, sum(flights) AS flights,
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

/** The built CLI's `main`, building dist/ first when a source is newer (exits with the build's code if it fails). */
export async function builtCli() {
  const builtMain = join(root, 'dist', 'cli', 'main.js');
  if (!existsSync(builtMain) || newestMtime(join(root, 'src')) > statSync(builtMain).mtimeMs) {
    process.stdout.write('building Sluice (src/ changed since the last build)...\n');
    const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
  return (await import(builtMain)).main;
}
