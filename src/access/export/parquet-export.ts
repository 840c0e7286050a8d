// Exports assets as Hive-partitioned Parquet with a manifest, published atomically: each export is written to a
// new version folder, then the asset's path (a symlink) is switched to it in one rename.
import { existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, relative, resolve, sep } from 'node:path';
import { SluiceError } from '../../errors.js';
import { didYouMean } from '../../model/did-you-mean.js';
import { parseAssetKey, quoteIdentifier, quoteQualified, sqlString } from '../../model/asset-key.js';
import type { Warehouse } from '../../engine/warehouse.js';
import type { MaterializationStore } from '../../store/materialization-store.js';
import type { Principal } from '../principal.js';
import { MANIFEST_FILE, type ExportManifest } from './export-manifest.js';

/** The governed read path's planner: the principal's statement with every relation policy-applied. */
export interface ExportPlanner {
  plan(principal: Principal, sql: string): Promise<{ sql: string; params: unknown[] }>;
}

/** What an exporter is built from. */
export interface ParquetExportConfig {
  warehouse: Pick<Warehouse, 'session'>;
  store: Pick<MaterializationStore, 'latestMaterializations'>;
  planner: ExportPlanner;
  /** Records each export (who, what, where, how many rows); awaited. */
  audit?: (entry: { principal: string; asset: string; path: string; rows: number }) => void | Promise<void>;
}

/** One call's options. */
export interface ParquetExportOptions {
  principal: Principal;
  /** Asset keys to export. */
  keys: readonly string[];
  /** Folder that receives `<schema>/<name>/` per asset. */
  to: string;
  /** Hive partition column (`col=value/` folders). */
  partitionBy?: string;
}

/** What one asset's export wrote. */
export interface AssetExport {
  key: string;
  /** The stable path readers use (`DIR/schema/name`). */
  path: string;
  manifest: ExportManifest;
}

const VERSION_PREFIX = '.v-';

/** Parquet files under `folder`, relative, with their `col=value` partition folders decoded. */
function listFiles(folder: string): ExportManifest['files'] {
  return (readdirSync(folder, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.parquet'))
    .sort()
    .map((file) => {
      const partition: Record<string, string | null> = {};
      for (const part of file.split(sep).slice(0, -1)) {
        const eq = part.indexOf('=');
        const value = decodeURIComponent(part.slice(eq + 1));
        partition[part.slice(0, eq)] = value === '__HIVE_DEFAULT_PARTITION__' ? null : value;
      }
      return { path: file.split(sep).join('/'), partition };
    });
}

/** Points `link` at `target` in one rename, so a reader resolves the old or the new version, never neither. */
function switchLink(link: string, target: string): string | undefined {
  let previous: string | undefined;
  if (existsSync(link) || isSymlink(link)) {
    if (!isSymlink(link)) {
      throw new SluiceError('INVALID_CONFIG', `${link} exists and is not an export Sluice manages; choose another --to folder or remove it`);
    }
    previous = readlinkSync(link);
  }
  const temporary = `${link}.${randomBytes(4).toString('hex')}.tmp`;
  symlinkSync(target, temporary, 'dir');
  renameSync(temporary, link);
  return previous;
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Exports each asset for `principal`: the rows and columns the governed path lets them see, nothing else.
 * @example await exportParquet(config, { principal, keys: ['gold/region_monthly_summary'], to: 'exports', partitionBy: 'region' });
 */
export async function exportParquet(config: ParquetExportConfig, options: ParquetExportOptions): Promise<AssetExport[]> {
  const latest = await config.store.latestMaterializations();
  const results: AssetExport[] = [];
  for (const key of options.keys) {
    const relation = parseAssetKey(key);
    const plan = await config.planner.plan(options.principal, `SELECT * FROM ${quoteQualified(relation)}`);
    const session = await config.warehouse.session();
    const parent = resolve(options.to, relation.schema);
    const version = join(parent, `${VERSION_PREFIX}${relation.name}-${Date.now()}-${randomBytes(3).toString('hex')}`);
    try {
      const columns = (await session.query<{ column_name: string; column_type: string }>(`DESCRIBE ${plan.sql}`, plan.params)).map((c) => ({
        name: c.column_name,
        type: c.column_type,
      }));
      const partitionBy =
        options.partitionBy === undefined
          ? []
          : [
              partitionColumn(
                options.partitionBy,
                columns.map((c) => c.name),
                key,
              ),
            ];
      mkdirSync(version, { recursive: true });
      const target = partitionBy.length > 0 ? version : join(version, 'data_0.parquet');
      const partition = partitionBy.length > 0 ? `, PARTITION_BY (${partitionBy.map(quoteIdentifier).join(', ')})` : '';
      const [copied] = await session.query<{ Count: number }>(`COPY (${plan.sql}) TO ${sqlString(target)} (FORMAT parquet${partition})`, plan.params);
      const materialization = latest.get(key);
      const manifest: ExportManifest = {
        format: 'parquet',
        layout: 'hive',
        asset: key,
        schema: relation.schema,
        name: relation.name,
        columns,
        partitionBy,
        rows: Number(copied?.Count ?? 0),
        files: listFiles(version),
        dataVersion: materialization?.dataVersion ?? null,
        runId: materialization?.runId ?? null,
        exportedAt: new Date().toISOString(),
        exportedBy: options.principal.id,
      };
      writeFileSync(join(version, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
      const path = join(parent, relation.name);
      const previous = switchLink(path, relative(parent, version));
      removeOldVersions(parent, relation.name, [relative(parent, version), previous]);
      await config.audit?.({ principal: options.principal.id, asset: key, path, rows: manifest.rows });
      results.push({ key, path, manifest });
    } catch (error) {
      rmSync(version, { recursive: true, force: true });
      throw error;
    } finally {
      session.close();
    }
  }
  return results;
}

/** Keeps the current and the previous version (a reader may still be in it); drops older ones. */
function removeOldVersions(parent: string, name: string, keep: readonly (string | undefined)[]): void {
  for (const entry of readdirSync(parent)) {
    if (entry.startsWith(`${VERSION_PREFIX}${name}-`) && !keep.includes(entry)) rmSync(join(parent, entry), { recursive: true, force: true });
  }
}

function partitionColumn(column: string, columns: readonly string[], key: string): string {
  const found = columns.find((c) => c.toLowerCase() === column.toLowerCase());
  if (found) return found;
  const suggestion = didYouMean(column, columns);
  throw new SluiceError(
    'INVALID_CONFIG',
    `--partition-by "${column}" is not a column of ${key}${suggestion ? `; did you mean "${suggestion}"?` : ''} (columns: ${columns.join(', ')})`,
  );
}
