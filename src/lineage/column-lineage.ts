// Column-level lineage of a SELECT, inferred from DuckDB's own parse tree (json_serialize_sql).
import type { CatalogLookup, ColumnLineageResult, Relation, RelationColumn } from './lineage-model.js';
import { LineageSink, composeTransforms, dedupeSources } from './lineage-model.js';
import { DUCKDB_AGGREGATE_FUNCTIONS, recordIndirect } from './expression-lineage.js';
import { fromClause } from './from-clause.js';
import type { FromScope, LineageEnv } from './lineage-scope.js';
import { Scope } from './lineage-scope.js';
import type { TreeNode } from './parse-tree.js';
import { asNode, child, cteDefinitions, nodes, positionOf, text } from './parse-tree.js';
import { selectItem } from './select-list.js';

export type { CatalogLookup, ColumnLineageResult, ColumnSource, ColumnTransform, OutputColumnLineage } from './lineage-model.js';

/** Per-call settings for `inferColumnLineage`. */
export interface ColumnLineageOptions {
  /** Schema of unqualified table names; `main`, as in DuckDB, unless given. */
  defaultSchema?: string;
  /**
   * Lower-case names of aggregate functions. Defaults to DuckDB's built-ins; pass the result of
   * `SELECT function_name FROM duckdb_functions() WHERE function_type = 'aggregate'` to include extensions and macros.
   */
  aggregateFunctions?: Iterable<string>;
  /**
   * The statement's real output column names (from `DESCRIBE <sql>`), used by position. Without them,
   * unaliased expressions get DuckDB's usual name and a warning that it may differ.
   */
  outputColumns?: readonly string[];
}

const lower = (name: string): string => name.toLowerCase();

/**
 * Which input columns feed each output column of a SELECT, and which columns decide its rows.
 * Pure: pass the parsed result of DuckDB's `json_serialize_sql(sql)` and a catalog of column names;
 * tables are reported as `schema.name` in lower case, files read by table functions as `file:<path>`.
 * Views are reported as tables: following a view's own lineage is up to the caller.
 * @example
 * const tree = JSON.parse(await jsonOf("SELECT f.origin, avg(f.delay_min) AS avg_delay FROM silver.flights f GROUP BY ALL"));
 * inferColumnLineage(tree, (t) => (t === 'silver.flights' ? ['origin', 'delay_min'] : undefined));
 * // columns: [{ column: 'origin', sources: [{ table: 'silver.flights', column: 'origin', transform: 'identity' }], ... },
 * //           { column: 'avg_delay', sources: [{ table: 'silver.flights', column: 'delay_min', transform: 'aggregation' }], ... }]
 * // indirect: [{ table: 'silver.flights', column: 'origin', transform: 'group_by' }]
 */
export function inferColumnLineage(parseTree: unknown, catalog: CatalogLookup, options: ColumnLineageOptions = {}): ColumnLineageResult {
  const sink = new LineageSink();
  const tree = asNode(parseTree);
  const statements = nodes(tree, 'statements');
  if (tree?.['error'] === true) {
    sink.warn(`DuckDB could not serialize the SQL (${text(tree, 'error_message') || 'no message'}), so it has no lineage`);
  } else if (statements.length === 0) {
    sink.warn('the parse tree holds no SELECT statement (expected the output of json_serialize_sql), so it has no lineage');
  }
  if (statements.length > 1) sink.warn(`the SQL holds ${statements.length} statements; only the last one is analyzed`);
  const statement = statements[statements.length - 1];
  if (!statement) return { columns: [], indirect: [], warnings: sink.warnings, complete: false };
  const env: LineageEnv = {
    catalog,
    defaultSchema: options.defaultSchema ?? 'main',
    aggregates: new Set([...(options.aggregateFunctions ?? DUCKDB_AGGREGATE_FUNCTIONS)].map(lower)),
    sink,
    ctes: new Map(),
    query: queryLineage,
  };
  const relation = queryLineage(child(statement, 'node'), undefined, env);
  const columns = outputColumns(relation, options.outputColumns, sink);
  return { columns, indirect: sink.indirect, warnings: sink.warnings, complete: relation.complete };
}

function outputColumns(relation: Relation, names: readonly string[] | undefined, sink: LineageSink): ColumnLineageResult['columns'] {
  if (!relation.complete) {
    sink.warn('some output columns come from * over a table or file whose columns are unknown; they are missing from the result, so add them to the catalog');
  }
  const useNames = names !== undefined && relation.complete && names.length === relation.columns.length;
  if (names !== undefined && !useNames) {
    sink.warn(`the ${names.length} output column names given do not line up with the ${relation.columns.length} columns found, so they were not used`);
  }
  return relation.columns.map((column, i) => {
    const name = useNames ? (names[i] ?? column.name) : column.name;
    if (column.approximate && !useNames) {
      sink.warn(`an output column has no alias, so it is reported as "${name}", DuckDB's usual name for it, which may differ; add AS <name>`);
    }
    return { column: name, sources: dedupeSources(column.sources), transform: column.transform };
  });
}

