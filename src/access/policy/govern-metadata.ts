// Metadata that carries values (column statistics of materializations) as one principal may see it (pure).
import type { PolicyPrincipal } from './policy-principal.js';
import type { PolicySet } from './policy-set.js';

/** A materialization-like record whose metadata may hold `columnStats` ({ name, min, max, ... }[]). */
interface WithMetadata {
  metadata: Record<string, unknown>;
}

/**
 * Removes values a principal may not see from column statistics: min and max of a masked column, and of
 * every column when a row filter applies (the extremes may sit in rows the principal cannot read).
 * @example const shown = governColumnStats(policies, viewer, 'gold/region_monthly_summary', materializations);
 */
export function governColumnStats<T extends WithMetadata>(policies: PolicySet, principal: PolicyPrincipal, key: string, records: readonly T[]): T[] {
  if (!policies.restricts(principal, key)) return [...records];
  const relation = policies.relation(principal, key);
  const filtered = relation.filters.length > 0;
  return records.map((record) => {
    const stats = record.metadata.columnStats;
    if (!Array.isArray(stats)) return record;
    const governed = stats.map((s: { name?: unknown }) => (filtered || relation.masks.has(String(s.name).toLowerCase()) ? { ...s, min: null, max: null } : s));
    return { ...record, metadata: { ...record.metadata, columnStats: governed } };
  });
}
