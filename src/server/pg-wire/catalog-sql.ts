// Recognises catalog queries (psql's \dt, a BI tool's schema browser) and rewrites their PostgreSQL-only
// syntax into DuckDB's, aimed at the emulated catalog schemas.
import { CATALOG_TABLES, CATALOG_TYPES, CATALOG_VIEWS, INFO_SCHEMA, PG_CATALOG_SCHEMA, catalogMacros } from './catalog-schema.js';
import { identifierName, tokenize, type SqlToken } from './sql-tokens.js';

/** Functions that answer about the server or the catalog, so a query calling them is a catalog query. */
const CATALOG_FUNCTIONS = new Set([
  'version',
  'current_database',
  'current_catalog',
  'current_schema',
  'current_schemas',
  'format_type',
  'obj_description',
  'col_description',
  'shobj_description',
  'has_table_privilege',
  'has_schema_privilege',
  'has_database_privilege',
  'has_column_privilege',
]);

const EMULATED = new Set([
  ...Object.keys(CATALOG_TABLES),
  ...Object.keys(CATALOG_VIEWS),
  ...Object.keys(catalogMacros('', '', '')),
  ...Object.keys(CATALOG_TYPES),
]);

/** Index of the next significant token after `i`, or -1. */
function nextIndex(tokens: readonly SqlToken[], i: number): number {
  for (let j = i + 1; j < tokens.length; j++) if (tokens[j]!.kind !== 'space' && tokens[j]!.kind !== 'comment') return j;
  return -1;
}

function previousIndex(tokens: readonly SqlToken[], i: number): number {
  for (let j = i - 1; j >= 0; j--) if (tokens[j]!.kind !== 'space' && tokens[j]!.kind !== 'comment') return j;
  return -1;
}

const isSymbol = (token: SqlToken | undefined, text: string): boolean => token?.kind === 'symbol' && token.text === text;

/**
 * Whether a statement reads the system catalogs (pg_catalog, information_schema, pg_* relations or functions,
 * version(), current_database()...): those are answered from the catalog of what the principal may see.
 * @example isCatalogQuery('SELECT * FROM pg_catalog.pg_class') // true
 */
export function isCatalogQuery(sql: string): boolean {
  const tokens = tokenize(sql);
  return tokens.some((token, i) => {
    const name = identifierName(token);
    if (name === undefined) return false;
    if (name === 'pg_catalog' || name === 'information_schema' || name.startsWith('pg_')) return true;
    if (token.kind === 'word' && (name === 'current_user' || name === 'session_user')) return true;
    return token.kind === 'word' && CATALOG_FUNCTIONS.has(name) && isSymbol(tokens[nextIndex(tokens, i)], '(');
  });
}

/** Index of the `)` closing the `(` at `open`. */
function closingParen(tokens: readonly SqlToken[], open: number): number {
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    if (isSymbol(tokens[j], '(')) depth++;
    else if (isSymbol(tokens[j], ')') && --depth === 0) return j;
  }
  return -1;
}

/** PostgreSQL's regular-expression match operators (DuckDB's `~` matches the whole string, PostgreSQL's any part). */
const REGEX_OPERATORS = new Set(['~', '!~', '~*', '!~*']);

/**
 * Makes the string literal after a regex operator at `at` a whole-string pattern with PostgreSQL's meaning:
 * `'^pg_'` (find anywhere) becomes `'(?s).*(?:^pg_).*'`; `~*` adds case-insensitivity.
 */
function regexOperand(tokens: SqlToken[], at: number, operator: string): void {
  const operand = tokens[nextIndex(tokens, at)];
  if (!REGEX_OPERATORS.has(operator) || operand?.kind !== 'string' || !operand.text.startsWith("'")) return;
  operand.text = `'(?s${operator.endsWith('*') ? 'i' : ''}).*(?:${operand.text.slice(1, -1)}).*'`;
}

/** OIDs of the system catalogs clients name in `'pg_class'::regclass` (pg_description.classoid and the like). */
const SYSTEM_RELATIONS: Readonly<Record<string, number>> = {
  pg_class: 1259,
  pg_type: 1247,
  pg_attribute: 1249,
  pg_proc: 1255,
  pg_namespace: 2615,
  pg_constraint: 2606,
  pg_description: 2609,
};

/** The type a `::` at `at` casts to (its `pg_catalog.` qualifier skipped). */
function castTarget(tokens: readonly SqlToken[], at: number): string | undefined {
  let target = nextIndex(tokens, at);
  if (identifierName(tokens[target]!) === 'pg_catalog' && isSymbol(tokens[nextIndex(tokens, target)], '.'))
    target = nextIndex(tokens, nextIndex(tokens, target));
  return target < 0 ? undefined : identifierName(tokens[target]!);
}

