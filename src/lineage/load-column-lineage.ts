// Gathers what column lineage needs from the warehouse (parse trees, published columns, file columns), then analyses.
import type { AssetGraph } from '../model/asset-graph.js';
import { sqlString } from '../model/asset-key.js';
import type { Warehouse, WarehouseSession } from '../engine/warehouse.js';
import { analyseColumnLineage, type LineageInputs } from './asset-column-lineage.js';
import { ProjectColumnLineage } from './project-column-lineage.js';

/** Per-call settings of `loadColumnLineage`. */
export interface LoadColumnLineageOptions {
  /** Assets to analyse (their upstream assets are analysed as needed); default all. */
  keys?: Iterable<string>;
  /** Columns of relations known from elsewhere (`schema.name`), used instead of asking the warehouse. */
  knownRelations?: ReadonlyMap<string, readonly { name: string; type: string }[]>;
}

type MutableInputs = {
  parseTrees: Map<string, unknown>;
  relations: Map<string, { name: string; type: string }[] | null>;
  files: Map<string, string[] | null>;
};

/** Analysis rounds are bounded by the graph's depth; this only guards against a lookup that never settles. */
const MAX_ROUNDS = 64;

/**
 * Column lineage of a project against its warehouse: analyses, fetches whatever the analysis reported
 * missing (each relation, file and parse tree once), and repeats until nothing is missing.
 * @example
 * const lineage = await loadColumnLineage(sluice.project.graph, sluice.warehouse);
 * lineage.trace('gold/region_monthly_summary', 'avg_delay_min');
 */
export async function loadColumnLineage(graph: AssetGraph, warehouse: Warehouse, options: LoadColumnLineageOptions = {}): Promise<ProjectColumnLineage> {
  const keys = options.keys ? [...options.keys] : [...graph.order];
  const relations = new Map([...(options.knownRelations ?? [])].map(([table, columns]) => [table, columns.map((c) => ({ name: c.name, type: c.type }))]));
  const inputs: MutableInputs = { parseTrees: new Map(), relations, files: new Map() };
  const session = await warehouse.session();
  try {
    for (let round = 0; ; round++) {
      const analysis = analyseColumnLineage(graph, inputs as LineageInputs, keys);
      const { parseTrees, relations, files } = analysis.missing;
      if (round >= MAX_ROUNDS || parseTrees.size + relations.size + files.size === 0) return new ProjectColumnLineage(analysis.assets);
      for (const key of parseTrees) inputs.parseTrees.set(key, await parseTreeOf(warehouse, graph.get(key)?.definition.sql ?? ''));
      for (const table of relations) inputs.relations.set(table, await describeRelation(session, table));
      for (const file of files) inputs.files.set(file, await describeFile(session, file));
    }
  } finally {
    session.close();
  }
}

/**
 * Column lineage without the project's warehouse (another process may own it): DuckDB in memory parses the
 * SQL and reads source files, `knownRelations` (e.g. the last materializations' schemas) stand in for the
 * published tables, and everything else is inferred from the definitions.
 * @example const lineage = await loadColumnLineageDetached(project.graph, project.dir, schemasFromServer);
 */
export async function loadColumnLineageDetached(
  graph: AssetGraph,
  projectDir: string,
  knownRelations: ReadonlyMap<string, readonly { name: string; type: string }[]>,
  options: Omit<LoadColumnLineageOptions, 'knownRelations'> = {},
): Promise<ProjectColumnLineage> {
  // Imported here: the modules that import this one (the runtime, the HTTP client) must not load DuckDB by doing so.
  const { DuckDbWarehouse } = await import('../engine/duckdb/duckdb-warehouse.js');
  const warehouse = await DuckDbWarehouse.open({ path: ':memory:', fileSearchPath: projectDir });
  try {
    return await loadColumnLineage(graph, warehouse, { ...options, knownRelations });
  } finally {
    await warehouse.close();
  }
}

/** A parse failure becomes the serializer's own error shape, which the lineage reports as a warning. */
async function parseTreeOf(warehouse: Warehouse, sql: string): Promise<unknown> {
  try {
    return await warehouse.parseTree(sql);
  } catch (error) {
    return { error: true, error_message: error instanceof Error ? error.message : String(error) };
  }
}

async function describeRelation(session: WarehouseSession, table: string): Promise<{ name: string; type: string }[] | null> {
  const dot = table.indexOf('.');
  if (dot <= 0) return null;
  try {
    const columns = await session.describe({ schema: table.slice(0, dot), name: table.slice(dot + 1) });
    return columns ? columns.map((c) => ({ name: c.name, type: c.type })) : null;
  } catch {
    return null;
  }
}

/** DuckDB reads a file's columns from its header or footer (relative paths resolve against the project folder). */
async function describeFile(session: WarehouseSession, file: string): Promise<string[] | null> {
  try {
    const rows = await session.query<{ column_name: string }>(`DESCRIBE SELECT * FROM ${sqlString(file.slice('file:'.length))}`);
    return rows.length > 0 ? rows.map((r) => r.column_name) : null;
  } catch {
    return null;
  }
}
