// The select list: `*` with EXCLUDE/REPLACE/RENAME, `t.*`, COLUMNS([...]) and aliased expressions.
import type { Relation, RelationColumn } from './lineage-model.js';
import { dedupeSources } from './lineage-model.js';
import { expressionLineage } from './expression-lineage.js';
import { expressionName } from './expression-name.js';
import type { LineageEnv, Scope, StarEntry } from './lineage-scope.js';
import type { TreeNode } from './parse-tree.js';
import { child, constantValue, nodes, strings, text } from './parse-tree.js';

/** The columns one select item produces; `hasAggregate` keeps it out of GROUP BY ALL. */
export interface SelectItemLineage extends Relation {
  hasAggregate: boolean;
}

const lower = (name: string): string => name.toLowerCase();

/**
 * The output columns of one select-list item, with its alias registered for later items and clauses.
 * @example
 * selectItem(avgDelayItem, scope, env).columns[0]?.name // 'avg_delay_min'
 */
export function selectItem(item: TreeNode, scope: Scope, env: LineageEnv): SelectItemLineage {
  if (text(item, 'class') === 'STAR') {
    return { ...(item['columns'] === true ? columnsExpression(item, scope, env) : expandStar(item, scope, env)), hasAggregate: false };
  }
  const lineage = expressionLineage(item, scope, env, 'fallback');
  const alias = text(item, 'alias');
  const columnName = bareColumnName(item, scope);
  const column: RelationColumn = { name: alias || columnName || expressionName(item), sources: dedupeSources(lineage.sources), transform: lineage.transform };
  if (!alias && !columnName) column.approximate = true;
  if (alias) scope.aliases.set(lower(alias), column);
  return { columns: [column], complete: true, hasAggregate: lineage.hasAggregate };
}

/** DuckDB names an unaliased bare column as the catalog spells it (`SELECT ORIGIN` gives `origin`). */
function bareColumnName(item: TreeNode, scope: Scope): string | undefined {
  switch (text(item, 'class')) {
    case 'COLUMN_REF':
      return scope.resolve(strings(item, 'column_names'), 'fallback')?.name ?? expressionName(item);
    case 'POSITIONAL_REFERENCE':
      return typeof item['index'] === 'number' ? scope.positional(item['index'])?.name : undefined;
    default:
      return undefined;
  }
}

/** Which FROM columns a star covers, and whether they are all known. */
function starEntries(relationName: string, scope: Scope, env: LineageEnv): { entries: StarEntry[]; relation: Relation } {
  const bindings = relationName ? scope.from.bindings.filter((b) => b.name === lower(relationName)) : scope.from.bindings;
  if (relationName && bindings.length === 0) {
    env.sink.warn(`"${relationName}.*" names no table in the FROM clause, so its columns are unknown`);
    return { entries: [], relation: { columns: [], complete: false } };
  }
  const entries = relationName ? bindings.flatMap((b) => b.relation.columns.map((column) => ({ binding: b.name, column }))) : scope.from.star;
  const open = bindings.filter((b) => !b.relation.complete);
  if (open.length === 0) return { entries, relation: { columns: [], complete: true } };
  const rests = open.map((b) => b.relation.rest);
  const rest = rests.every((r): r is string[] => r !== undefined) ? [...new Set(rests.flat())] : undefined;
  const relation: Relation = { columns: [], complete: false };
  if (rest) relation.rest = rest;
  return { entries, relation };
}

/** `*`, `t.*`, with EXCLUDE, REPLACE and RENAME applied. */
function expandStar(item: TreeNode, scope: Scope, env: LineageEnv): Relation {
  const { entries, relation } = starEntries(text(item, 'relation_name'), scope, env);
  const excluded = new Set(strings(item, 'exclude_list').map(lower));
  const qualifiedExcluded = new Set(nodes(item, 'qualified_exclude_list').map((q) => `${lower(text(q, 'table'))}.${lower(text(q, 'column'))}`));
  const replacements = new Map(nodes(item, 'replace_list').map((r) => [lower(text(r, 'key')), child(r, 'value')] as const));
  const renames = new Map(nodes(item, 'rename_list').map((r) => [lower(text(child(r, 'key'), 'column')), text(r, 'value')] as const));
  const columns: RelationColumn[] = [];
  const replaced = new Set<string>();
  for (const { binding, column } of entries) {
    const key = lower(column.name);
    if (excluded.has(key) || qualifiedExcluded.has(`${binding}.${key}`)) continue;
    const replacement = replacements.get(key);
    if (replacements.has(key)) {
      replaced.add(key);
      columns.push(replacedColumn(column.name, replacement, scope, env));
    } else {
      columns.push({ ...column, name: renames.get(key) ?? column.name });
    }
  }
  // A replaced column missing from the known ones lives among the unknown columns of an open relation.
  for (const [key, replacement] of replacements) {
    if (!replaced.has(key) && !relation.complete) columns.push(replacedColumn(key, replacement, scope, env));
  }
  return { ...relation, columns };
}

function replacedColumn(name: string, value: TreeNode | undefined, scope: Scope, env: LineageEnv): RelationColumn {
  const lineage = expressionLineage(value, scope, env, 'none');
  return { name, sources: dedupeSources(lineage.sources), transform: lineage.transform };
}

/** COLUMNS(*) and COLUMNS(['a', 'b']); patterns and lambdas pick columns by rules we do not re-implement. */
function columnsExpression(item: TreeNode, scope: Scope, env: LineageEnv): Relation {
  const expr = child(item, 'expr');
  if (!expr) return expandStar(item, scope, env);
  const names = text(expr, 'function_name') === 'list_value' ? nodes(expr, 'children').map(constantValue) : [];
  if (names.length === 0 || !names.every((n): n is string => typeof n === 'string')) {
    env.sink.warn('COLUMNS(...) with a pattern or lambda is not supported; the columns it selects are missing from the lineage');
    return { columns: [], complete: false };
  }
  const columns: RelationColumn[] = [];
  for (const name of names) {
    const column = scope.resolve([name], 'none');
    if (column) columns.push({ ...column, name });
  }
  return { columns, complete: true };
}
