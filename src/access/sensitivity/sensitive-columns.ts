// Sensitivity tags that follow column lineage: a column computed from a tagged column carries its tags (pure).
import type { PoliciesDefinition } from '../../model/policy-definition.js';
import type { ColumnTransform } from '../../lineage/lineage-model.js';

/** A column that carries sensitivity tags, declared on it or inherited from upstream. */
export interface SensitiveColumn {
  asset: string;
  column: string;
  tags: string[];
  /** `asset.column` of each declared tag it inherits (itself when declared there). */
  origins: string[];
  declared: boolean;
}

/** What propagation needs of column lineage: the columns that read one column directly. */
export interface ColumnConsumers {
  consumersOf(asset: string, column: string): readonly { asset: string; column: string; transform: ColumnTransform }[];
}

/**
 * Every tagged column: the declared ones and, through column lineage, every downstream column computed
 * from them (identity, transformations, aggregates, windows), to the last asset that reads them.
 * @example sensitiveColumns(project.policies, lineage).find((c) => c.column === 'origin_name')?.origins // ['bronze/airports.name']
 */
export function sensitiveColumns(policies: PoliciesDefinition, lineage: ColumnConsumers): SensitiveColumn[] {
  const found = new Map<string, SensitiveColumn>();
  const id = (asset: string, column: string): string => `${asset}.${column.toLowerCase()}`;
  const queue: { asset: string; column: string; tags: readonly string[]; origin: string }[] = [];
  for (const [asset, policy] of Object.entries(policies)) {
    for (const [column, tags] of Object.entries(policy.tags ?? {})) {
      if (tags.length === 0) continue;
      found.set(id(asset, column), { asset, column, tags: [...tags], origins: [`${asset}.${column}`], declared: true });
      queue.push({ asset, column, tags, origin: `${asset}.${column}` });
    }
  }
  while (queue.length > 0) {
    const { asset, column, tags, origin } = queue.shift()!;
    for (const consumer of lineage.consumersOf(asset, column)) {
      const key = id(consumer.asset, consumer.column);
      const current = found.get(key) ?? { asset: consumer.asset, column: consumer.column, tags: [], origins: [], declared: false };
      const newTags = tags.filter((t) => !current.tags.includes(t));
      const newOrigin = !current.origins.includes(origin);
      if (newTags.length === 0 && !newOrigin) continue;
      current.tags.push(...newTags);
      if (newOrigin) current.origins.push(origin);
      found.set(key, current);
      queue.push({ asset: consumer.asset, column: consumer.column, tags: current.tags, origin });
    }
  }
  return [...found.values()].sort((a, b) => `${a.asset}.${a.column}`.localeCompare(`${b.asset}.${b.column}`));
}
