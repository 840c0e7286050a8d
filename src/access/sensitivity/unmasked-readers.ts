// The CI check: tagged columns (declared or inherited) that someone who may read their rows sees unmasked (pure).
import type { PoliciesDefinition } from '../../model/policy-definition.js';
import { selectorMatches, type PolicyPrincipal } from '../policy/policy-principal.js';
import type { SensitiveColumn } from './sensitive-columns.js';

/** One tagged column that a reader sees in the clear without anyone having decided so. */
export interface UnmaskedReader {
  column: SensitiveColumn;
  /** Who: a user id (with an access configuration) or a role name. */
  reader: string;
}

/**
 * For each tagged column and each reader who may see the asset's rows: no mask of that column applies to
 * them and no mask exempts them by `unless` (an exemption is a decision; silence is the finding).
 * @example unmaskedReaders(columns, policies, [analystWest], mayPreview) // [] when every tagged column is masked for her
 */
export function unmaskedReaders<P extends PolicyPrincipal>(
  columns: readonly SensitiveColumn[],
  policies: PoliciesDefinition,
  readers: readonly P[],
  mayReadRows: (principal: P, asset: string) => boolean,
): UnmaskedReader[] {
  const findings: UnmaskedReader[] = [];
  for (const column of columns) {
    const masks = (policies[column.asset]?.masks ?? []).filter((m) => m.column.toLowerCase() === column.column.toLowerCase());
    for (const reader of readers) {
      if (!mayReadRows(reader, column.asset)) continue;
      const decided = masks.some((m) => (m.unless && selectorMatches(m.unless, reader)) || (m.appliesTo ? selectorMatches(m.appliesTo, reader) : true));
      if (!decided) findings.push({ column, reader: reader.id });
    }
  }
  return findings;
}
