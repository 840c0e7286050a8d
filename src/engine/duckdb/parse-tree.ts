// Reads the base tables a statement references out of DuckDB's json_serialize_sql parse tree.
import type { QualifiedName } from '../../model/asset-key.js';

interface TreeNode {
  [key: string]: unknown;
}

function isNode(value: unknown): value is TreeNode {
  return typeof value === 'object' && value !== null;
}

/**
 * Every `BASE_TABLE` reference in a parse tree, excluding names bound by a CTE in scope, deduplicated,
 * lower-cased. Unqualified names get the schema `main`.
 * @example collectTableReferences(tree) // [{ schema: 'silver', name: 'flights' }]
 */
export function collectTableReferences(tree: unknown): QualifiedName[] {
  const found = new Map<string, QualifiedName>();
  const visit = (value: unknown, ctes: ReadonlySet<string>): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item, ctes);
      return;
    }
    if (!isNode(value)) return;
    let scope = ctes;
    const cteMap = value.cte_map as { map?: { key: string; value: unknown }[] } | undefined;
    if (cteMap?.map && cteMap.map.length > 0) {
      // CTE names shadow tables for the whole statement, including later CTEs and recursive references.
      scope = new Set([...ctes, ...cteMap.map.map((entry) => entry.key.toLowerCase())]);
    }
    if (value.type === 'BASE_TABLE' && typeof value.table_name === 'string') {
      const schema = typeof value.schema_name === 'string' && value.schema_name !== '' ? value.schema_name.toLowerCase() : '';
      const name = value.table_name.toLowerCase();
      if (!(schema === '' && scope.has(name))) {
        const ref = { schema: schema || 'main', name };
        found.set(`${ref.schema}.${ref.name}`, ref);
      }
    }
    for (const [key, child] of Object.entries(value)) {
      if (key === 'cte_map') continue;
      visit(child, scope);
    }
    if (cteMap?.map) for (const entry of cteMap.map) visit(entry.value, scope);
  };
  visit(tree, new Set());
  return [...found.values()];
}

/**
 * The named parameters (`$start`) a parse tree uses, deduplicated.
 * @example collectParameters(tree) // ['partition_start', 'partition_end']
 */
export function collectParameters(tree: unknown): string[] {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!isNode(value)) return;
    if (value.class === 'PARAMETER' && typeof value.identifier === 'string' && !/^\d+$/.test(value.identifier)) found.add(value.identifier);
    for (const child of Object.values(value)) visit(child);
  };
  visit(tree);
  return [...found];
}
