// Name resolution: which FROM item, select alias or enclosing query a column reference points at.
import type { CatalogLookup, ColumnSource, LineageSink, Relation, RelationColumn } from './lineage-model.js';
import { composeTransforms } from './lineage-model.js';
import type { TreeNode } from './parse-tree.js';

/** Everything an analysis step needs; nested queries get a copy with their own CTEs. */
export interface LineageEnv {
  catalog: CatalogLookup;
  defaultSchema: string;
  aggregates: ReadonlySet<string>;
  sink: LineageSink;
  /** CTEs visible here, by lower-case name; analyzed on first use, so an unused CTE adds nothing. */
  ctes: ReadonlyMap<string, () => Relation>;
  /** Analyzes a nested query node; passed in so expressions and FROM items need not import the query walker. */
  query(node: TreeNode | undefined, outer: Scope | undefined, env: LineageEnv): Relation;
}

/** A FROM item under the name the query uses for it. */
export interface Binding {
  /** Lower-case alias, or the table name when there is none. */
  name: string;
  /** Lower-case schema of a base table, so `silver.flights.origin` resolves too. */
  schema?: string;
  relation: Relation;
}

/** One column of `SELECT *`, remembering which FROM item it belongs to (for EXCLUDE (t.c)). */
export interface StarEntry {
  binding: string;
  column: RelationColumn;
}

/** The columns a FROM clause makes visible. */
export interface FromScope {
  bindings: Binding[];
  /** Known columns of `*` in output order, USING/NATURAL join columns once. */
  star: StarEntry[];
  /** Join columns merged by USING/NATURAL, by lower-case name. */
  merged: Map<string, RelationColumn>;
}

/**
 * An empty FROM clause (`SELECT 1`), also the base of VALUES rows and table-function arguments.
 * @example
 * new Scope(emptyFromScope(), outer, sink);
 */
export function emptyFromScope(): FromScope {
  return { bindings: [], star: [], merged: new Map() };
}

/** How a reference may use select-list aliases: SELECT/WHERE/GROUP BY fall back to them, ORDER BY prefers them. */
export type AliasMode = 'none' | 'fallback' | 'first';

const lower = (name: string): string => name.toLowerCase();

/** A column of `relation` named `column`, synthesized from the relation's pass-through tables if need be. */
function columnOf(relation: Relation, column: string): RelationColumn | 'unknown' | undefined {
  const found = relation.columns.find((c) => lower(c.name) === lower(column));
  if (found) return found;
  if (relation.complete) return undefined;
  if (!relation.rest) return 'unknown';
  return {
    name: column,
    sources: relation.rest.map((table) => ({ table, column, transform: 'identity' })),
    transform: 'identity',
  };
}

/** Extracting struct fields (`s.f.g`) turns whatever the column was into a transformation of it. */
function withFieldAccess(column: RelationColumn, fields: readonly string[]): RelationColumn {
  if (fields.length === 0) return column;
  const sources: ColumnSource[] = column.sources.map((s) => ({ ...s, transform: composeTransforms('transformation', s.transform) }));
  return { name: fields[fields.length - 1] ?? column.name, sources, transform: composeTransforms('transformation', column.transform) };
}

/**
 * The columns a query level can see: its FROM clause, its select aliases and, for correlated subqueries, the enclosing levels.
 * @example
 * const scope = new Scope(fromClause(node['from_table'], undefined, env), undefined, env.sink);
 */
export class Scope {
  /** Select-list aliases defined so far at this level, by lower-case name. */
  readonly aliases = new Map<string, RelationColumn>();

  constructor(
    readonly from: FromScope,
    readonly outer: Scope | undefined,
    private readonly sink: LineageSink,
  ) {}

