// `sluice export`: writes selected assets as Hive-partitioned Parquet with a manifest, through the governed read path.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { ExportResponse } from '../../api/sluice-client.js';
import { SluiceError } from '../../errors.js';
import { withClient, type ProjectOptions } from '../open-project.js';

/** Options of one export. */
export interface ExportCommandOptions {
  select: string;
  to: string;
  format?: string;
  partitionBy?: string;
}

/**
 * Exports a selection through the project's client (the `sluice dev` that owns the warehouse, or the project
 * opened here as the local developer): either way POST /api/exports reads each asset through the governed path.
 * @example await runExport({ project: 'examples/flights' }, { select: 'gold/region_monthly_summary', to: 'exports', partitionBy: 'region' });
 */
export async function runExport(options: ProjectOptions, command: ExportCommandOptions): Promise<ExportResponse> {
  if ((command.format ?? 'parquet') !== 'parquet') {
    throw new SluiceError(
      'INVALID_CONFIG',
      `--format ${command.format} is not supported; exports are written as parquet (the one format Trino, Spark, DuckDB and parquet_fdw all read)`,
    );
  }
  const request = { select: command.select, to: resolve(command.to), ...(command.partitionBy ? { partitionBy: command.partitionBy } : {}) };
  return withClient(options, (client) => client.exportAssets(request));
}

/** One line per exported asset. */
export function formatExports(response: ExportResponse): string {
  return response.exports
    .map(({ key, path, manifest }) => {
      const partitions = manifest.partitionBy.length > 0 ? `, partitioned by ${manifest.partitionBy.join(', ')}` : '';
      return `${key}: ${manifest.rows} rows in ${manifest.files.length} file(s)${partitions} -> ${path} (data version ${manifest.dataVersion ?? 'unknown'}, run ${manifest.runId ?? 'unknown'})`;
    })
    .join('\n');
}

export function configureExportCommand(program: Command): void {
  program
    .command('export')
    .requiredOption('--select <selection>', 'assets to export, e.g. gold/region_monthly_summary or group:curation')
    .requiredOption('--to <dir>', 'folder that receives <schema>/<name>/ per asset')
    .option('--format <format>', 'file format (parquet)', 'parquet')
    .option('--partition-by <column>', 'write one col=value/ folder per value of this column')
    .option('--json', 'print the manifests as JSON')
    .action(async (options: ExportCommandOptions & { json?: boolean }, command: Command) => {
      const response = await runExport(command.optsWithGlobals<ProjectOptions>(), options);
      process.stdout.write(options.json ? `${JSON.stringify(response, null, 2)}\n` : `${formatExports(response)}\n`);
    });
}
