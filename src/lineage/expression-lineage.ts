// Which columns an expression reads and how: identity, transformation, aggregation or window.
import type { ColumnSource, ColumnTransform, RelationColumn } from './lineage-model.js';
import { composeTransforms } from './lineage-model.js';
import type { AliasMode, LineageEnv, Scope } from './lineage-scope.js';
import type { TreeNode } from './parse-tree.js';
import { asNode, child, nodes, strings, text } from './parse-tree.js';

/** The lineage of one expression. */
export interface ExpressionLineage {
  sources: ColumnSource[];
  /** The strongest transform in the expression (a bare column is identity, `count(*)` aggregation). */
  transform: ColumnTransform;
  /** True when an aggregate function appears outside a window, which keeps it out of GROUP BY ALL. */
  hasAggregate: boolean;
}

/**
 * DuckDB's built-in aggregate functions (from `duckdb_functions()`), minus the window-only ones,
 * which only ever appear in WINDOW nodes, plus the JSON extension's two. The governed query's
 * function allowlist takes its aggregates from here too.
 * @example
 * inferColumnLineage(tree, catalog, { aggregateFunctions: [...DUCKDB_AGGREGATE_FUNCTIONS, 'my_median'] });
 */
export const DUCKDB_AGGREGATE_FUNCTIONS: readonly string[] = [
  'any_value',
  'approx_count_distinct',
  'approx_quantile',
  'approx_top_k',
  'arbitrary',
  'arg_max',
  'arg_max_null',
  'arg_max_nulls_last',
  'arg_min',
  'arg_min_null',
  'arg_min_nulls_last',
  'argmax',
  'argmin',
  'array_agg',
  'avg',
  'bit_and',
  'bit_or',
  'bit_xor',
  'bitstring_agg',
  'bool_and',
  'bool_or',
  'corr',
  'count',
  'count_if',
  'count_star',
  'countif',
  'covar_pop',
  'covar_samp',
  'entropy',
  'favg',
  'first',
  'fsum',
  'group_concat',
  'histogram',
  'histogram_exact',
  'kahan_sum',
  'kurtosis',
  'kurtosis_pop',
  'last',
  'list',
  'listagg',
  'mad',
  'max',
  'max_by',
  'mean',
  'median',
  'min',
  'min_by',
  'mode',
  'product',
  'quantile',
  'quantile_cont',
  'quantile_disc',
  'regr_avgx',
  'regr_avgy',
  'regr_count',
  'regr_intercept',
  'regr_r2',
  'regr_slope',
  'regr_sxx',
  'regr_sxy',
  'regr_syy',
  'reservoir_quantile',
  'sem',
  'skewness',
  'stddev',
  'stddev_pop',
  'stddev_samp',
  'string_agg',
  'sum',
  'sum_no_overflow',
  'sumkahan',
  'var_pop',
  'var_samp',
  'variance',
  'json_group_array',
  'json_group_object',
];

interface Walk {
  scope: Scope;
  env: LineageEnv;
  aliasMode: AliasMode;
  out: ExpressionLineage;
}

/**
 * The columns `expr` reads, resolved in `scope`, each with the transform that carries it to the result.
 * @example
 * expressionLineage(avgOfDelay, scope, env, 'fallback')
 * // { sources: [{ table: 'silver.flights', column: 'delay_min', transform: 'aggregation' }], transform: 'aggregation', hasAggregate: true }
 */
export function expressionLineage(expr: TreeNode | undefined, scope: Scope, env: LineageEnv, aliasMode: AliasMode): ExpressionLineage {
  const walk: Walk = { scope, env, aliasMode, out: { sources: [], transform: 'identity', hasAggregate: false } };
  visit(walk, expr, 'identity', new Set());
  return walk.out;
}

/**
 * Records that the columns `expr` reads decide rows as `kind` (filter, join, group_by, sort).
 * @example
 * recordIndirect(child(selectNode, 'where_clause'), 'filter', scope, env, 'fallback');
 */
export function recordIndirect(expr: TreeNode | undefined, kind: ColumnTransform, scope: Scope, env: LineageEnv, aliasMode: AliasMode): void {
  env.sink.addIndirect(expressionLineage(expr, scope, env, aliasMode).sources, kind);
}

function note(walk: Walk, transform: ColumnTransform): void {
  walk.out.transform = composeTransforms(walk.out.transform, transform);
}

function addColumn(walk: Walk, column: RelationColumn, mode: ColumnTransform): void {
  for (const source of column.sources) walk.out.sources.push({ ...source, transform: composeTransforms(mode, source.transform) });
  note(walk, composeTransforms(mode, column.transform));
}

