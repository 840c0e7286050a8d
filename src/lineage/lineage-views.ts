// Lineage as graphs of nodes and edges (assets, or columns), cut to one asset's up- or downstream (pure).
import type { AssetGraph } from '../model/asset-graph.js';
import type { ColumnTransform } from './lineage-model.js';
import type { ColumnTraceNode, ProjectColumnLineage } from './project-column-lineage.js';

/** Which side of an asset to show. */
export type LineageDirection = 'upstream' | 'downstream' | 'both';

/** The asset DAG, or a part of it. */
export interface AssetGraphView {
  nodes: { key: string; group: string; kind: string }[];
  edges: { from: string; to: string }[];
}

/** Columns as nodes (grouped by their asset, table or file), lineage as edges from source to output. */
export interface ColumnGraphView {
  nodes: { id: string; table: string; asset?: string; column: string; note?: string }[];
  edges: { from: string; to: string; transform: ColumnTransform }[];
}

/**
 * The whole asset graph, or `key` with its upstream and/or downstream assets.
 * @example assetGraphView(graph, 'silver/flights', 'upstream').nodes.map((n) => n.key) // ['bronze/flights', 'silver/flights_validated', 'silver/flights']
 */
export function assetGraphView(graph: AssetGraph, key?: string, direction: LineageDirection = 'both'): AssetGraphView {
  const up = key === undefined || direction === 'downstream' ? new Set<string>() : new Set([key, ...graph.upstreamOf(key)]);
  const down = key === undefined || direction === 'upstream' ? new Set<string>() : new Set([key, ...graph.downstreamOf(key)]);
  const keys = key === undefined ? new Set(graph.order) : new Set([...up, ...down]);
  const ordered = graph.order.filter((k) => keys.has(k));
  // Only edges along the chosen direction: a downstream asset's other parents are not part of the picture.
  const onPath = (from: string, to: string): boolean => key === undefined || (up.has(from) && up.has(to)) || (down.has(from) && down.has(to));
  return {
    nodes: ordered.map((k) => ({ key: k, group: graph.get(k)!.definition.group, kind: graph.get(k)!.definition.kind })),
    edges: ordered.flatMap((to) =>
      graph
        .parentsOf(to)
        .filter((from) => keys.has(from) && onPath(from, to))
        .map((from) => ({ from, to })),
    ),
  };
}

/** The id of a column node: `asset.column` for assets, `table.column` otherwise. */
function columnNodeId(node: { table: string; asset?: string; column: string }): string {
  return `${node.asset ?? node.table}.${node.column}`;
}

/**
 * Column lineage as a graph: every asset's columns and direct sources, or the traces of one asset's columns
 * (`column` narrows it to one).
 * @example columnGraphView(lineage, 'gold/region_monthly_summary', 'upstream', 'avg_delay_min').edges.length // 4
 */
