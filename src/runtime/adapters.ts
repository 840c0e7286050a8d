// The one place warehouse and metadata-store adapters are built: what `Sluice.open` was given, or the defaults (DuckDB, SQLite).
// The PostgreSQL adapters are imported when one is built: `pg` is not loaded by projects (and commands) that never use it.
import { SluiceError } from '../errors.js';
import type { Warehouse } from '../engine/warehouse.js';
import type { MetadataStore } from '../store/metadata-store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { LoadedProject } from './project-loader.js';

/** Builds a warehouse for an opened project (its folder and configured warehouse path). */
export type WarehouseFactory = (project: LoadedProject) => Promise<Warehouse>;
/** Builds a metadata store for an opened project (its configured metadata path). */
export type StoreFactory = (project: LoadedProject) => Promise<MetadataStore> | MetadataStore;

/** Adapters `Sluice.open` may be given: ready-made, or factories that receive the loaded project. */
export interface AdapterConfig {
  warehouse?: Warehouse | WarehouseFactory;
  store?: MetadataStore | StoreFactory;
  /** Read for SLUICE_WAREHOUSE_URL and SLUICE_METADATA_URL when no adapter is given; default: the process's environment. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The default warehouse: a DuckDB file that resolves relative file paths in SQL from the project folder. */
export const duckDbWarehouse: WarehouseFactory = async (project) =>
  // Imported when a warehouse is opened: loading DuckDB costs ~300 ms that reading definitions and statuses does not need.
  (await import('../engine/duckdb/duckdb-warehouse.js')).DuckDbWarehouse.open({ path: project.warehousePath, fileSearchPath: project.dir });

/** The default metadata store: a SQLite file. */
export const sqliteStore: StoreFactory = (project) => SqliteStore.open({ path: project.metadataPath });

/**
 * A PostgreSQL warehouse (docs/production.md); files its SQL reads resolve from the project folder, as on DuckDB.
 * @example await Sluice.open({ warehouse: postgresWarehouse('postgres://sluice@db:5432/warehouse') });
 */
export const postgresWarehouse =
  (url: string): WarehouseFactory =>
  async (project) =>
    (await import('../engine/postgres/postgres-warehouse.js')).PostgresWarehouse.open({ url, fileSearchPath: project.dir });

/**
 * A PostgreSQL metadata store, safe for many schedulers, workers and servers at once (docs/production.md).
 * @example await Sluice.open({ store: postgresStore('postgres://sluice@db:5432/sluice') });
 */
export const postgresStore =
  (url: string): StoreFactory =>
  async () =>
    (await import('../store/postgres/postgres-store.js')).PostgresStore.open({ url });

/** The environment variable first, then the project's `url`; a variable that is set must be a PostgreSQL URL. */
function configuredUrl(env: AdapterConfig['env'], variable: string, fromProject: string | undefined): string | undefined {
  const value = env?.[variable];
  if (value === undefined || value === '') return fromProject;
  if (!/^postgres(ql)?:\/\//.test(value)) {
    throw new SluiceError(
      'INVALID_CONFIG',
      `${variable} must be a PostgreSQL URL (postgres://USER:PASSWORD@HOST:PORT/DATABASE); unset it to use the project's files`,
    );
  }
  return value;
}

/** The warehouse when none is given: SLUICE_WAREHOUSE_URL, then the project's `warehouse.url`, then its DuckDB file. */
function defaultWarehouse(project: LoadedProject, env: AdapterConfig['env']): WarehouseFactory {
  const url = configuredUrl(env, 'SLUICE_WAREHOUSE_URL', project.definition.warehouseUrl);
  return url ? postgresWarehouse(url) : duckDbWarehouse;
}

/** The store when none is given: SLUICE_METADATA_URL, then the project's `metadata.url`, then its SQLite file. */
function defaultStore(project: LoadedProject, env: AdapterConfig['env']): StoreFactory {
  const url = configuredUrl(env, 'SLUICE_METADATA_URL', project.definition.metadataUrl);
  return url ? postgresStore(url) : sqliteStore;
}

/**
 * Opens the metadata store alone, for commands that must not open the warehouse another process may hold (`sluice automation`).
 * @example const store = await openStore(project, { env: process.env });
 */
export async function openStore(project: LoadedProject, config: AdapterConfig = {}): Promise<MetadataStore> {
  return typeof config.store === 'function' ? config.store(project) : (config.store ?? defaultStore(project, config.env ?? process.env)(project));
}

/**
 * Opens the store, then the warehouse (closing the store again if the warehouse cannot open).
 * @example const { warehouse, store } = await openAdapters(project, { store: (p) => SqliteStore.open({ path: p.metadataPath }) });
 */
export async function openAdapters(project: LoadedProject, config: AdapterConfig = {}): Promise<{ warehouse: Warehouse; store: MetadataStore }> {
  const env = config.env ?? process.env;
  const store = await openStore(project, config);
  try {
    const warehouse =
      typeof config.warehouse === 'function' ? await config.warehouse(project) : (config.warehouse ?? (await defaultWarehouse(project, env)(project)));
    return { warehouse, store };
  } catch (error) {
    await store.close();
    throw error;
  }
}
