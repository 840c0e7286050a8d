// The FROM clause: tables, CTEs, subqueries, table functions and joins, as named relations with lineage.
import type { ColumnSource, ColumnTransform, Relation, RelationColumn } from './lineage-model.js';
import { dedupeSources } from './lineage-model.js';
import { expressionLineage, recordIndirect } from './expression-lineage.js';
import type { Binding, FromScope, LineageEnv, StarEntry } from './lineage-scope.js';
import { Scope, emptyFromScope } from './lineage-scope.js';
import type { TreeNode } from './parse-tree.js';
import { asNode, child, constantValue, nodes, strings, text } from './parse-tree.js';

/** Table functions that read files; their first argument is the path (or a list of paths). */
const FILE_READERS = new Set([
  'read_parquet',
  'parquet_scan',
  'read_csv',
  'read_csv_auto',
  'read_json',
  'read_json_auto',
  'read_ndjson',
  'read_ndjson_auto',
  'read_json_objects',
  'read_json_objects_auto',
  'read_ndjson_objects',
  'read_text',
  'read_blob',
]);

/** Table functions that generate one column, named after the function, from their arguments. */
const GENERATORS = new Set(['range', 'generate_series', 'unnest']);

/** Extensions DuckDB's replacement scan reads as files in `FROM 'flights.parquet'`. */
const FILE_EXTENSIONS = ['.parquet', '.csv', '.tsv', '.json', '.jsonl', '.ndjson', '.txt', '.gz', '.zst'];

const lower = (name: string): string => name.toLowerCase();

/**
 * The relations a FROM clause brings into scope; join conditions are recorded as indirect lineage.
 * `outer` is the enclosing query level, for correlated and LATERAL references.
 * @example
 * fromClause(selectNode['from_table'], undefined, env).bindings.map((b) => b.name) // ['f', 'a']
 */
export function fromClause(table: unknown, outer: Scope | undefined, env: LineageEnv): FromScope {
  const node = asNode(table);
  switch (text(node, 'type')) {
    case '':
    case 'EMPTY':
      return emptyFromScope();
    case 'JOIN':
      return joinClause(node ?? {}, outer, env);
    default: {
      const binding = bindingOf(node ?? {}, outer, env);
      return { bindings: [binding], star: starOf(binding), merged: new Map() };
    }
  }
}

function starOf(binding: Binding): StarEntry[] {
  return binding.relation.columns.map((column) => ({ binding: binding.name, column }));
}

/** One FROM item that is not a join. */
function bindingOf(node: TreeNode, outer: Scope | undefined, env: LineageEnv): Binding {
  const alias = lower(text(node, 'alias'));
  const columnAliases = strings(node, 'column_name_alias');
  const named = (name: string, relation: Relation, schema?: string): Binding => {
    const binding: Binding = { name: alias || lower(name), relation: renameColumns(relation, columnAliases, name, env) };
    if (schema !== undefined && !alias) binding.schema = schema;
    return binding;
  };
  switch (text(node, 'type')) {
    case 'BASE_TABLE':
      return baseTable(node, env, named);
    case 'SUBQUERY':
      return named('unnamed_subquery', env.query(child(child(node, 'subquery'), 'node'), outer, env));
    case 'TABLE_FUNCTION':
      return tableFunction(child(node, 'function'), outer, env, named);
    case 'EXPRESSION_LIST':
      return named('valueslist', valuesList(node, outer, env));
    default:
      env.sink.warn(`a FROM item of type ${text(node, 'type') || 'unknown'} is not supported, so the columns it provides have no lineage`);
      return named(text(node, 'type').toLowerCase(), { columns: [], complete: false });
  }
}

type Namer = (name: string, relation: Relation, schema?: string) => Binding;

