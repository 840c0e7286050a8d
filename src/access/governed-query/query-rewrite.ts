// Splices policy-applied relations into a guarded parse tree and caps its rows (pure: trees in, tree out).
import type { RelationReference } from './statement-guard.js';

type TreeNode = Record<string, unknown>;

/** A policy-applied relation, parsed: its SELECT node and the values of its `$1..$n`. */
export interface ParsedRelation {
  /** `statements[0].node` of the relation's parse tree (cloned before each use). */
  node: unknown;
  params: readonly unknown[];
}

/** Shifts `$n` of a spliced relation past the parameters already bound. */
function renumberParameters(value: unknown, offset: number): void {
  if (Array.isArray(value)) return value.forEach((v) => renumberParameters(v, offset));
  if (typeof value !== 'object' || value === null) return;
  const node = value as TreeNode;
  if (node.class === 'PARAMETER' && typeof node.identifier === 'string' && /^\d+$/.test(node.identifier))
    node.identifier = String(Number(node.identifier) + offset);
  for (const child of Object.values(node)) renumberParameters(child, offset);
}

/**
 * Replaces each relation reference in place by a subquery over its policy-applied form, aliased as the
 * reference was (or by its table name, so `flights.origin` still binds), and returns the bound values in order.
 * @example const params = spliceRelations(refs, (ref) => parsed.get(`${ref.schema}/${ref.name}`)!);
 */
export function spliceRelations(references: readonly RelationReference[], relationOf: (ref: RelationReference) => ParsedRelation): unknown[] {
  const params: unknown[] = [];
  for (const ref of references) {
    const relation = relationOf(ref);
    const node = structuredClone(relation.node);
    renumberParameters(node, params.length);
    params.push(...relation.params);
    const original = { ...ref.node };
    for (const key of Object.keys(ref.node)) delete ref.node[key];
    Object.assign(ref.node, {
      type: 'SUBQUERY',
      alias: original.alias || ref.name,
      sample: original.sample ?? null,
      query_location: original.query_location,
      subquery: { node, named_param_map: [] },
      column_name_alias: original.column_name_alias ?? [],
    });
  }
  return params;
}

/**
 * Makes the statement return at most `rows` rows: a LIMIT on the outermost query when it has none.
 * Returns false when it already has a LIMIT (the caller then wraps the SQL text).
 * @example capRows(statement, 10_001)
 */
export function capRows(statement: TreeNode, rows: number): boolean {
  const node = statement.node as TreeNode;
  const modifiers = (node.modifiers ?? []) as TreeNode[];
  if (modifiers.some((m) => m.type === 'LIMIT_MODIFIER' || m.type === 'LIMIT_PERCENT_MODIFIER')) return false;
  modifiers.push({
    type: 'LIMIT_MODIFIER',
    limit: {
      class: 'CONSTANT',
      type: 'VALUE_CONSTANT',
      alias: '',
      query_location: 0,
      value: { type: { id: 'BIGINT', type_info: null }, is_null: false, value: rows },
    },
    offset: null,
  });
  node.modifiers = modifiers;
  return true;
}
