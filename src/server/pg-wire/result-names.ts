// Result column names as PostgreSQL gives them (`count` for count(*), `?column?` for an expression), so clients
// and BI tools that read columns by name see what they would see from PostgreSQL.
import { pgTypeOf } from './pg-types.js';

interface Expression {
  class?: string;
  type?: string;
  alias?: string;
  function_name?: string;
  column_names?: string[];
  cast_type?: { id?: string };
  child?: Expression;
  subquery_type?: string;
}

interface QueryNode {
  type?: string;
  select_list?: Expression[];
  left?: QueryNode;
}

/** PostgreSQL's name of one unaliased select-list expression, or undefined when it cannot be told. */
function nameOf(expression: Expression): string | undefined {
  switch (expression.class) {
    case 'COLUMN_REF':
      return expression.column_names?.at(-1);
    case 'FUNCTION': {
      const name = expression.function_name ?? '';
      if (name === 'count_star') return 'count';
      // Operators (`+`, `||`) are functions to DuckDB, expressions to PostgreSQL.
      return /^[a-z_][a-z0-9_]*$/i.test(name) ? name : '?column?';
    }
    case 'CAST': {
      const inner = expression.child ? nameOf(expression.child) : undefined;
      return inner && inner !== '?column?' ? inner : pgTypeOf(expression.cast_type?.id ?? '').typname;
    }
    case 'CASE':
      return 'case';
    case 'OPERATOR':
      return expression.type === 'OPERATOR_COALESCE' ? 'coalesce' : '?column?';
    case 'SUBQUERY':
      return expression.subquery_type === 'EXISTS' ? 'exists' : '?column?';
    case 'STAR':
    case 'COLUMNS':
      return undefined;
    default:
      return '?column?';
  }
}

/**
 * Renames DuckDB's result columns the way PostgreSQL names them, from the statement's parse tree
 * (`json_serialize_sql`). Aliased columns keep their alias; anything it cannot map (a `*`) keeps DuckDB's names.
 * @example resultNames(tree, ['count_star()']) // ['count']
 */
export function resultNames(tree: unknown, names: readonly string[]): string[] {
  let node = (tree as { statements?: { node?: QueryNode }[] }).statements?.[0]?.node;
  while (node?.type === 'SET_OPERATION_NODE') node = node.left;
  const list = node?.select_list;
  if (!list || list.length !== names.length) return [...names];
  const renamed = list.map((expression) => (expression.alias ? expression.alias : nameOf(expression)));
  return renamed.some((name) => name === undefined) ? [...names] : (renamed as string[]);
}
