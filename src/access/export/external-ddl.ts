// External-table DDL over an export's Parquet/Hive layout, for Trino, Spark, DuckDB and PostgreSQL.
import { SluiceError } from '../../errors.js';
import type { ExportManifest } from './export-manifest.js';

/** Engines `sluice ddl` writes for. */
export const DDL_ENGINES = ['trino', 'spark', 'duckdb', 'postgres'] as const;
export type DdlEngine = (typeof DDL_ENGINES)[number];

/** What the DDL describes: the manifest's columns and partitions, at `location`. */
export interface ExternalDdlOptions {
  engine: DdlEngine;
  manifest: Pick<ExportManifest, 'schema' | 'name' | 'columns' | 'partitionBy' | 'files'>;
  /** Where the export folder is, as the engine reaches it (`s3://bucket/exports/gold/x`, `/data/exports/gold/x`). */
  location: string;
  /** Trino catalog of the Hive connector (default `hive`). */
  catalog?: string;
  /** PostgreSQL: the parquet_fdw server (default `parquet_srv`). */
  server?: string;
}

/** Double-quoted identifier (Trino, DuckDB, PostgreSQL): `"` doubled. */
const dq = (name: string): string => `"${name.replaceAll('"', '""')}"`;
/** Backquoted identifier (Spark SQL): backquote doubled. */
const bq = (name: string): string => `\`${name.replaceAll('`', '``')}\``;
/** Single-quoted string literal. */
const lit = (text: string): string => `'${text.replaceAll("'", "''")}'`;

const DECIMAL = /^DECIMAL\((\d+),\s*(\d+)\)$/i;

/**
 * DuckDB type -> the engine's type name (lists, structs and the like are not part of the layout's contract).
 * @example engineType('VARCHAR', 'spark') // 'STRING'
 */
export function engineType(type: string, engine: DdlEngine): string {
  const upper = type.toUpperCase();
  if (engine === 'duckdb') return upper;
  const decimal = DECIMAL.exec(upper);
  if (decimal) return `${engine === 'spark' ? 'DECIMAL' : 'decimal'}(${decimal[1]},${decimal[2]})`;
  const table: Record<string, Record<Exclude<DdlEngine, 'duckdb'>, string>> = {
    BOOLEAN: { trino: 'boolean', spark: 'BOOLEAN', postgres: 'boolean' },
    TINYINT: { trino: 'tinyint', spark: 'TINYINT', postgres: 'smallint' },
    SMALLINT: { trino: 'smallint', spark: 'SMALLINT', postgres: 'smallint' },
    INTEGER: { trino: 'integer', spark: 'INT', postgres: 'integer' },
    BIGINT: { trino: 'bigint', spark: 'BIGINT', postgres: 'bigint' },
    HUGEINT: { trino: 'decimal(38,0)', spark: 'DECIMAL(38,0)', postgres: 'numeric(38,0)' },
    FLOAT: { trino: 'real', spark: 'FLOAT', postgres: 'real' },
    DOUBLE: { trino: 'double', spark: 'DOUBLE', postgres: 'double precision' },
    VARCHAR: { trino: 'varchar', spark: 'STRING', postgres: 'text' },
    BLOB: { trino: 'varbinary', spark: 'BINARY', postgres: 'bytea' },
    DATE: { trino: 'date', spark: 'DATE', postgres: 'date' },
    TIMESTAMP: { trino: 'timestamp(6)', spark: 'TIMESTAMP_NTZ', postgres: 'timestamp' },
    'TIMESTAMP WITH TIME ZONE': { trino: 'timestamp(6) with time zone', spark: 'TIMESTAMP', postgres: 'timestamptz' },
  };
  const mapped = table[upper]?.[engine];
  if (!mapped)
    throw new SluiceError('INVALID_CONFIG', `column type ${type} has no ${engine} equivalent in a Parquet external table; cast it in a view before exporting`);
  return mapped;
}

/**
 * The DDL that makes an engine read an export where it lies: DuckDB a view over read_parquet, Trino and Spark
 * partitioned external tables (then a partition sync), PostgreSQL parquet_fdw foreign tables under a view that
 * adds the partition values.
 * @example externalDdl({ engine: 'trino', manifest, location: 's3://lake/exports/gold/region_monthly_summary' })
 */
