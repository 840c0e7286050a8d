#!/usr/bin/env node
// `npm run demo`: builds examples/flights from scratch and prints a summary, in one process, as `sluice materialize`
// then `sluice query` would.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { SUMMARY_SQL, builtCli, flightsProject } from './demo-common.js';

const project = process.argv[2] ?? flightsProject;
const main = await builtCli();
rmSync(join(project, 'data'), { recursive: true, force: true });
process.chdir(project);
const built = await main(['node', 'sluice', 'materialize']);
process.exitCode = built !== 0 ? built : await main(['node', 'sluice', 'query', SUMMARY_SQL]);
