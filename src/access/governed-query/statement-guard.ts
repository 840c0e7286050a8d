// Checks a parse tree against the governed-query rules and finds the relations it reads (pure, mutates only CTE names).
import { ALLOWED_FUNCTIONS, ALLOWED_TABLE_FUNCTIONS, refusalReason } from './sql-allowlist.js';
import { QueryRefusedError } from './query-refused-error.js';

type TreeNode = Record<string, unknown>;

/** A `BASE_TABLE` node of the tree that names a relation outside the statement (not a CTE). */
export interface RelationReference {
  node: TreeNode;
  schema: string;
  name: string;
  catalog: string;
}

/** Table references the rewrite can handle; every other kind (files, SHOW, DESCRIBE...) is refused. */
const TABLE_REFS = new Set(['BASE_TABLE', 'SUBQUERY', 'JOIN', 'EXPRESSION_LIST', 'EMPTY', 'PIVOT', 'TABLE_FUNCTION']);
const KNOWN_TABLE_REF_TYPES = new Set([...TABLE_REFS, 'SHOW_REF', 'COLUMN_DATA', 'DELIM_GET', 'CTE', 'INVALID', 'BOUND_TABLE_REF']);
/** Expression classes that compute over values; FUNCTION and WINDOW are further checked by name. */
const EXPRESSION_CLASSES = new Set([
  'CONSTANT',
  'COLUMN_REF',
  'FUNCTION',
  'WINDOW',
  'CAST',
  'COMPARISON',
  'CONJUNCTION',
  'OPERATOR',
  'CASE',
  'SUBQUERY',
  'STAR',
  'BETWEEN',
  'COLLATE',
  'POSITIONAL_REFERENCE',
  'LAMBDA',
  'LAMBDA_REF',
]);

const isNode = (value: unknown): value is TreeNode => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Prefix of CTE names after renaming: a name no relation has, so a CTE can never be mistaken for a table. */
const CTE_PREFIX = '__sluice_cte_';

function checkFunction(node: TreeNode, table: boolean): void {
  const name = String(node.function_name ?? '').toLowerCase();
  // The parser itself qualifies some calls it generates (`main.list_value` for `[1, 2]`); the name decides either way.
  if (!['', 'main'].includes(String(node.schema ?? '').toLowerCase()) || !['', 'system'].includes(String(node.catalog ?? '').toLowerCase())) {
    throw new QueryRefusedError(
      'function',
      `function "${[node.catalog, node.schema, name].filter(Boolean).join('.')}" is refused: call functions without a schema or catalog`,
    );
  }
  const allowed = table ? ALLOWED_TABLE_FUNCTIONS : ALLOWED_FUNCTIONS;
  if (!allowed.has(name))
    throw new QueryRefusedError(
      'function',
      `${table ? 'table function' : 'function'} "${name}" is refused: it ${refusalReason(name)}; governed queries may only read published assets`,
    );
}

/**
 * Validates one statement's parse tree (`statements[0]` of json_serialize_sql) and returns every relation
 * it reads. CTEs are renamed to `__sluice_cte_<n>` with all their references (keeping the old name as the
 * alias), so whatever DuckDB's scoping decides, a CTE name can only ever resolve to the CTE itself.
 * @example const refs = guardStatement(tree.statements[0]); refs.map((r) => `${r.schema}.${r.name}`) // ['silver.flights']
 */
export function guardStatement(statement: unknown): RelationReference[] {
  const relations: RelationReference[] = [];
  let cteCount = 0;
  const visit = (value: unknown, ctes: ReadonlyMap<string, string>): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item, ctes);
      return;
    }
    if (!isNode(value)) return;
    let scope = ctes;
    const cteMap = value.cte_map as { map?: { key: string; value: unknown }[] } | undefined;
    if (cteMap?.map && cteMap.map.length > 0) {
      const renamed = new Map(ctes);
      for (const entry of cteMap.map) {
        const fresh = `${CTE_PREFIX}${cteCount++}`;
        renamed.set(entry.key.toLowerCase(), fresh);
        entry.key = fresh;
      }
      scope = renamed;
    }
    if (typeof value.ctename === 'string') {
      const fresh = scope.get(value.ctename.toLowerCase());
      if (fresh) value.ctename = fresh;
    }
    guardNode(value, scope, relations);
    for (const [key, child] of Object.entries(value)) if (key !== 'type') visit(child, scope);
  };
  visit(statement, new Map());
  return relations;
}

function guardNode(node: TreeNode, ctes: ReadonlyMap<string, string>, relations: RelationReference[]): void {
  if (typeof node.class === 'string') {
    if (node.class === 'PARAMETER') throw new QueryRefusedError('parameter', 'parameters ($1, ?) are not accepted: write the values into the query');
    if (!EXPRESSION_CLASSES.has(node.class)) throw new QueryRefusedError('statement', `expressions of kind ${node.class} are refused in governed queries`);
    if (node.class === 'FUNCTION' || node.class === 'WINDOW') checkFunction(node, false);
    return;
  }
  if (typeof node.type !== 'string' || !KNOWN_TABLE_REF_TYPES.has(node.type)) return;
  if (!TABLE_REFS.has(node.type)) {
    const what = node.type === 'SHOW_REF' ? 'SHOW, DESCRIBE and SUMMARIZE are' : `table references of kind ${node.type} are`;
    throw new QueryRefusedError('statement', `${what} refused in governed queries; the columns of an asset are on its page (GET /api/assets/<schema>/<name>)`);
  }
  if (node.type === 'TABLE_FUNCTION') {
    if (isNode(node.function)) checkFunction(node.function, true);
    return;
  }
  if (node.type !== 'BASE_TABLE') return;
  if (node.at_clause !== null && node.at_clause !== undefined) throw new QueryRefusedError('statement', 'time travel (AT ...) is refused in governed queries');
  const schema = String(node.schema_name ?? '').toLowerCase();
  const catalog = String(node.catalog_name ?? '').toLowerCase();
  const name = String(node.table_name ?? '');
  const cte = schema === '' && catalog === '' ? ctes.get(name.toLowerCase()) : undefined;
  if (cte) {
    if (!node.alias) node.alias = name;
    node.table_name = cte;
    return;
  }
  relations.push({ node, schema: schema || 'main', name: name.toLowerCase(), catalog });
}
