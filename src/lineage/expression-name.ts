// The name DuckDB usually gives an unaliased select expression, e.g. `count_star()` or `(a + 1)`.
import type { TreeNode } from './parse-tree.js';
import { child, constantValue, nodes, strings, text } from './parse-tree.js';

const COMPARISONS: Readonly<Record<string, string>> = {
  COMPARE_EQUAL: '=',
  COMPARE_NOTEQUAL: '!=',
  COMPARE_LESSTHAN: '<',
  COMPARE_GREATERTHAN: '>',
  COMPARE_LESSTHANOREQUALTO: '<=',
  COMPARE_GREATERTHANOREQUALTO: '>=',
  COMPARE_DISTINCT_FROM: 'IS DISTINCT FROM',
  COMPARE_NOT_DISTINCT_FROM: 'IS NOT DISTINCT FROM',
};

/**
 * DuckDB's usual column name for an unaliased select expression. The binder sometimes rewrites
 * expressions before naming them (`NOT (a > 1)` becomes `(a <= 1)`), so this is a best effort: a bare
 * column is exact, anything else should be aliased or named from the real schema.
 * @example
 * expressionName(countStarNode) // 'count_star()'
 */
export function expressionName(expr: TreeNode): string {
  switch (text(expr, 'class')) {
    case 'COLUMN_REF': {
      const names = strings(expr, 'column_names');
      return names[names.length - 1] ?? '';
    }
    default:
      return render(expr);
  }
}

function render(expr: TreeNode | undefined): string {
  if (!expr) return '';
  const kind = text(expr, 'type');
  switch (text(expr, 'class')) {
    case 'COLUMN_REF':
      return strings(expr, 'column_names').join('.');
    case 'CONSTANT': {
      const value = constantValue(expr);
      if (value === undefined) return 'NULL';
      return typeof value === 'string' ? `'${value.replaceAll("'", "''")}'` : String(value);
    }
    case 'FUNCTION':
      return renderFunction(expr);
    case 'COMPARISON':
      return `(${render(child(expr, 'left'))} ${COMPARISONS[kind] ?? kind} ${render(child(expr, 'right'))})`;
    case 'CONJUNCTION':
      return `(${nodes(expr, 'children')
        .map(render)
        .join(kind === 'CONJUNCTION_OR' ? ' OR ' : ' AND ')})`;
    case 'CAST': {
      const type = text(child(expr, 'cast_type'), 'id');
      return `${expr['try_cast'] === true ? 'TRY_CAST' : 'CAST'}(${render(child(expr, 'child'))} AS ${type})`;
    }
    case 'OPERATOR':
      return renderOperator(expr, kind);
    case 'WINDOW': {
      const partitions = nodes(expr, 'partitions').map(render);
      const orders = nodes(expr, 'orders').map((order) => render(child(order, 'expression')));
      const over = [partitions.length > 0 ? `PARTITION BY ${partitions.join(', ')}` : '', orders.length > 0 ? `ORDER BY ${orders.join(', ')}` : ''].filter(
        Boolean,
      );
      return `${text(expr, 'function_name')}(${nodes(expr, 'children').map(render).join(', ')}) OVER (${over.join(' ')})`;
    }
    default:
      return kind.toLowerCase();
  }
}

function renderFunction(expr: TreeNode): string {
  const name = text(expr, 'function_name');
  const args = nodes(expr, 'children').map(render);
  if (expr['is_operator'] === true) {
    const [left, right] = args;
    return right === undefined ? `${name}(${left ?? ''})` : `(${left} ${name} ${right})`;
  }
  const schema = text(expr, 'schema');
  const prefix = schema ? `${schema}.` : '';
  const distinct = expr['distinct'] === true ? 'DISTINCT ' : '';
  const filter = child(expr, 'filter');
  return `${prefix}${name}(${distinct}${args.join(', ')})${filter ? ` FILTER (WHERE ${render(filter)})` : ''}`;
}

function renderOperator(expr: TreeNode, kind: string): string {
  const args = nodes(expr, 'children').map(render);
  const [first = '', ...rest] = args;
  switch (kind) {
    case 'OPERATOR_IS_NULL':
      return `(${first} IS NULL)`;
    case 'OPERATOR_IS_NOT_NULL':
      return `(${first} IS NOT NULL)`;
    case 'OPERATOR_NOT':
      return `(NOT ${first})`;
    case 'COMPARE_IN':
      return `(${first} IN (${rest.join(', ')}))`;
    case 'COMPARE_NOT_IN':
      return `(${first} NOT IN (${rest.join(', ')}))`;
    case 'OPERATOR_COALESCE':
      return `COALESCE(${args.join(', ')})`;
    default:
      return `${kind.toLowerCase()}(${args.join(', ')})`;
  }
}
