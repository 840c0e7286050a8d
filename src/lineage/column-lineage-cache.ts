// The project's column lineage, analysed once per state of the warehouse and shared by every reader of an opened project.
import type { Warehouse } from '../engine/warehouse.js';
import type { AssetGraph } from '../model/asset-graph.js';
import type { RunEvent } from '../model/run-event.js';
import type { ProjectColumnLineage } from './project-column-lineage.js';
import { loadColumnLineage } from './load-column-lineage.js';

/** What the cache follows and reads. */
export interface ColumnLineageCacheDeps {
  bus: {
    on(type: 'event', listener: (event: RunEvent) => void): unknown;
    off(type: 'event', listener: (event: RunEvent) => void): unknown;
  };
  graph: AssetGraph;
  warehouse: Warehouse;
}

/**
 * Column lineage of an opened project. The analysis reads the definitions' SQL (fixed while the project is
 * open) and the warehouse's columns: those of published assets (a `SELECT *` follows them), of source files
 * and of tables outside Sluice. So it is analysed on first use and again only after something may have
 * changed those columns: an asset was published (`asset_succeeded`), or SQL was sent through the API.
 * A source file edited in place shows at the next materialization.
 * @example const lineage = await sluice.columnLineage.get(); lineage.asset('gold/daily').columns
 */
export class ColumnLineageCache {
  private current: Promise<ProjectColumnLineage> | undefined;
  private started = 0;
  private readonly onEvent = (event: RunEvent): void => {
    if (event.type === 'asset_succeeded') this.invalidate();
  };

  constructor(private readonly deps: ColumnLineageCacheDeps) {
    deps.bus.on('event', this.onEvent);
  }

  /** How many analyses have started since the project was opened (for diagnostics and tests). */
  get analyses(): number {
    return this.started;
  }

  /** The lineage of the current warehouse state; concurrent callers share one analysis. */
  get(): Promise<ProjectColumnLineage> {
    if (this.current) return this.current;
    this.started += 1;
    const analysis = loadColumnLineage(this.deps.graph, this.deps.warehouse);
    this.current = analysis;
    // A failed analysis is not kept: the next request tries again.
    analysis.catch(() => {
      if (this.current === analysis) this.current = undefined;
    });
    return analysis;
  }

  /**
   * Forgets the analysis: the next `get()` analyses again. An analysis still running is not reused either,
   * since it may have read the columns from before the change.
   */
  invalidate(): void {
    this.current = undefined;
  }

  /** Stops following the project's runs. */
  async close(): Promise<void> {
    this.deps.bus.off('event', this.onEvent);
  }
}
