// Safe readers for DuckDB's json_serialize_sql output, which arrives as untyped JSON.

/** A JSON object from the parse tree. */
export type TreeNode = Readonly<Record<string, unknown>>;

/**
 * The value as an object node, or undefined for null, arrays and scalars.
 * @example
 * asNode(JSON.parse('{"class":"CONSTANT"}'))?.['class'] // 'CONSTANT'
 */
export function asNode(value: unknown): TreeNode | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as TreeNode) : undefined;
}

/**
 * A string property, or '' when absent; the serializer writes '' for "no alias", so both mean the same.
 * @example
 * text({ alias: 'x' }, 'alias') // 'x'
 */
export function text(node: TreeNode | undefined, key: string): string {
  const value = node?.[key];
  return typeof value === 'string' ? value : '';
}

/**
 * An array property as object nodes (non-objects dropped), or [] when absent.
 * @example
 * nodes({ children: [{ class: 'CONSTANT' }] }, 'children').length // 1
 */
export function nodes(node: TreeNode | undefined, key: string): TreeNode[] {
  const value = node?.[key];
  if (!Array.isArray(value)) return [];
  return value.map(asNode).filter((item): item is TreeNode => item !== undefined);
}

/**
 * An array property of strings, or [] when absent.
 * @example
 * strings({ column_names: ['f', 'origin'] }, 'column_names') // ['f', 'origin']
 */
export function strings(node: TreeNode | undefined, key: string): string[] {
  const value = node?.[key];
  if (!Array.isArray(value)) return [];
  return value.filter((item): item is string => typeof item === 'string');
}

/**
 * An object property, or undefined.
 * @example
 * child({ child: { class: 'COLUMN_REF' } }, 'child')?.['class'] // 'COLUMN_REF'
 */
export function child(node: TreeNode | undefined, key: string): TreeNode | undefined {
  return asNode(node?.[key]);
}

/**
 * The value of a CONSTANT expression, or undefined when the node is not a non-null constant.
 * @example
 * constantValue({ class: 'CONSTANT', value: { is_null: false, value: 'a.csv' } }) // 'a.csv'
 */
export function constantValue(expr: TreeNode | undefined): unknown {
  if (text(expr, 'class') !== 'CONSTANT') return undefined;
  const value = child(expr, 'value');
  if (!value || value['is_null'] === true) return undefined;
  return value['value'];
}

/**
 * The 1-based position a constant integer stands for in GROUP BY 1 / ORDER BY 2, else undefined.
 * @example
 * positionOf({ class: 'CONSTANT', value: { type: { id: 'INTEGER' }, value: 2 } }) // 2
 */
export function positionOf(expr: TreeNode | undefined): number | undefined {
  const value = constantValue(expr);
  const typeId = text(child(child(expr, 'value'), 'type'), 'id');
  if (!['INTEGER', 'BIGINT', 'SMALLINT', 'TINYINT', 'HUGEINT', 'UBIGINT'].includes(typeId)) return undefined;
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/**
 * The CTE definitions on a query node, in declaration order.
 * @example
 * cteDefinitions(node).map((c) => c.name) // ['c1', 'c2']
 */
export function cteDefinitions(node: TreeNode): { name: string; aliases: string[]; query: TreeNode | undefined }[] {
  return nodes(child(node, 'cte_map'), 'map').map((entry) => {
    const value = child(entry, 'value');
    return { name: text(entry, 'key'), aliases: strings(value, 'aliases'), query: child(child(value, 'query'), 'node') };
  });
}