export function externalDdl(options: ExternalDdlOptions): string {
  const { manifest, engine } = options;
  const location = options.location.replace(/\/+$/, '');
  const data = manifest.columns.filter((c) => !manifest.partitionBy.includes(c.name));
  const partitions = manifest.partitionBy.map((name) => manifest.columns.find((c) => c.name === name)!);
  switch (engine) {
    case 'duckdb': {
      const types = partitions.length > 0 ? `, hive_types = {${partitions.map((c) => `${lit(c.name)}: ${lit(c.type)}`).join(', ')}}` : '';
      return [
        `CREATE SCHEMA IF NOT EXISTS ${dq(manifest.schema)};`,
        `CREATE OR REPLACE VIEW ${dq(manifest.schema)}.${dq(manifest.name)} AS`,
        `SELECT * FROM read_parquet(${lit(`${location}/**/*.parquet`)}, hive_partitioning = ${partitions.length > 0}${types});`,
      ].join('\n');
    }
    case 'trino': {
      const table = `${dq(options.catalog ?? 'hive')}.${dq(manifest.schema)}.${dq(manifest.name)}`;
      const props = [`external_location = ${lit(location)}`, `format = 'PARQUET'`];
      if (partitions.length > 0) props.push(`partitioned_by = ARRAY[${partitions.map((c) => lit(c.name)).join(', ')}]`);
      const lines = [
        `CREATE SCHEMA IF NOT EXISTS ${dq(options.catalog ?? 'hive')}.${dq(manifest.schema)};`,
        // The Hive connector wants the partition columns last.
        `CREATE TABLE ${table} (\n${[...data, ...partitions].map((c) => `  ${dq(c.name)} ${engineType(c.type, engine)}`).join(',\n')}\n)\nWITH (\n  ${props.join(',\n  ')}\n);`,
      ];
      if (partitions.length > 0)
        lines.push(`CALL ${dq(options.catalog ?? 'hive')}.system.sync_partition_metadata(${lit(manifest.schema)}, ${lit(manifest.name)}, 'FULL');`);
      return lines.join('\n');
    }
    case 'spark': {
      const table = `${bq(manifest.schema)}.${bq(manifest.name)}`;
      const lines = [
        `CREATE SCHEMA IF NOT EXISTS ${bq(manifest.schema)};`,
        `CREATE TABLE IF NOT EXISTS ${table} (\n${[...data, ...partitions].map((c) => `  ${bq(c.name)} ${engineType(c.type, engine)}`).join(',\n')}\n)\nUSING PARQUET` +
          (partitions.length > 0 ? `\nPARTITIONED BY (${partitions.map((c) => bq(c.name)).join(', ')})` : '') +
          `\nLOCATION ${lit(location)};`,
      ];
      if (partitions.length > 0) lines.push(`MSCK REPAIR TABLE ${table};`);
      return lines.join('\n');
    }
    case 'postgres':
      return postgresDdl(options, location, data, partitions);
  }
}

/** parquet_fdw reads files, not folders: one foreign table per partition, a view adding each partition's values. */
function postgresDdl(options: ExternalDdlOptions, location: string, data: ExportManifest['columns'], partitions: ExportManifest['columns']): string {
  const { manifest } = options;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location) && !location.startsWith('file://')) {
    throw new SluiceError(
      'INVALID_CONFIG',
      `PostgreSQL (parquet_fdw) reads local files only; give --location as a folder path the database server can read, not ${location}`,
    );
  }
  const folder = location.replace(/^file:\/\//, '');
  const server = dq(options.server ?? 'parquet_srv');
  const columns = data.map((c) => `  ${dq(c.name)} ${engineType(c.type, 'postgres')}`).join(',\n');
  const groups = new Map<string, { values: Record<string, string | null>; files: string[] }>();
  for (const file of manifest.files) {
    const id = JSON.stringify(partitions.map((p) => file.partition[p.name] ?? null));
    const group = groups.get(id) ?? { values: file.partition, files: [] };
    group.files.push(`${folder}/${file.path}`);
    groups.set(id, group);
  }
  const lines = [`CREATE SCHEMA IF NOT EXISTS ${dq(manifest.schema)};`];
  const selects: string[] = [];
  [...groups.values()].forEach((group, i) => {
    const part = dq(`${manifest.name}__part_${i}`);
    lines.push(`CREATE FOREIGN TABLE ${dq(manifest.schema)}.${part} (\n${columns}\n) SERVER ${server} OPTIONS (filename ${lit(group.files.join(' '))});`);
    const values = partitions.map((p) => {
      const value = group.values[p.name];
      return `${value === null || value === undefined ? 'NULL' : lit(value)}::${engineType(p.type, 'postgres')} AS ${dq(p.name)}`;
    });
    selects.push(`SELECT ${[...data.map((c) => dq(c.name)), ...values].join(', ')} FROM ${dq(manifest.schema)}.${part}`);
  });
  if (selects.length === 0) throw new SluiceError('INVALID_CONFIG', `the export of ${manifest.schema}.${manifest.name} holds no Parquet files`);
  lines.push(`CREATE OR REPLACE VIEW ${dq(manifest.schema)}.${dq(manifest.name)} AS\n${selects.join('\nUNION ALL\n')};`);
  return lines.join('\n');
}
