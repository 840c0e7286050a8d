// `sluice ddl`: prints the external-table DDL that makes Trino, Spark, DuckDB or PostgreSQL read an export.
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { readManifest } from '../../access/export/export-manifest.js';
import { DDL_ENGINES, externalDdl, type DdlEngine } from '../../access/export/external-ddl.js';
import { SluiceError } from '../../errors.js';
import { parseAssetKey } from '../../model/asset-key.js';
import { resolveSelection } from '../../model/selection.js';
import { loadDefinitions, type ProjectOptions } from '../open-project.js';

/** Options of `sluice ddl`. */
export interface DdlCommandOptions {
  engine: DdlEngine;
  select: string;
  /** The export folder (`--to` of `sluice export`) as the engine reaches it. */
  location: string;
  /** The same folder on this machine, where the manifests are (default: `location` when it is a local path). */
  from?: string;
  /** Trino: the Hive connector's catalog. */
  catalog?: string;
  /** PostgreSQL: the parquet_fdw server. */
  server?: string;
}

const isRemote = (location: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(location) && !location.startsWith('file://');

/**
 * The DDL of every selected asset, from the manifests of its export.
 * @example await ddlFor({ project: 'examples/flights' }, { engine: 'trino', select: 'gold/region_monthly_summary', location: 's3://lake/exports', from: 'exports' })
 */
export async function ddlFor(options: ProjectOptions, command: DdlCommandOptions): Promise<string> {
  const project = await loadDefinitions(options);
  const selected = resolveSelection(project.graph, command.select);
  const local = command.from ?? (isRemote(command.location) ? undefined : command.location.replace(/^file:\/\//, ''));
  if (local === undefined) {
    throw new SluiceError(
      'INVALID_CONFIG',
      `--location ${command.location} is not on this machine; pass --from DIR, the folder \`sluice export --to\` wrote, so its manifests can be read`,
    );
  }
  const location = command.location.replace(/\/+$/, '');
  return project.graph.order
    .filter((key) => selected.has(key))
    .map((key) => {
      const { schema, name } = parseAssetKey(key);
      const manifest = readManifest(join(local, schema, name));
      const ddl = externalDdl({
        engine: command.engine,
        manifest,
        location: `${location}/${schema}/${name}`,
        ...(command.catalog ? { catalog: command.catalog } : {}),
        ...(command.server ? { server: command.server } : {}),
      });
      return `-- ${key}: ${manifest.rows} rows, exported ${manifest.exportedAt} (data version ${manifest.dataVersion ?? 'unknown'})\n${ddl}`;
    })
    .join('\n\n');
}

function parseEngine(value: string): DdlEngine {
  if (!(DDL_ENGINES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${DDL_ENGINES.join(', ')}`);
  return value as DdlEngine;
}

export function configureDdlCommand(program: Command): void {
  program
    .command('ddl')
    .requiredOption('--engine <engine>', `target engine: ${DDL_ENGINES.join(', ')}`, parseEngine)
    .requiredOption('--select <selection>', 'assets, e.g. gold/region_monthly_summary or group:curation')
    .requiredOption('--location <uri>', 'the export folder as the engine reaches it, e.g. s3://lake/exports or /srv/exports')
    .option('--from <dir>', 'the same folder on this machine, to read the manifests (default: --location when local)')
    .option('--catalog <name>', 'Trino: the Hive connector catalog', 'hive')
    .option('--server <name>', 'PostgreSQL: the parquet_fdw server', 'parquet_srv')
    .action(async (options: DdlCommandOptions, command: Command) => {
      process.stdout.write(`${await ddlFor(command.optsWithGlobals<ProjectOptions>(), options)}\n`);
    });
}
