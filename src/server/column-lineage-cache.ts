// The project's column lineage cache as routes reach it: the one the composition root built (`sluice.columnLineage`).
import type { ColumnLineageCache } from '../lineage/column-lineage-cache.js';
import type { Sluice } from '../runtime/sluice.js';

/**
 * The column lineage cache of an opened project, shared by every app built on it.
 * @example await columnLineageCache(sluice).get();
 */
export function columnLineageCache(sluice: Sluice): ColumnLineageCache {
  return sluice.columnLineage;
}
