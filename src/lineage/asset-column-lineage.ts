// Project-wide column lineage: every asset's columns and the upstream asset, table or file columns they come from (pure).
import type { AssetDefinition } from '../model/asset-definition.js';
import type { AssetGraph } from '../model/asset-graph.js';
import { inferColumnLineage } from './column-lineage.js';
import type { ColumnLineageResult, ColumnSource, ColumnTransform } from './lineage-model.js';

/** How an asset's column lineage was obtained. */
export type LineageMethod = 'sql' | 'declared' | 'none';

/** One upstream column, named by its relation (`schema.name` or `file:<path>`) and, when an asset defines it, the asset key. */
export interface AssetColumnSource extends ColumnSource {
  asset?: string;
}

/** One output column of an asset and its direct upstream columns. */
export interface AssetColumn {
  name: string;
  /** The warehouse type, when the asset is published. */
  type?: string;
  /** The strongest transform producing the column (`count(*)` is aggregation though it reads no column). */
  transform?: ColumnTransform;
  sources: AssetColumnSource[];
}

/** Column lineage of one asset. */
export interface AssetLineage {
  key: string;
  /** The warehouse relation, `schema.name`. */
  table: string;
  /** `sql`: inferred from the SQL; `declared`: the author's `columnLineage`; `none`: not analysable. */
  method: LineageMethod;
  /** False when some columns or their sources are unknown (see `note` and `warnings`). */
  complete: boolean;
  /** True when every output column is known by name (even if some sources are not). */
  columnsKnown: boolean;
  /** Why lineage is missing, in plain words (set for `none`). */
  note?: string;
  columns: AssetColumn[];
  /** Columns that decide which rows appear (filter, join, group_by, sort). */
  indirect: AssetColumnSource[];
  warnings: string[];
}

/**
 * What the analysis reads from outside. A name absent from a map is "not looked up yet" (it is reported in
 * `missing`); `null` means "looked up, does not exist" (e.g. an asset never built).
 */
export interface LineageInputs {
  /** DuckDB's `json_serialize_sql` tree of each SQL asset, by asset key. */
  parseTrees: ReadonlyMap<string, unknown>;
  /** Columns of warehouse relations (`schema.name`) as the warehouse describes them. */
  relations: ReadonlyMap<string, readonly { name: string; type: string }[] | null>;
  /** Column names of files read by table functions (`file:<path>`). */
  files: ReadonlyMap<string, readonly string[] | null>;
}

/** What an analysis would need to be exact: parse trees, relations and files it could not find in the inputs. */
export interface MissingInputs {
  parseTrees: Set<string>;
  relations: Set<string>;
  files: Set<string>;
}

/** The lineage of the analysed assets, and what the inputs lacked. */
export interface ColumnLineageAnalysis {
  assets: Map<string, AssetLineage>;
  missing: MissingInputs;
}

/** `silver/flights` -> `silver.flights`. */
export function tableOfAsset(key: string): string {
  return key.replace('/', '.');
}

const NOT_ANALYSABLE = 'computed by a TypeScript function, which Sluice cannot analyse; declare `columnLineage` on the asset to trace its columns';

/**
 * Column lineage of the given assets (default: all) and, as needed, of their upstream assets. A SQL asset is
 * analysed with a catalog of its upstream relations: their published columns, or for an upstream never
 * built, its own inferred columns. A TypeScript asset uses its declared `columnLineage`, else is `none`.
 * @example
 * const { assets } = analyseColumnLineage(graph, inputs);
 * assets.get('gold/region_monthly_summary')!.columns.find((c) => c.name === 'avg_delay_min')!.sources
 * // [{ table: 'silver.flights', asset: 'silver/flights', column: 'delay_min', transform: 'aggregation' }]
 */
export function analyseColumnLineage(graph: AssetGraph, inputs: LineageInputs, keys: Iterable<string> = graph.order): ColumnLineageAnalysis {
  const missing: MissingInputs = { parseTrees: new Set(), relations: new Set(), files: new Set() };
  const assets = new Map<string, AssetLineage>();
  const inProgress = new Set<string>();
  const assetOfTable = (table: string): string | undefined => {
    const key = table.replace('.', '/');
    return !table.startsWith('file:') && graph.has(key) ? key : undefined;
  };
  const described = (table: string): readonly { name: string; type: string }[] | undefined => {
    const found = inputs.relations.get(table);
    if (found === undefined) missing.relations.add(table);
    return found ?? undefined;
  };
  const catalog = (table: string): string[] | undefined => {
    if (table.startsWith('file:')) {
      const found = inputs.files.get(table);
      if (found === undefined) missing.files.add(table);
      return found ? [...found] : undefined;
    }
    const columns = described(table);
    if (columns) return columns.map((c) => c.name);
    const upstream = assetOfTable(table);
    // An upstream never built still has columns: the ones its own definition produces.
    if (upstream && !inProgress.has(upstream)) {
      const lineage = analyse(upstream);
      if (lineage.columnsKnown && lineage.columns.length > 0) return lineage.columns.map((c) => c.name);
    }
    return undefined;
  };
  const withAssets = (sources: readonly ColumnSource[]): AssetColumnSource[] =>
    sources.map((s) => {
      const asset = assetOfTable(s.table);
      return asset ? { ...s, asset } : { ...s };
    });
  const analyse = (key: string): AssetLineage => {
    const done = assets.get(key);
    if (done) return done;
    inProgress.add(key);
    try {
      const definition = graph.get(key)!.definition;
      const published = described(tableOfAsset(key));
      const lineage =
        definition.sql !== undefined
          ? sqlLineage(definition, inputs, missing, catalog, published, withAssets)
          : definition.columnLineage
            ? declaredLineage(definition, published, assetOfTable)
            : noLineage(key, published);
      assets.set(key, lineage);
      return lineage;
    } finally {
      inProgress.delete(key);
    }
  };
  for (const key of keys) if (graph.has(key)) analyse(key);
  return { assets, missing };
}

