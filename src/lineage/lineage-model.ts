// The vocabulary of column lineage: transforms, sources, relations, and how sources combine.

/** How an input column reaches an output: directly (first four) or by shaping the rows (last four). */
export type ColumnTransform = 'identity' | 'transformation' | 'aggregation' | 'filter' | 'join' | 'group_by' | 'sort' | 'window';

/** One input column and how it feeds an output. */
export interface ColumnSource {
  /** `schema.name` in lower case, or `file:<path>` for a file read by a table function. */
  table: string;
  column: string;
  transform: ColumnTransform;
}

/** The direct sources of one output column. */
export interface OutputColumnLineage {
  column: string;
  /** Direct sources: transform identity, transformation, aggregation or window. */
  sources: ColumnSource[];
  /**
   * The strongest transform producing the column, also when it reads no column (`count(*)` is
   * aggregation, a constant is transformation). Always set by `inferColumnLineage`; optional so
   * hand-built results stay valid.
   */
  transform?: ColumnTransform;
}

/** Column lineage of one SELECT statement. */
export interface ColumnLineageResult {
  /** One entry per output column, in output order. */
  columns: OutputColumnLineage[];
  /** Columns that decide which rows appear or in what order (filter, join, group_by, sort). */
  indirect: ColumnSource[];
  /** What could not be resolved, in plain words; lineage is never guessed. */
  warnings: string[];
  /**
   * False when some output columns are missing (`*` over a table or file whose columns are unknown).
   * Always set by `inferColumnLineage`; optional so hand-built results stay valid.
   */
  complete?: boolean;
}

/** Column names of a table or view (`schema.name`) or file (`file:<path>`), in order; undefined if unknown. */
export type CatalogLookup = (table: string) => string[] | undefined;

/** A column of an intermediate relation (table, CTE, subquery) with its lineage so far. */
export interface RelationColumn {
  name: string;
  sources: ColumnSource[];
  transform: ColumnTransform;
  /** Set when the name is our rendering of an unaliased expression, which DuckDB may spell differently. */
  approximate?: boolean;
}

/** The output of a FROM item or query: its known columns and where any unknown ones come from. */
export interface Relation {
  columns: RelationColumn[];
  /** False when `*` over a table missing from the catalog left some columns unknown. */
  complete: boolean;
  /**
   * For an incomplete relation: the tables its unknown columns come from unchanged (`SELECT * FROM t`),
   * an empty list for generated values (`range(10)`), undefined when nobody can tell.
   */
  rest?: string[];
}

const DIRECT_STRENGTH: Partial<Record<ColumnTransform, number>> = {
  identity: 0,
  transformation: 1,
  window: 2,
  aggregation: 3,
};

/**
 * The transform of a value that applies `outer` to something produced by `inner`: the stronger wins,
 * so `round(avg(x))` is an aggregation and `x` passed through a subquery stays identity.
 * @example
 * composeTransforms('transformation', 'aggregation') // 'aggregation'
 */
export function composeTransforms(outer: ColumnTransform, inner: ColumnTransform): ColumnTransform {
  return (DIRECT_STRENGTH[inner] ?? 0) > (DIRECT_STRENGTH[outer] ?? 0) ? inner : outer;
}

/**
 * Sources with duplicates (same table, column and transform) removed, first occurrence kept.
 * @example
 * dedupeSources([s, s]).length // 1
 */
export function dedupeSources(sources: readonly ColumnSource[]): ColumnSource[] {
  const seen = new Set<string>();
  const out: ColumnSource[] = [];
  for (const source of sources) {
    const key = `${source.table}\u0000${source.column}\u0000${source.transform}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(source);
  }
  return out;
}

/**
 * The facts a whole analysis accumulates: row-shaping columns and warnings, both deduplicated.
 * @example
 * const sink = new LineageSink();
 * sink.addIndirect([{ table: 'silver.flights', column: 'origin', transform: 'identity' }], 'join');
 * sink.indirect // [{ table: 'silver.flights', column: 'origin', transform: 'join' }]
 */
export class LineageSink {
  readonly indirect: ColumnSource[] = [];
  readonly warnings: string[] = [];
  private readonly seenIndirect = new Set<string>();
  private readonly seenWarnings = new Set<string>();

  /** Records that the given columns shape the rows, as `transform` (filter, join, group_by, sort). */
  addIndirect(sources: readonly ColumnSource[], transform: ColumnTransform): void {
    for (const { table, column } of sources) {
      const key = `${table}\u0000${column}\u0000${transform}`;
      if (this.seenIndirect.has(key)) continue;
      this.seenIndirect.add(key);
      this.indirect.push({ table, column, transform });
    }
  }

  warn(message: string): void {
    if (this.seenWarnings.has(message)) return;
    this.seenWarnings.add(message);
    this.warnings.push(message);
  }
}
