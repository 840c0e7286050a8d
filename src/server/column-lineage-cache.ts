// The project's column lineage, analysed once per state of the warehouse and shared by every request of the server.
import type { ProjectColumnLineage } from '../lineage/project-column-lineage.js';
import { loadColumnLineage } from '../lineage/load-column-lineage.js';
import type { Sluice } from '../runtime/sluice.js';
import type { RunEvent } from './api-types.js';

/**
 * Column lineage of an opened project. The analysis reads the definitions' SQL (fixed while the project is
 * open) and the warehouse's columns: those of published assets (a `SELECT *` follows them), of source files
 * and of tables outside Sluice. So it is analysed on first use and again only after something may have
 * changed those columns: an asset was published (`asset_succeeded`), or SQL was sent through the API.
 * A source file edited in place shows at the next materialization.
 * @example const lineage = await columnLineageCache(sluice).get(); lineage.asset('gold/daily').columns
 */
export class ColumnLineageCache {
  private current: Promise<ProjectColumnLineage> | undefined;
  private started = 0;
  private readonly onEvent = (event: RunEvent): void => {
    if (event.type === 'asset_succeeded') this.invalidate();
  };

  constructor(private readonly sluice: Sluice) {
    sluice.bus.on('event', this.onEvent);
  }

  /** How many analyses have started since the project was opened (for diagnostics and tests). */
  get analyses(): number {
    return this.started;
  }

  /** The lineage of the current warehouse state; concurrent callers share one analysis. */
  get(): Promise<ProjectColumnLineage> {
    if (this.current) return this.current;
    this.started += 1;
    const analysis = loadColumnLineage(this.sluice.project.graph, this.sluice.warehouse);
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
  dispose(): void {
    this.sluice.bus.off('event', this.onEvent);
    caches.delete(this.sluice);
  }
}

const caches = new WeakMap<Sluice, ColumnLineageCache>();

/**
 * The one cache of an opened project, shared by every app built on it (one bus listener, one analysis).
 * @example columnLineageCache(sluice).invalidate();
 */
export function columnLineageCache(sluice: Sluice): ColumnLineageCache {
  let cache = caches.get(sluice);
  if (!cache) caches.set(sluice, (cache = new ColumnLineageCache(sluice)));
  return cache;
}
