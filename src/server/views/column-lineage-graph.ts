// Column lineage as a graph of columns and transforms: around one column (upstream and downstream) or for a whole project (pure).
import type { ProjectColumnLineage, ColumnTraceNode } from '../../lineage/project-column-lineage.js';
import type { ColumnTransform } from '../../lineage/lineage-model.js';

/** A column in the graph: of an asset, of a source file, or of a table outside Sluice. */
export interface ColumnNode {
  /** `asset/key.column` for asset columns, `table.column` otherwise (`file:/path/x.parquet.delay`). */
  id: string;
  kind: 'asset' | 'file' | 'external';
  asset: string | null;
  /** `schema.name` or `file:<path>`. */
  table: string;
  column: string;
  /** Why lineage stops at this column, when it is not a source. */
  note: string | null;
}

/** `from` feeds `to` by `transform`. */
export interface ColumnEdge {
  from: string;
  to: string;
  transform: ColumnTransform;
}

/** GET /api/column-lineage and GET /api/column-lineage/:schema/:name/:column */
export interface ColumnLineageGraphResponse {
  /** The column the graph is centred on (absent for the whole project). */
  focus: string | null;
  nodes: ColumnNode[];
  edges: ColumnEdge[];
  /** With a focus: the focused asset's columns (to pick another) and the columns that decide which of its rows appear. */
  asset?: { key: string; columns: string[]; shapedBy: { id: string; asset: string | null; table: string; column: string; transform: ColumnTransform }[] };
}

/**
 * The id of an asset column or a source column.
 * @example columnId({ asset: 'silver/flights', table: 'silver.flights', column: 'delay_min' }) // 'silver/flights.delay_min'
 */
function columnId(node: { asset?: string | null | undefined; table: string; column: string }): string {
  // Names differ in case between a SQL reference and the column it reads (DuckDB ignores case).
  return `${node.asset ?? node.table}.${node.column.toLowerCase()}`;
}

class GraphBuilder {
  readonly nodes = new Map<string, ColumnNode>();
  private readonly edges = new Map<string, ColumnEdge>();

  node(trace: Pick<ColumnTraceNode, 'asset' | 'table' | 'column' | 'kind' | 'note'>): string {
    const id = columnId(trace);
    const seen = this.nodes.get(id);
    if (!seen) this.nodes.set(id, { id, kind: trace.kind, asset: trace.asset ?? null, table: trace.table, column: trace.column, note: trace.note ?? null });
    else if (!seen.note && trace.note) seen.note = trace.note;
    return id;
  }

  edge(from: string, to: string, transform: ColumnTransform): void {
    this.edges.set(`${from}\u0000${to}\u0000${transform}`, { from, to, transform });
  }

  result(): { nodes: ColumnNode[]; edges: ColumnEdge[] } {
    return { nodes: [...this.nodes.values()], edges: [...this.edges.values()] };
  }
}

/**
 * Every column upstream and downstream of `assetKey.column`, with the transform on each edge.
 * @example columnLineageAround(lineage, 'gold/region_monthly_summary', 'avg_delay_min').edges[0] // { from: 'silver/flights.delay_min', to: 'gold/region_monthly_summary.avg_delay_min', transform: 'aggregation' }
 */
export function columnLineageAround(lineage: ProjectColumnLineage, assetKey: string, column: string): ColumnLineageGraphResponse {
  const builder = new GraphBuilder();
  const up = lineage.trace(assetKey, column);
  const focus = builder.node(up);
  const walkUp = (node: ColumnTraceNode, id: string): void => {
    for (const next of node.next) {
      const nextId = builder.node(next);
      builder.edge(nextId, id, next.transform ?? 'identity');
      walkUp(next, nextId);
    }
  };
  walkUp(up, focus);
  const walkDown = (node: ColumnTraceNode, id: string): void => {
    for (const next of node.next) {
      const nextId = builder.node(next);
      builder.edge(id, nextId, next.transform ?? 'identity');
      walkDown(next, nextId);
    }
  };
  walkDown(lineage.downstream(assetKey, column), focus);
  const own = lineage.asset(assetKey);
  const shapedBy = own.indirect.map((s) => ({ id: columnId(s), asset: s.asset ?? null, table: s.table, column: s.column, transform: s.transform }));
  return { focus, ...builder.result(), asset: { key: own.key, columns: own.columns.map((c) => c.name), shapedBy } };
}

/**
 * Every asset column of a project and the direct sources of each: the whole column graph.
 * @example columnLineageOfProject(lineage).nodes.length // every column of every asset, plus source columns
 */
export function columnLineageOfProject(lineage: ProjectColumnLineage): ColumnLineageGraphResponse {
  const builder = new GraphBuilder();
  for (const asset of lineage.assets.values()) {
    for (const column of asset.columns) {
      const to = builder.node({ asset: asset.key, table: asset.table, column: column.name, kind: 'asset' });
      for (const source of column.sources) {
        const kind = source.asset ? 'asset' : source.table.startsWith('file:') ? 'file' : 'external';
        builder.edge(builder.node({ ...source, kind }), to, source.transform);
      }
    }
  }
  return { focus: null, ...builder.result() };
}
