// The one place warehouse and metadata-store adapters are built: what `Sluice.open` was given, or the defaults (DuckDB, SQLite).
import { DuckDbWarehouse } from '../engine/duckdb/duckdb-warehouse.js';
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
}

/** The default warehouse: a DuckDB file that resolves relative file paths in SQL from the project folder. */
export const duckDbWarehouse: WarehouseFactory = (project) => DuckDbWarehouse.open({ path: project.warehousePath, fileSearchPath: project.dir });

/** The default metadata store: a SQLite file. */
export const sqliteStore: StoreFactory = (project) => SqliteStore.open({ path: project.metadataPath });

/**
 * Opens the store, then the warehouse (closing the store again if the warehouse cannot open).
 * @example const { warehouse, store } = await openAdapters(project, { store: (p) => SqliteStore.open({ path: p.metadataPath }) });
 */
export async function openAdapters(project: LoadedProject, config: AdapterConfig = {}): Promise<{ warehouse: Warehouse; store: MetadataStore }> {
  const store = typeof config.store === 'function' ? await config.store(project) : (config.store ?? (await sqliteStore(project)));
  try {
    const warehouse = typeof config.warehouse === 'function' ? await config.warehouse(project) : (config.warehouse ?? (await duckDbWarehouse(project)));
    return { warehouse, store };
  } catch (error) {
    await store.close();
    throw error;
  }
}
