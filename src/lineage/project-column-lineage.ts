// Questions over a project's column lineage: where a column comes from (to the sources) and where it goes (pure).
import { AssetNotFoundError, SluiceError } from '../errors.js';
import { didYouMean } from '../model/did-you-mean.js';
import type { AssetColumnSource, AssetLineage } from './asset-column-lineage.js';
import type { ColumnTransform } from './lineage-model.js';

/** One column in a trace: an asset column, a file column or a column of a table outside Sluice. */
export interface ColumnTraceNode {
  /** `schema.name` or `file:<path>`. */
  table: string;
  asset?: string;
  column: string;
  kind: 'asset' | 'file' | 'external';
  /** How this column feeds the node above it in the tree (absent on the root). */
  transform?: ColumnTransform;
  /** Why the trace stops here, when it is not a source file or table. */
  note?: string;
  /** Upstream columns (for `trace`) or downstream columns (for `downstream`). */
  next: ColumnTraceNode[];
}

const lower = (s: string): string => s.toLowerCase();

/**
 * A project's column lineage, asset by asset, with transitive queries.
 * @example
 * const lineage = new ProjectColumnLineage(analysis.assets);
 * lineage.trace('gold/region_monthly_summary', 'avg_delay_min').next[0]?.column // 'delay_min' (silver.flights)
 */
export class ProjectColumnLineage {
  private consumersIndex: Map<string, { asset: string; column: string; transform: ColumnTransform }[]> | undefined;

  constructor(readonly assets: ReadonlyMap<string, AssetLineage>) {}

  /** The lineage of one asset; throws with a suggestion when it is unknown. */
  asset(key: string): AssetLineage {
    const found = this.assets.get(key);
    if (!found) throw new AssetNotFoundError(key, didYouMean(key, this.assets.keys()));
    return found;
  }

  /**
   * Every upstream column of `assetKey.column`, recursively, down to files, outside tables and columns
   * that read nothing (constants, `count(*)`); each stop that is not a source says why.
   * @example lineage.trace('gold/airport_daily_delays', 'avg_delay_min')
   */
  trace(assetKey: string, column: string): ColumnTraceNode {
    const lineage = this.asset(assetKey);
    const found = lineage.columns.find((c) => lower(c.name) === lower(column));
    if (!found) throw columnNotFound(lineage, column);
    const walk = (source: AssetColumnSource, path: ReadonlySet<string>): ColumnTraceNode => {
      const node = this.sourceNode(source);
      if (!source.asset) return node;
      const upstream = this.assets.get(source.asset);
      const id = `${source.asset}.${lower(source.column)}`;
      if (!upstream || path.has(id)) return node;
      const upstreamColumn = upstream.columns.find((c) => lower(c.name) === lower(source.column));
      if (upstream.method === 'none') return { ...node, note: upstream.note ?? 'not analysable' };
      if (!upstreamColumn) return { ...node, note: `not a known column of ${source.asset}` };
      if (upstreamColumn.sources.length === 0) return { ...node, note: noSourcesNote(upstream, upstreamColumn.transform) };
      const nextPath = new Set([...path, id]);
      return { ...node, next: upstreamColumn.sources.map((s) => walk(s, nextPath)) };
    };
    const root: ColumnTraceNode = { table: lineage.table, asset: lineage.key, column: found.name, kind: 'asset', next: [] };
    if (lineage.method === 'none') return { ...root, note: lineage.note ?? 'not analysable' };
    if (found.sources.length === 0) return { ...root, note: noSourcesNote(lineage, found.transform) };
    const path = new Set([`${lineage.key}.${lower(found.name)}`]);
    return { ...root, next: found.sources.map((s) => walk(s, path)) };
  }

  /**
   * Every column computed from `assetKey.column`, recursively, down to the last asset that reads it.
   * @example lineage.downstream('silver/flights', 'delay_min').next.map((n) => `${n.asset}.${n.column}`)
   */
  downstream(assetKey: string, column: string): ColumnTraceNode {
    const lineage = this.asset(assetKey);
    const found = lineage.columns.find((c) => lower(c.name) === lower(column));
    if (!found) throw columnNotFound(lineage, column);
    const walk = (asset: string, name: string, transform: ColumnTransform | undefined, path: ReadonlySet<string>): ColumnTraceNode => {
      const table = this.assets.get(asset)?.table ?? asset.replace('/', '.');
      const node: ColumnTraceNode = { table, asset, column: name, kind: 'asset', next: [], ...(transform ? { transform } : {}) };
      const id = `${asset}.${lower(name)}`;
      if (path.has(id)) return node;
      const nextPath = new Set([...path, id]);
      node.next = this.consumersOf(asset, name).map((c) => walk(c.asset, c.column, c.transform, nextPath));
      return node;
    };
    const root = walk(lineage.key, found.name, undefined, new Set());
    return root.next.length > 0 ? root : { ...root, note: 'no asset reads it' };
  }

  /** Output columns of other assets that read `asset.column` directly. */
  consumersOf(asset: string, column: string): { asset: string; column: string; transform: ColumnTransform }[] {
    this.consumersIndex ??= this.buildConsumers();
    return this.consumersIndex.get(`${asset}\u0000${lower(column)}`) ?? [];
  }

  private buildConsumers(): Map<string, { asset: string; column: string; transform: ColumnTransform }[]> {
    const index = new Map<string, { asset: string; column: string; transform: ColumnTransform }[]>();
    for (const lineage of this.assets.values()) {
      for (const column of lineage.columns) {
        for (const source of column.sources) {
          if (!source.asset) continue;
          const key = `${source.asset}\u0000${lower(source.column)}`;
          const list = index.get(key) ?? [];
          list.push({ asset: lineage.key, column: column.name, transform: source.transform });
          index.set(key, list);
        }
      }
    }
    return index;
  }

  private sourceNode(source: AssetColumnSource): ColumnTraceNode {
    const kind = source.asset ? 'asset' : source.table.startsWith('file:') ? 'file' : 'external';
    return { table: source.table, column: source.column, kind, transform: source.transform, next: [], ...(source.asset ? { asset: source.asset } : {}) };
  }
}

function noSourcesNote(lineage: AssetLineage, transform: ColumnTransform | undefined): string {
  if (lineage.method === 'declared') return 'declared with no upstream columns';
  if (transform === 'aggregation') return 'reads no column (an aggregate such as count(*))';
  return lineage.complete ? 'reads no column (a constant or generated value)' : 'its sources are unknown (see the lineage warnings)';
}

function columnNotFound(lineage: AssetLineage, column: string): SluiceError {
  const names = lineage.columns.map((c) => c.name);
  const suggestion = didYouMean(column, names);
  const known = names.length > 0 ? `its columns are ${names.join(', ')}` : (lineage.note ?? 'its columns are unknown');
  return new SluiceError(
    'INVALID_SELECTION',
    `asset "${lineage.key}" has no column "${column}"${suggestion ? `; did you mean "${suggestion}"?` : ''} (${known})`,
  );
}
