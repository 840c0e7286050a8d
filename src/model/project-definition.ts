// A project: its assets and where its warehouse and metadata live.
import { SluiceError } from '../errors.js';
import type { AssetDefinition } from './asset-definition.js';
import { normalizeAssetKey } from './asset-key.js';

/** What `sluice.config.ts` declares. */
export interface ProjectConfig {
  name?: string;
  /** Asset definitions; nested arrays (e.g. from `sqlAssets()`) are flattened. */
  assets: readonly (AssetDefinition | readonly AssetDefinition[])[];
  /** DuckDB warehouse file, relative to the project directory (default `data/warehouse.duckdb`). */
  warehouse?: { path?: string };
  /** SQLite metadata file, relative to the project directory (default `data/sluice.sqlite`). */
  metadata?: { path?: string };
  /** Tables that SQL assets may read although no asset defines them (`schema/name`). */
  externalTables?: readonly string[];
  /** How many assets may build at once (default 4). */
  concurrency?: number;
}

/** A validated project declaration (the asset graph is built when the project is loaded). */
export interface ProjectDefinition {
  readonly kind: 'sluice-project';
  name: string;
  assets: readonly AssetDefinition[];
  warehousePath: string;
  metadataPath: string;
  externalTables: readonly string[];
  concurrency: number;
}

/**
 * Declares a project; export it from `sluice.config.ts` as `project`.
 * @example
 * export const project = defineProject({ name: 'flights', assets: [bronzeFlights, ...sqlAssets('sql')] });
 */
export function defineProject(config: ProjectConfig): ProjectDefinition {
  if (!config || !Array.isArray(config.assets)) {
    throw new SluiceError('INVALID_CONFIG', 'defineProject needs `assets`: an array of asset() definitions');
  }
  const concurrency = config.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new SluiceError('INVALID_CONFIG', `concurrency must be a whole number >= 1, got ${String(config.concurrency)}`);
  }
  return {
    kind: 'sluice-project',
    name: config.name ?? 'sluice',
    assets: config.assets.flat(),
    warehousePath: config.warehouse?.path ?? 'data/warehouse.duckdb',
    metadataPath: config.metadata?.path ?? 'data/sluice.sqlite',
    externalTables: (config.externalTables ?? []).map(normalizeAssetKey),
    concurrency,
  };
}