  /**
   * The column a reference (`column_names` of a COLUMN_REF) points at, or undefined after a warning.
   * @example
   * scope.resolve(['f', 'delay_min'], 'none')?.sources // [{ table: 'silver.flights', column: 'delay_min', transform: 'identity' }]
   */
  resolve(names: readonly string[], aliasMode: AliasMode): RelationColumn | undefined {
    const result = this.lookup(names, aliasMode);
    if (typeof result === 'string') {
      this.sink.warn(result);
      return undefined;
    }
    if (result) return result;
    this.sink.warn(`column "${names.join('.')}" is not a column of any table in scope, so its lineage is unknown`);
    return undefined;
  }

  /**
   * The column at 1-based `position` of the FROM clause's `*` (the `#2` syntax), or undefined after a warning.
   * @example
   * scope.positional(2)?.name // 'flight_date' for FROM silver.flights
   */
  positional(position: number): RelationColumn | undefined {
    const entry = this.from.star[position - 1];
    const incomplete = this.from.bindings.some((b) => !b.relation.complete);
    if (entry && !incomplete) return entry.column;
    this.sink.warn(`positional reference #${position} cannot be resolved because the FROM columns are not all known`);
    return undefined;
  }

  /** A found column, a warning to report, or undefined when the name is not visible at this level or outside it. */
  private lookup(names: readonly string[], aliasMode: AliasMode): RelationColumn | string | undefined {
    const parts = names.map(lower);
    const qualified = this.lookupQualified(names, parts);
    if (qualified) return qualified;
    const [first] = names;
    if (first === undefined) return undefined;
    const unqualified = this.lookupUnqualified(first, aliasMode);
    if (typeof unqualified === 'string') return unqualified;
    if (unqualified) return withFieldAccess(unqualified, names.slice(1));
    return this.outer?.lookup(names, 'none');
  }

  /** `table.column` and `schema.table.column`, each possibly followed by struct fields. */
  private lookupQualified(names: readonly string[], parts: readonly string[]): RelationColumn | string | undefined {
    const candidates: { binding: Binding; column: string; fields: readonly string[] }[] = [];
    for (const binding of this.from.bindings) {
      const [p0, p1] = parts;
      const [, n1, n2] = names;
      if (names.length >= 3 && binding.schema === p0 && binding.name === p1 && n2 !== undefined) {
        candidates.push({ binding, column: n2, fields: names.slice(3) });
      } else if (names.length >= 2 && binding.name === p0 && n1 !== undefined) {
        candidates.push({ binding, column: n1, fields: names.slice(2) });
      }
    }
    for (const { binding, column, fields } of candidates) {
      const found = columnOf(binding.relation, column);
      if (found === 'unknown') return `column "${names.join('.')}" comes from "${binding.name}", whose columns are unknown, so its lineage is unknown`;
      if (found) return withFieldAccess(found, fields);
    }
    return undefined;
  }

  private lookupUnqualified(name: string, aliasMode: AliasMode): RelationColumn | string | undefined {
    const key = lower(name);
    if (aliasMode === 'first' && this.aliases.has(key)) return this.aliases.get(key);
    const merged = this.from.merged.get(key);
    if (merged) return merged;
    // In valid SQL a name found in exactly one known relation is that one: a duplicate would be ambiguous.
    const known = this.from.bindings.flatMap((b) => {
      const c = b.relation.columns.find((col) => lower(col.name) === key);
      return c ? [c] : [];
    });
    if (known.length === 1) return known[0];
    if (known.length > 1) return `column "${name}" exists in more than one table in scope, so its lineage is ambiguous`;
    if (aliasMode !== 'none' && this.aliases.has(key)) return this.aliases.get(key);
    const open = this.from.bindings.filter((b) => !b.relation.complete);
    const [only] = open;
    if (open.length === 1 && only) {
      const found = columnOf(only.relation, name);
      return found === 'unknown' ? `column "${name}" comes from "${only.name}", whose columns are unknown, so its lineage is unknown` : found;
    }
    if (open.length > 1) {
      return `column "${name}" could come from any of ${open.map((b) => `"${b.name}"`).join(', ')}, whose columns are not all known; qualify it with a table alias`;
    }
    return undefined;
  }
}