/** Lineage of any query node (SELECT, UNION..., recursive CTE), after binding its own WITH clause. */
function queryLineage(node: TreeNode | undefined, outer: Scope | undefined, env: LineageEnv): Relation {
  if (!node) {
    env.sink.warn('a query in the parse tree is empty, so its columns have no lineage');
    return { columns: [], complete: false };
  }
  const inner = withCtes(node, outer, env);
  switch (text(node, 'type')) {
    case 'SELECT_NODE':
      return selectLineage(node, outer, inner);
    case 'SET_OPERATION_NODE':
      return setOperation(node, outer, inner);
    case 'RECURSIVE_CTE_NODE':
      return recursiveCte(node, text(node, 'cte_name'), outer, inner);
    default:
      env.sink.warn(`a query of type ${text(node, 'type') || 'unknown'} is not supported, so its columns have no lineage`);
      return { columns: [], complete: false };
  }
}

/** Binds the node's CTEs lazily, each seeing the ones declared before it (and itself, if recursive). */
function withCtes(node: TreeNode, outer: Scope | undefined, env: LineageEnv): LineageEnv {
  let current = env;
  for (const definition of cteDefinitions(node)) {
    const before = current;
    let memo: Relation | undefined;
    const analyze = (): Relation => {
      if (memo) return memo;
      const query = definition.query;
      const relation =
        text(query, 'type') === 'RECURSIVE_CTE_NODE'
          ? recursiveCte(query ?? {}, definition.name, outer, before, definition.aliases)
          : queryLineage(query, outer, before);
      memo = renameTo(relation, definition.aliases, definition.name, env);
      return memo;
    };
    current = { ...current, ctes: new Map([...current.ctes, [lower(definition.name), analyze]]) };
  }
  return current;
}

function renameTo(relation: Relation, aliases: readonly string[], name: string, env: LineageEnv): Relation {
  if (aliases.length === 0) return relation;
  if (!relation.complete) {
    env.sink.warn(`column aliases on "${name}" cannot be matched to its columns, which are not all known`);
    return { columns: [], complete: false };
  }
  return { columns: relation.columns.map((c, i) => ({ ...c, name: aliases[i] ?? c.name })), complete: true };
}

/** `WITH RECURSIVE r AS (anchor UNION step)`: the step sees r as the anchor's columns. */
function recursiveCte(node: TreeNode, name: string, outer: Scope | undefined, env: LineageEnv, aliases: readonly string[] = []): Relation {
  const anchor = renameTo(queryLineage(child(node, 'left'), outer, env), aliases, name, env);
  const stepEnv: LineageEnv = { ...env, ctes: new Map([...env.ctes, [lower(name), () => anchor]]) };
  const step = queryLineage(child(node, 'right'), outer, stepEnv);
  return mergeByPosition(anchor, step, env);
}

function selectLineage(node: TreeNode, outer: Scope | undefined, env: LineageEnv): Relation {
  const scope = new Scope(fromClause(node['from_table'], outer, env), outer, env.sink);
  const columns: RelationColumn[] = [];
  const groupCandidates: RelationColumn[] = [];
  let complete = true;
  let rest: string[] | undefined = [];
  for (const item of nodes(node, 'select_list')) {
    const lineage = selectItem(item, scope, env);
    columns.push(...lineage.columns);
    if (!lineage.hasAggregate) groupCandidates.push(...lineage.columns);
    if (!lineage.complete) {
      complete = false;
      rest = rest && lineage.rest ? [...rest, ...lineage.rest] : undefined;
    }
  }
  // Positions only mean something when every output column is known.
  const positional = complete ? columns : [];
  recordIndirect(child(node, 'where_clause'), 'filter', scope, env, 'fallback');
  const groups = nodes(node, 'group_expressions');
  for (const group of groups) byPositionOrExpression(group, 'group_by', positional, scope, env, 'fallback');
  // GROUP BY ALL groups by every select item that aggregates nothing.
  if (groups.length === 0 && text(node, 'aggregate_handling') === 'FORCE_AGGREGATES') {
    for (const column of groupCandidates) env.sink.addIndirect(column.sources, 'group_by');
  }
  recordIndirect(child(node, 'having'), 'filter', scope, env, 'fallback');
  recordIndirect(child(node, 'qualify'), 'filter', scope, env, 'fallback');
  applyModifiers(node, positional, scope, env);
  const relation: Relation = { columns, complete };
  if (!complete && rest) relation.rest = rest;
  return relation;
}