/** `'gold.x'::regclass` as PostgreSQL resolves it: the relation's OID (a system catalog's fixed one). */
function regclassOid(name: string): string {
  const parts = name.split('.').map((p) => p.replace(/^"(.*)"$/, '$1'));
  const relation = parts.at(-1)!;
  const schema = parts.length > 1 ? parts.at(-2)! : undefined;
  if (SYSTEM_RELATIONS[relation] !== undefined && (schema === undefined || schema === 'pg_catalog')) return String(SYSTEM_RELATIONS[relation]);
  const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;
  return `(SELECT min(c.oid) FROM ${PG_CATALOG_SCHEMA}.pg_class c JOIN ${PG_CATALOG_SCHEMA}.pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = ${literal(relation)}${schema ? ` AND n.nspname = ${literal(schema)}` : ''})`;
}

const ALIAS_STOP = new Set(['where', 'join', 'on', 'left', 'right', 'inner', 'cross', 'full', 'order', 'group', 'limit', 'union', 'as', 'with']);

/**
 * Rewrites PostgreSQL-only syntax for DuckDB: `OPERATOR(pg_catalog.~)` becomes `~`, `COLLATE ...` goes, the
 * `pg_catalog.` / `information_schema.` qualifiers point at the emulated schemas, array literals `'{0}'`
 * become `'[0]'`, and `generate_series(...) s` names its column `s` as PostgreSQL does.
 * @example rewriteCatalogSql("SELECT relname FROM pg_catalog.pg_class") // "SELECT relname FROM pgcat.pg_class"
 */
export function rewriteCatalogSql(sql: string): string {
  const tokens = tokenize(sql).map((t) => ({ ...t }));
  const drop = (from: number, to: number): void => {
    for (let k = from; k <= to; k++) tokens[k]!.text = '';
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const name = identifierName(token);
    const next = nextIndex(tokens, i);
    if (token.kind === 'word' && name === 'operator' && isSymbol(tokens[next], '(')) {
      // OPERATOR(pg_catalog.~) -> ~
      const close = closingParen(tokens, next);
      if (close < 0) continue;
      const operator = tokens
        .slice(next + 1, close)
        .filter((t) => t.kind === 'symbol' && t.text !== '.')
        .map((t) => t.text)
        .join('');
      drop(i, close);
      token.text = ` ${operator.replace(/\*$/, '')} `;
      i = close;
      regexOperand(tokens, i, operator);
    } else if (token.kind === 'word' && name === 'collate') {
      // COLLATE pg_catalog.default / COLLATE "C": DuckDB's default collation already compares like C.
      let end = next;
      while (isSymbol(tokens[nextIndex(tokens, end)], '.')) end = nextIndex(tokens, nextIndex(tokens, end));
      drop(i, end);
      i = end;
    } else if ((name === 'pg_catalog' || name === 'information_schema') && isSymbol(tokens[next], '.')) {
      const member = identifierName(tokens[nextIndex(tokens, next)] ?? { kind: 'space', text: '' }) ?? '';
      const afterCast = isSymbol(tokens[previousIndex(tokens, i)], '::');
      if (name === 'information_schema') token.text = INFO_SCHEMA;
      else if (!afterCast && EMULATED.has(member) && !(member in CATALOG_TYPES)) token.text = PG_CATALOG_SCHEMA;
      else drop(i, next);
    } else if (token.kind === 'word' && name === 'current_user' && !isSymbol(tokens[next], '(')) {
      // DuckDB's current_user is its own ("duckdb"); the connection's user is the one PostgreSQL would name.
      token.text = 'session_user';
    } else if (token.kind === 'symbol' && REGEX_OPERATORS.has(token.text)) {
      regexOperand(tokens, i, token.text);
      if (token.text.endsWith('*')) token.text = token.text.slice(0, -1);
    } else if (token.kind === 'string' && isSymbol(tokens[next], '::') && castTarget(tokens, next) === 'regclass') {
      token.text = regclassOid(token.text.slice(1, -1).replaceAll("''", "'"));
    } else if (token.kind === 'string' && /^'\{[^'{}]*\}'$/.test(token.text)) {
      token.text = `'[${token.text.slice(2, -2)}]'`;
    } else if (name === 'generate_series' && isSymbol(tokens[next], '(')) {
      const close = closingParen(tokens, next);
      const alias = tokens[nextIndex(tokens, close)];
      const aliasName = alias ? identifierName(alias) : undefined;
      if (alias && aliasName && !ALIAS_STOP.has(aliasName) && !isSymbol(tokens[nextIndex(tokens, nextIndex(tokens, close))], '(')) {
        alias.text = `${alias.text}(${alias.text})`;
      }
    }
  }
  return tokens.map((t) => t.text).join('');
}
