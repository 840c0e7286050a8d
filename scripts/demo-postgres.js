#!/usr/bin/env node
// `npm run demo:postgres`: the flights demo of `npm run demo`, built in PostgreSQL. The same project, files, checks and
// quarantine; the warehouse is SLUICE_WAREHOUSE_URL (default: the database sluice_flights on the local server, created
// when missing) and run history goes to the same database (schema `sluice`) unless SLUICE_METADATA_URL says otherwise.
// Nothing is dropped first: every table is rebuilt and swapped in atomically. See docs/production.md.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SUMMARY_SQL, builtCli, flightsProject as project, root } from './demo-common.js';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/sluice_flights';
const main = await builtCli();

process.env.SLUICE_WAREHOUSE_URL ||= DEFAULT_URL;
process.env.SLUICE_METADATA_URL ||= process.env.SLUICE_WAREHOUSE_URL;
const shown = new URL(process.env.SLUICE_WAREHOUSE_URL);
if (shown.password) shown.password = '***';
process.stdout.write(`warehouse: ${shown} (set SLUICE_WAREHOUSE_URL to use another database)\n`);
process.chdir(project);
const started = performance.now();
const built = await main(['node', 'sluice', 'materialize']);
if (built !== 0) process.exit(built);
process.stdout.write(`built in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);

// The summary is read on a warehouse session: \`sluice query\` parses through the governed reader with DuckDB's
// json_serialize_sql on the warehouse's own connection, which a PostgreSQL warehouse does not have.
const { Sluice } = await import(join(root, 'dist', 'index.js'));
const { textTable } = await import(join(root, 'dist', 'cli', 'text-table.js'));
const sluice = await Sluice.open({ dir: project });
try {
  const session = await sluice.warehouse.session();
  try {
    const rows = await session.query(SUMMARY_SQL);
    process.stdout.write(
      `${textTable(
        Object.keys(rows[0] ?? {}),
        rows.map((row) => Object.values(row).map(String)),
      )}\n`,
    );
  } finally {
    session.close();
  }
} finally {
  await sluice.close();
}