export function columnGraphView(lineage: ProjectColumnLineage, key?: string, direction: LineageDirection = 'both', column?: string): ColumnGraphView {
  const nodes = new Map<string, ColumnGraphView['nodes'][number]>();
  const edges = new Map<string, ColumnGraphView['edges'][number]>();
  const addNode = (n: { table: string; asset?: string; column: string; note?: string }): string => {
    const id = columnNodeId(n);
    if (!nodes.has(id)) nodes.set(id, { id, table: n.table, column: n.column, ...(n.asset ? { asset: n.asset } : {}), ...(n.note ? { note: n.note } : {}) });
    return id;
  };
  const addEdge = (from: string, to: string, transform: ColumnTransform): void =>
    void edges.set(`${from}\u0000${to}\u0000${transform}`, { from, to, transform });
  if (key === undefined) {
    for (const asset of lineage.assets.values()) {
      for (const c of asset.columns) {
        const to = addNode({ table: asset.table, asset: asset.key, column: c.name });
        for (const s of c.sources) addEdge(addNode(s), to, s.transform);
      }
    }
    return { nodes: [...nodes.values()], edges: [...edges.values()] };
  }
  const asset = lineage.asset(key);
  const columns = column === undefined ? asset.columns.map((c) => c.name) : [column];
  const walkUp = (node: ColumnTraceNode): string => {
    const id = addNode(node);
    for (const next of node.next) addEdge(walkUp(next), id, next.transform ?? 'identity');
    return id;
  };
  const walkDown = (node: ColumnTraceNode): string => {
    const id = addNode(node);
    for (const next of node.next) addEdge(id, walkDown(next), next.transform ?? 'identity');
    return id;
  };
  for (const name of columns) {
    if (direction !== 'downstream') walkUp(lineage.trace(key, name));
    if (direction !== 'upstream') walkDown(lineage.downstream(key, name));
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}

/**
 * Mermaid flowchart source (render it in GitHub, GitLab or mermaid.live).
 * @example toMermaid(assetGraphView(graph)) // 'flowchart LR\n  n0["bronze/flights"]\n ...'
 */
export function toMermaid(view: AssetGraphView | ColumnGraphView): string {
  const lines = ['flowchart LR'];
  if (isAssetView(view)) {
    const ids = new Map(view.nodes.map((n, i) => [n.key, `n${i}`]));
    for (const n of view.nodes) lines.push(`  ${ids.get(n.key)}["${mermaidText(n.key)}"]`);
    for (const e of view.edges) lines.push(`  ${ids.get(e.from)} --> ${ids.get(e.to)}`);
    return lines.join('\n');
  }
  const ids = new Map(view.nodes.map((n, i) => [n.id, `c${i}`]));
  groupByRelation(view).forEach((members, group, all) => {
    const index = [...all.keys()].indexOf(group);
    lines.push(`  subgraph g${index}["${mermaidText(group)}"]`);
    for (const n of members) lines.push(`    ${ids.get(n.id)}["${mermaidText(n.column)}"]`);
    lines.push('  end');
  });
  for (const e of view.edges) lines.push(`  ${ids.get(e.from)} -->|${e.transform}| ${ids.get(e.to)}`);
  return lines.join('\n');
}

/**
 * Graphviz DOT source (`dot -Tsvg`).
 * @example toDot(assetGraphView(graph, 'silver/flights'))
 */
export function toDot(view: AssetGraphView | ColumnGraphView): string {
  const lines = ['digraph lineage {', '  rankdir=LR;', '  node [shape=box, fontname="Helvetica"];'];
  if (isAssetView(view)) {
    for (const n of view.nodes) lines.push(`  ${dotId(n.key)} [label=${dotId(`${n.key}\n${n.kind}, ${n.group}`)}];`);
    for (const e of view.edges) lines.push(`  ${dotId(e.from)} -> ${dotId(e.to)};`);
  } else {
    let index = 0;
    for (const [group, members] of groupByRelation(view)) {
      lines.push(`  subgraph ${dotId(`cluster_${index++}`)} {`, `    label=${dotId(group)};`);
      for (const n of members) lines.push(`    ${dotId(n.id)} [label=${dotId(n.column)}];`);
      lines.push('  }');
    }
    for (const e of view.edges) lines.push(`  ${dotId(e.from)} -> ${dotId(e.to)} [label=${dotId(e.transform)}];`);
  }
  lines.push('}');
  return lines.join('\n');
}

/**
 * A trace as an indented tree, one column per line, with how each feeds the line above.
 * @example traceText(lineage.trace('gold/airport_daily_delays', 'avg_delay_min'))
 */
export function traceText(root: ColumnTraceNode): string {
  const label = (n: ColumnTraceNode): string => `${columnNodeId(n)}${n.transform ? ` (${n.transform})` : ''}${n.note ? ` [${n.note}]` : ''}`;
  const lines = [label(root)];
  const walk = (node: ColumnTraceNode, prefix: string): void => {
    node.next.forEach((child, i) => {
      const last = i === node.next.length - 1;
      lines.push(`${prefix}${last ? '└── ' : '├── '}${label(child)}`);
      walk(child, `${prefix}${last ? '    ' : '│   '}`);
    });
  };
  walk(root, '');
  return lines.join('\n');
}

function isAssetView(view: AssetGraphView | ColumnGraphView): view is AssetGraphView {
  return view.nodes.length === 0 ? !view.edges.some((e) => 'transform' in e) : 'key' in view.nodes[0]!;
}

function groupByRelation(view: ColumnGraphView): Map<string, ColumnGraphView['nodes']> {
  const groups = new Map<string, ColumnGraphView['nodes']>();
  for (const n of view.nodes) {
    const group = n.asset ?? n.table;
    groups.set(group, [...(groups.get(group) ?? []), n]);
  }
  return groups;
}

/** Mermaid labels are quoted; quotes inside become the HTML entity Mermaid understands. */
function mermaidText(text: string): string {
  return text.replaceAll('"', '#quot;');
}

function dotId(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`;
}
