#!/usr/bin/env node
// `npm run demo`: builds examples/flights from scratch and prints a summary, in one process, as `sluice materialize`
// then `sluice query` would, on one opening of the project.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SUMMARY_SQL, builtCli, flightsProject, root } from './demo-common.js';

/**
 * Empties the project's data/ folder for a fresh warehouse and run history, but keeps data/.cache: the config compiled
 * to JavaScript and the SQL analyses, which are derived from the project's files and checked against them on every
 * start (like dist/ against src/), so keeping them changes no result and saves the compile (~0.2 s).
 */
function freshData(project) {
  const data = join(project, 'data');
  if (!existsSync(data)) return;
  for (const entry of readdirSync(data)) if (entry !== '.cache') rmSync(join(data, entry), { recursive: true, force: true });
}

const project = process.argv[2] ?? flightsProject;
const main = await builtCli();
const { openClient } = await import(join(root, 'dist', 'cli', 'open-project.js'));
const { reportError } = await import(join(root, 'dist', 'cli', 'cli-errors.js'));
freshData(project);
// Both commands share one client, as one process: the project is opened (and its warehouse closed) once. A project
// that does not open (or a folder that does not exist) is reported as the commands would report it.
const client = await openClient({ project }).catch((error) => process.exit(reportError(error)));
process.chdir(project);
try {
  const built = await main(['node', 'sluice', 'materialize'], { client });
  process.exitCode = built !== 0 ? built : await main(['node', 'sluice', 'query', SUMMARY_SQL], { client });
} finally {
  await client.close();
}