function visit(walk: Walk, expr: TreeNode | undefined, mode: ColumnTransform, params: ReadonlySet<string>): void {
  if (!expr) return;
  switch (text(expr, 'class')) {
    case 'COLUMN_REF':
      return visitColumnRef(walk, strings(expr, 'column_names'), mode, params);
    case 'POSITIONAL_REFERENCE': {
      const index = expr['index'];
      const column = typeof index === 'number' ? walk.scope.positional(index) : undefined;
      if (column) addColumn(walk, column, mode);
      return;
    }
    case 'CONSTANT':
    case 'PARAMETER':
    case 'DEFAULT':
      return note(walk, composeTransforms(mode, 'transformation'));
    case 'FUNCTION':
      return visitFunction(walk, expr, mode, params);
    case 'WINDOW':
      return visitWindow(walk, expr, mode, params);
    case 'SUBQUERY':
      return visitSubquery(walk, expr, mode, params);
    case 'LAMBDA': {
      // Lambda parameters (`x -> x + 1`) are not columns; hide them from resolution inside the body.
      const lhs = child(expr, 'lhs');
      const names = text(lhs, 'class') === 'COLUMN_REF' ? [lhs] : nodes(lhs, 'children');
      const inner = new Set(params);
      for (const name of names) for (const part of strings(name, 'column_names').slice(0, 1)) inner.add(part.toLowerCase());
      return visit(walk, child(expr, 'expr'), composeTransforms(mode, 'transformation'), inner);
    }
    case 'STAR':
      walk.env.sink.warn('a * or COLUMNS(...) inside an expression is not supported; its columns are left out of the lineage');
      return;
    default:
      // Operators, casts, CASE, comparisons, BETWEEN...: every nested expression feeds the value.
      note(walk, composeTransforms(mode, 'transformation'));
      for (const property of Object.values(expr)) visitNested(walk, property, composeTransforms(mode, 'transformation'), params);
  }
}

/** Visits every expression in `value`, also inside arrays and plain holder objects (CASE checks). */
function visitNested(walk: Walk, value: unknown, mode: ColumnTransform, params: ReadonlySet<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) visitNested(walk, item, mode, params);
    return;
  }
  const node = asNode(value);
  if (!node) return;
  if (typeof node['class'] === 'string') return visit(walk, node, mode, params);
  for (const property of Object.values(node)) visitNested(walk, property, mode, params);
}

function visitColumnRef(walk: Walk, names: string[], mode: ColumnTransform, params: ReadonlySet<string>): void {
  const [first] = names;
  if (first !== undefined && params.has(first.toLowerCase())) return note(walk, composeTransforms(mode, 'transformation'));
  const column = walk.scope.resolve(names, walk.aliasMode);
  if (column) addColumn(walk, column, mode);
}

function visitFunction(walk: Walk, expr: TreeNode, mode: ColumnTransform, params: ReadonlySet<string>): void {
  const name = text(expr, 'function_name').toLowerCase();
  const orders = nodes(child(expr, 'order_bys'), 'orders');
  // DISTINCT, FILTER and ORDER BY inside the call only exist on aggregates, whatever their name.
  const aggregate = walk.env.aggregates.has(name) || expr['distinct'] === true || child(expr, 'filter') !== undefined || orders.length > 0;
  const inner = composeTransforms(mode, aggregate ? 'aggregation' : 'transformation');
  if (aggregate) walk.out.hasAggregate = true;
  note(walk, inner);
  for (const argument of nodes(expr, 'children')) visit(walk, argument, inner, params);
  visit(walk, child(expr, 'filter'), inner, params);
  for (const order of orders) visit(walk, child(order, 'expression'), inner, params);
}

function visitWindow(walk: Walk, expr: TreeNode, mode: ColumnTransform, params: ReadonlySet<string>): void {
  // sum(x) OVER (...) aggregates x; lag(x), first_value(x), row_number() pick or number rows.
  const argumentMode = composeTransforms(mode, text(expr, 'type') === 'WINDOW_AGGREGATE' ? 'aggregation' : 'window');
  const frameMode = composeTransforms(mode, 'window');
  note(walk, argumentMode);
  for (const argument of nodes(expr, 'children')) visit(walk, argument, argumentMode, params);
  visit(walk, child(expr, 'filter_expr'), argumentMode, params);
  for (const partition of nodes(expr, 'partitions')) visit(walk, partition, frameMode, params);
  for (const order of nodes(expr, 'orders')) visit(walk, child(order, 'expression'), frameMode, params);
  for (const key of ['start_expr', 'end_expr', 'offset_expr', 'default_expr']) visit(walk, child(expr, key), frameMode, params);
}

function visitSubquery(walk: Walk, expr: TreeNode, mode: ColumnTransform, params: ReadonlySet<string>): void {
  const kind = text(expr, 'subquery_type');
  const relation = walk.env.query(child(child(expr, 'subquery'), 'node'), walk.scope, walk.env);
  // A scalar subquery hands its one value through; IN/ANY compare against values; EXISTS reads none.
  if (kind === 'SCALAR') {
    for (const column of relation.columns) addColumn(walk, column, mode);
    return;
  }
  const compared = composeTransforms(mode, 'transformation');
  if (kind !== 'EXISTS' && kind !== 'NOT_EXISTS') for (const column of relation.columns) addColumn(walk, column, compared);
  note(walk, compared);
  visit(walk, child(expr, 'child'), composeTransforms(mode, 'transformation'), params);
}
