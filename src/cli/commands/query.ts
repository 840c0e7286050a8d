// `sluice query SQL`: run a query against the warehouse and print the rows.
import type { Command } from 'commander';
import type { Row } from '../../model/asset-definition.js';
import { withClient, type ProjectOptions } from '../open-project.js';
import { textTable } from '../text-table.js';

function cell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (value instanceof Date) return value.toISOString().replace('T', ' ').replace('.000Z', '');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Renders query rows as a text table. */
function formatRows(rows: readonly Row[]): string {
  if (rows.length === 0) return '(no rows)';
  const columns = Object.keys(rows[0]!);
  return `${textTable(
    columns,
    rows.map((r) => columns.map((c) => cell(r[c]))),
  )}\n(${rows.length} row${rows.length === 1 ? '' : 's'})`;
}

export function configureQueryCommand(program: Command): void {
  program
    .command('query')
    .argument('<sql>', 'the query, e.g. "SELECT * FROM gold.region_monthly_summary"')
    .option('--json', 'print JSON rows')
    .action(async (sql: string, options: { json?: boolean }, command: Command) => {
      const rows = await withClient(command.optsWithGlobals<ProjectOptions>(), (client) => client.query(sql));
      process.stdout.write(options.json ? `${JSON.stringify(rows, null, 2)}\n` : `${formatRows(rows)}\n`);
    });
}
