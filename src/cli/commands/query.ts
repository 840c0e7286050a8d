// `sluice query SQL`: run a query against the warehouse and print the rows.
import type { Command } from 'commander';
import { SluiceError } from '../../errors.js';
import type { Row } from '../../model/asset-definition.js';
import type { QueryResponse } from '../../server/api-types.js';
import { devServerFor, withSluice, type ProjectOptions } from '../open-project.js';
import { textTable } from '../text-table.js';

function cell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (value instanceof Date) return value.toISOString().replace('T', ' ').replace('.000Z', '');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Renders query rows as a text table. */
export function formatRows(rows: readonly Row[]): string {
  if (rows.length === 0) return '(no rows)';
  const columns = Object.keys(rows[0]!);
  return `${textTable(columns, rows.map((r) => columns.map((c) => cell(r[c]))))}\n(${rows.length} row${rows.length === 1 ? '' : 's'})`;
}

/** Runs `sql` on the project's warehouse, opened by this process. */
async function queryLocally(options: ProjectOptions, sql: string): Promise<Row[]> {
  return withSluice(options, async (sluice) => {
    const session = await sluice.warehouse.session();
    try {
      return await session.query(sql);
    } catch (cause) {
      throw new SluiceError('SQL_ERROR', `query failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    } finally {
      session.close();
    }
  });
}

export function configureQueryCommand(program: Command): void {
  program
    .command('query')
    .description('run a SQL query against the warehouse')
    .argument('<sql>', 'the query, e.g. "SELECT * FROM gold.region_monthly_summary"')
    .option('--json', 'print JSON rows')
    .action(async (sql: string, options: { json?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<ProjectOptions>();
      const server = devServerFor(globals);
      const rows = server ? (await server.post<QueryResponse>('/api/query', { sql })).rows : await queryLocally(globals, sql);
      process.stdout.write(options.json ? `${JSON.stringify(rows, null, 2)}\n` : `${formatRows(rows)}\n`);
    });
}
