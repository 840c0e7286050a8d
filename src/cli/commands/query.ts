// `sluice query SQL` reads through the governed reader; `sluice exec SQL` makes an admin's hand change. Both go through the API.
import type { Command } from 'commander';
import type { Row } from '../../model/asset-definition.js';
import type { QueryResponse } from '../../server/api-types.js';
import { withClient, type ProjectOptions } from '../open-project.js';
import { formatCount, textTable } from '../text-table.js';

function cell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Renders query rows as a text table, saying when the row cap cut the result. */
function formatRows({ columns, rows, truncated }: QueryResponse): string {
  if (rows.length === 0) return '(no rows)';
  const count = `${formatCount(rows.length)} row${rows.length === 1 ? '' : 's'}`;
  return `${textTable(
    columns,
    rows.map((r: Row) => columns.map((c) => cell(r[c]))),
  )}\n(${truncated ? `first ${count}; the result has more: add a WHERE, an aggregate or a LIMIT` : count})`;
}

export function configureQueryCommand(program: Command): void {
  program
    .command('query')
    .argument('<sql>', 'one read-only statement, e.g. "SELECT * FROM gold.region_monthly_summary"')
    .option('--json', 'print JSON rows')
    .action(async (sql: string, options: { json?: boolean }, command: Command) => {
      const result = await withClient(command.optsWithGlobals<ProjectOptions>(), (client) => client.query(sql));
      process.stdout.write(options.json ? `${JSON.stringify(result.rows, null, 2)}\n` : `${formatRows(result)}\n`);
      if (options.json && result.truncated) process.stderr.write(`only the first ${result.rows.length} rows were returned; the result has more\n`);
    });
}

export function configureExecCommand(program: Command): void {
  program
    .command('exec')
    .argument('<sql>', 'a hand change, e.g. "DELETE FROM clean.numbers WHERE n IS NULL"')
    .action(async (sql: string, _options: unknown, command: Command) => {
      await withClient(command.optsWithGlobals<ProjectOptions>(), (client) => client.change(sql));
      process.stdout.write('changed\n');
    });
}