function typed(columns: AssetColumn[], published: readonly { name: string; type: string }[] | undefined): AssetColumn[] {
  if (!published) return columns;
  const types = new Map(published.map((c) => [c.name.toLowerCase(), c.type]));
  return columns.map((c) => {
    const type = types.get(c.name.toLowerCase());
    return type === undefined ? c : { ...c, type };
  });
}

function sqlLineage(
  definition: AssetDefinition,
  inputs: LineageInputs,
  missing: MissingInputs,
  catalog: (table: string) => string[] | undefined,
  published: readonly { name: string; type: string }[] | undefined,
  withAssets: (sources: readonly ColumnSource[]) => AssetColumnSource[],
): AssetLineage {
  const table = tableOfAsset(definition.key);
  const tree = inputs.parseTrees.get(definition.key);
  if (tree === undefined) {
    missing.parseTrees.add(definition.key);
    return {
      key: definition.key,
      table,
      method: 'sql',
      complete: false,
      columnsKnown: false,
      note: 'its SQL has not been parsed',
      columns: [],
      indirect: [],
      warnings: [],
    };
  }
  let result: ColumnLineageResult = inferColumnLineage(tree, catalog);
  // The published names settle how DuckDB spelled unaliased expressions; only usable when they line up.
  if (published && result.complete && published.length === result.columns.length) {
    result = inferColumnLineage(tree, catalog, { outputColumns: published.map((c) => c.name) });
  }
  const columns = result.columns.map((c) => {
    const column: AssetColumn = { name: c.column, sources: withAssets(c.sources) };
    if (c.transform) column.transform = c.transform;
    return column;
  });
  return {
    key: definition.key,
    table,
    method: 'sql',
    complete: result.complete !== false && result.warnings.length === 0,
    columnsKnown: result.complete !== false,
    columns: typed(columns, published),
    indirect: withAssets(result.indirect),
    warnings: result.warnings,
  };
}

/**
 * Parses a declared source: `bronze/flights.delay`, `bronze.flights.delay` or `file:<path>.delay` (the column
 * follows the last dot).
 * @example parseColumnRef('file:data/flights.parquet.delay') // { table: 'file:data/flights.parquet', column: 'delay' }
 */
export function parseColumnRef(ref: string): { table: string; column: string } | undefined {
  const dot = ref.lastIndexOf('.');
  if (dot <= 0 || dot === ref.length - 1) return undefined;
  const relation = ref.slice(0, dot);
  const column = ref.slice(dot + 1);
  if (relation.startsWith('file:')) return { table: relation, column };
  const parts = relation.split(/[/.]/);
  if (parts.length !== 2 || parts.some((p) => p === '')) return undefined;
  return { table: `${parts[0]!.toLowerCase()}.${parts[1]!.toLowerCase()}`, column };
}

function declaredLineage(
  definition: AssetDefinition,
  published: readonly { name: string; type: string }[] | undefined,
  assetOfTable: (table: string) => string | undefined,
): AssetLineage {
  const declared = definition.columnLineage ?? {};
  const warnings: string[] = [];
  const byName = new Map(Object.entries(declared).map(([name, refs]) => [name.toLowerCase(), { name, refs }]));
  const order = published ? published.map((c) => c.name) : [];
  for (const { name } of byName.values()) if (!order.some((n) => n.toLowerCase() === name.toLowerCase())) order.push(name);
  const columns = order.map((name): AssetColumn => {
    const entry = byName.get(name.toLowerCase());
    if (!entry) {
      warnings.push(`column "${name}" is published but missing from the declared columnLineage, so its sources are unknown`);
      return { name, sources: [] };
    }
    // A single declared source is taken as a copy; several as a computation from them.
    const transform: ColumnTransform = entry.refs.length > 1 ? 'transformation' : 'identity';
    const sources = entry.refs.flatMap((ref): AssetColumnSource[] => {
      const parsed = parseColumnRef(ref);
      if (!parsed) {
        warnings.push(`columnLineage of "${name}": "${ref}" is not "schema/name.column" or "file:<path>.column"`);
        return [];
      }
      const asset = assetOfTable(parsed.table);
      return [{ ...parsed, transform, ...(asset ? { asset } : {}) }];
    });
    if (published && !published.some((c) => c.name.toLowerCase() === name.toLowerCase())) {
      warnings.push(`column "${name}" is declared in columnLineage but not published by the asset`);
    }
    return { name, transform: entry.refs.length === 0 ? 'transformation' : transform, sources };
  });
  return {
    key: definition.key,
    table: tableOfAsset(definition.key),
    method: 'declared',
    complete: warnings.length === 0,
    columnsKnown: true,
    columns: typed(columns, published),
    indirect: [],
    warnings,
  };
}

function noLineage(key: string, published: readonly { name: string; type: string }[] | undefined): AssetLineage {
  return {
    key,
    table: tableOfAsset(key),
    method: 'none',
    complete: false,
    columnsKnown: published !== undefined,
    note: published ? NOT_ANALYSABLE : `${NOT_ANALYSABLE}; it has not been materialized, so even its columns are unknown`,
    columns: (published ?? []).map((c) => ({ name: c.name, type: c.type, sources: [] })),
    indirect: [],
    warnings: [],
  };
}