function baseTable(node: TreeNode, env: LineageEnv, named: Namer): Binding {
  const schemaName = text(node, 'schema_name');
  const tableName = text(node, 'table_name');
  const cte = schemaName ? undefined : env.ctes.get(lower(tableName));
  if (cte) return named(tableName, cte());
  const schema = lower(schemaName || env.defaultSchema);
  const table = `${schema}.${lower(tableName)}`;
  const columns = env.catalog(table);
  if (columns) return named(tableName, tableRelation(table, columns), schema);
  if (!schemaName && FILE_EXTENSIONS.some((ext) => lower(tableName).endsWith(ext))) {
    // DuckDB names `FROM 'data/flights.parquet'` after the file: `flights`.
    const stem = tableName.split('/').pop()?.split('.')[0] ?? tableName;
    return named(stem, fileRelation([tableName], env));
  }
  env.sink.warn(`table "${table}" is not in the catalog, so its columns are unknown; add it to the catalog to check them`);
  return named(tableName, { columns: [], complete: false, rest: [table] }, schema);
}

function tableRelation(table: string, columns: readonly string[]): Relation {
  return {
    columns: columns.map((column) => ({ name: column, sources: [{ table, column, transform: 'identity' }], transform: 'identity' })),
    complete: true,
  };
}

/** Files are reported as `file:<path>`; the catalog may know their columns under that name. */
function fileRelation(paths: readonly string[], env: LineageEnv): Relation {
  const tables = paths.map((path) => `file:${path}`);
  const [only] = tables;
  const columns = tables.length === 1 && only ? env.catalog(only) : undefined;
  return columns && only ? tableRelation(only, columns) : { columns: [], complete: false, rest: tables };
}

function tableFunction(fn: TreeNode | undefined, outer: Scope | undefined, env: LineageEnv, named: Namer): Binding {
  const name = lower(text(fn, 'function_name'));
  const args = nodes(fn, 'children');
  if (FILE_READERS.has(name)) {
    const paths = constantPaths(args[0]);
    if (paths) return named(name, fileRelation(paths, env));
    env.sink.warn(`${name}(...) reads a path that is not a constant string, so the file and its columns are unknown`);
    return named(name, { columns: [], complete: false });
  }
  if (GENERATORS.has(name)) {
    const scope = new Scope(emptyFromScope(), outer, env.sink);
    const sources = args.flatMap((arg) => expressionLineage(arg, scope, env, 'none').sources);
    const transform: ColumnTransform = 'transformation';
    return named(name, { columns: [{ name, sources: retag(sources, transform), transform }], complete: true });
  }
  env.sink.warn(`table function ${name}(...) is not understood, so the columns it provides have no lineage`);
  return named(name, { columns: [], complete: false });
}

function retag(sources: readonly ColumnSource[], transform: ColumnTransform): ColumnSource[] {
  return dedupeSources(sources.map((s) => ({ ...s, transform: s.transform === 'identity' ? transform : s.transform })));
}

/** `'a.parquet'` or `['a.parquet', 'b.parquet']`; undefined for anything computed. */
function constantPaths(arg: TreeNode | undefined): string[] | undefined {
  const value = constantValue(arg);
  if (typeof value === 'string') return [value];
  if (text(arg, 'function_name') !== 'list_value') return undefined;
  const items = nodes(arg, 'children').map(constantValue);
  return items.length > 0 && items.every((item): item is string => typeof item === 'string') ? items : undefined;
}

/** `VALUES (...), (...)`: columns col0, col1, ... fed by whatever each row's expressions read. */
function valuesList(node: TreeNode, outer: Scope | undefined, env: LineageEnv): Relation {
  const scope = new Scope(emptyFromScope(), outer, env.sink);
  const columns: RelationColumn[] = [];
  const rows = Array.isArray(node['values']) ? node['values'] : [];
  for (const row of rows) {
    const cells = Array.isArray(row) ? row.map(asNode) : [];
    cells.forEach((cell, i) => {
      const lineage = expressionLineage(cell, scope, env, 'none');
      const column = (columns[i] ??= { name: `col${i}`, sources: [], transform: lineage.transform });
      column.sources = dedupeSources([...column.sources, ...lineage.sources]);
    });
  }
  return { columns, complete: true };
}