/** `GROUP BY 2` / `ORDER BY 1` name an output column; anything else is an expression. */
function byPositionOrExpression(
  expr: TreeNode,
  kind: 'group_by' | 'sort',
  columns: readonly RelationColumn[],
  scope: Scope,
  env: LineageEnv,
  aliasMode: 'fallback' | 'first',
): void {
  const position = positionOf(expr);
  if (position === undefined) return recordIndirect(expr, kind, scope, env, aliasMode);
  const column = columns[position - 1];
  if (column) env.sink.addIndirect(column.sources, kind);
  else env.sink.warn(`position ${position} in GROUP BY or ORDER BY does not name a known output column`);
}

/** ORDER BY (incl. ORDER BY ALL), DISTINCT ON and LIMIT. */
function applyModifiers(node: TreeNode, columns: readonly RelationColumn[], scope: Scope, env: LineageEnv): void {
  for (const modifier of nodes(node, 'modifiers')) {
    switch (text(modifier, 'type')) {
      case 'ORDER_MODIFIER':
        for (const order of nodes(modifier, 'orders')) {
          const expr = child(order, 'expression') ?? {};
          if (text(expr, 'class') === 'STAR') for (const column of columns) env.sink.addIndirect(column.sources, 'sort');
          else byPositionOrExpression(expr, 'sort', columns, scope, env, 'first');
        }
        break;
      case 'DISTINCT_MODIFIER':
        for (const target of nodes(modifier, 'distinct_on_targets')) byPositionOrExpression(target, 'group_by', columns, scope, env, 'first');
        break;
      default:
        for (const key of ['limit', 'offset']) recordIndirect(child(modifier, key), 'filter', scope, env, 'first');
    }
  }
}

/** UNION [ALL] merges by position, UNION BY NAME by name; EXCEPT and INTERSECT only filter the left side. */
function setOperation(node: TreeNode, outer: Scope | undefined, env: LineageEnv): Relation {
  const sides = nodes(node, 'children');
  const [first, ...others] = sides.length > 0 ? sides : [child(node, 'left'), child(node, 'right')];
  const kind = text(node, 'setop_type');
  let result = queryLineage(first, outer, env);
  for (const other of others) {
    const next = queryLineage(other, outer, env);
    if (kind === 'UNION') result = mergeByPosition(result, next, env);
    else if (kind === 'UNION_BY_NAME') result = mergeByName(result, next);
    else for (const column of next.columns) env.sink.addIndirect(column.sources, 'filter');
  }
  // ORDER BY after a set operation sees only its output columns.
  const output: FromScope = {
    bindings: [{ name: '', relation: result }],
    star: result.columns.map((column) => ({ binding: '', column })),
    merged: new Map(),
  };
  applyModifiers(node, result.complete ? result.columns : [], new Scope(output, outer, env.sink), env);
  return result;
}

function mergeColumns(a: RelationColumn, b: RelationColumn): RelationColumn {
  const merged: RelationColumn = { ...a, sources: dedupeSources([...a.sources, ...b.sources]), transform: composeTransforms(a.transform, b.transform) };
  return merged;
}

function mergeByPosition(a: Relation, b: Relation, env: LineageEnv): Relation {
  if (a.complete && b.complete) {
    if (a.columns.length !== b.columns.length) env.sink.warn(`the sides of a UNION have ${a.columns.length} and ${b.columns.length} columns`);
    return { columns: a.columns.map((column, i) => (b.columns[i] ? mergeColumns(column, b.columns[i]) : column)), complete: true };
  }
  // Pure pass-through stars (`SELECT * FROM 'a.csv' UNION ALL SELECT * FROM 'b.csv'`) still line up by name.
  if (a.columns.length === 0 && b.columns.length === 0 && a.rest && b.rest) {
    return { columns: [], complete: false, rest: [...new Set([...a.rest, ...b.rest])] };
  }
  env.sink.warn('the columns of a UNION cannot be matched by position because some come from * over unknown columns');
  return { columns: [], complete: false };
}

function mergeByName(a: Relation, b: Relation): Relation {
  const columns = a.columns.map((column) => {
    const match = b.columns.find((c) => lower(c.name) === lower(column.name));
    return match ? mergeColumns(column, match) : column;
  });
  for (const column of b.columns) if (!a.columns.some((c) => lower(c.name) === lower(column.name))) columns.push(column);
  const relation: Relation = { columns, complete: a.complete && b.complete };
  if (!relation.complete && a.rest && b.rest) relation.rest = [...new Set([...a.rest, ...b.rest])];
  return relation;
}