/** `t(a, b)` renames the first columns; only possible when they are all known. */
function renameColumns(relation: Relation, aliases: readonly string[], name: string, env: LineageEnv): Relation {
  if (aliases.length === 0) return relation;
  if (!relation.complete) {
    env.sink.warn(`column aliases on "${name}" cannot be matched to its columns, which are not all known`);
    return { columns: [], complete: false };
  }
  const columns = relation.columns.map((column, i) => ({ ...column, name: aliases[i] ?? column.name }));
  return { columns, complete: true };
}

function joinClause(node: TreeNode, outer: Scope | undefined, env: LineageEnv): FromScope {
  const left = fromClause(node['left'], outer, env);
  // The right side may be LATERAL (a subquery or table function reading left-side columns).
  const right = fromClause(node['right'], new Scope(left, outer, env.sink), env);
  const joinType = text(node, 'join_type');
  const scope: FromScope = {
    bindings: [...left.bindings, ...right.bindings],
    star: [...left.star, ...right.star],
    merged: new Map([...left.merged, ...right.merged]),
  };
  const using = text(node, 'ref_type') === 'NATURAL' ? naturalColumns(left, right, env) : strings(node, 'using_columns');
  if (using.length > 0) mergeUsing(scope, left, right, using, joinType, outer, env);
  recordIndirect(child(node, 'condition'), 'join', new Scope(scope, outer, env.sink), env, 'none');
  // SEMI and ANTI joins only test the right side: its columns are not part of the result.
  if (joinType === 'SEMI' || joinType === 'ANTI') return left;
  return scope;
}

function naturalColumns(left: FromScope, right: FromScope, env: LineageEnv): string[] {
  if ([...left.bindings, ...right.bindings].some((b) => !b.relation.complete)) {
    env.sink.warn('a NATURAL JOIN over a table whose columns are unknown cannot tell its join columns; use JOIN ... USING (...)');
    return [];
  }
  const rightNames = new Set(right.star.map((e) => lower(e.column.name)));
  return [...new Set(left.star.map((e) => e.column.name).filter((name) => rightNames.has(lower(name))))];
}

/** USING (k): one merged k in `*` and unqualified refs; both sides' k are join keys. */
function mergeUsing(
  scope: FromScope,
  left: FromScope,
  right: FromScope,
  using: readonly string[],
  joinType: string,
  outer: Scope | undefined,
  env: LineageEnv,
): void {
  const leftScope = new Scope(left, outer, env.sink);
  const rightScope = new Scope(right, outer, env.sink);
  for (const name of using) {
    const key = lower(name);
    const fromLeft = leftScope.resolve([name], 'none');
    const fromRight = rightScope.resolve([name], 'none');
    env.sink.addIndirect([...(fromLeft?.sources ?? []), ...(fromRight?.sources ?? [])], 'join');
    // LEFT keeps the left value, RIGHT the right one; INNER has equal values and FULL coalesces both.
    const sides = joinType === 'LEFT' ? [fromLeft] : joinType === 'RIGHT' ? [fromRight] : [fromLeft, fromRight];
    const transform: ColumnTransform = joinType === 'FULL' || joinType === 'OUTER' ? 'transformation' : 'identity';
    const sources = sides.flatMap((side) => side?.sources ?? []);
    const merged: RelationColumn = { name, sources: retag(sources, transform), transform };
    scope.merged.set(key, merged);
    const at = scope.star.findIndex((e) => lower(e.column.name) === key);
    scope.star = scope.star.filter((e, i) => i <= at || lower(e.column.name) !== key);
    const first = scope.star[at];
    if (first) scope.star[at] = { binding: first.binding, column: merged };
  }
}
