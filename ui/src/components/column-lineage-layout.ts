// Lays out a column lineage graph: one box per table (asset or file) listing its columns, boxes in layers from sources to consumers (React-free).
import type { ColumnEdge, ColumnNode } from '../../../src/server/views/column-lineage-graph';

export const BOX_WIDTH = 210;
export const HEADER_HEIGHT = 28;
export const ROW_HEIGHT = 22;
const LAYER_GAP = 100;
const BOX_GAP = 22;
const MARGIN = 16;

/** A table box and where each of its columns is drawn. */
export interface TableBox {
  /** Asset key or `file:<path>` / `schema.name`. */
  id: string;
  label: string;
  kind: ColumnNode['kind'];
  asset: string | null;
  x: number;
  y: number;
  height: number;
  columns: ColumnNode[];
}

/** An edge between two column rows, with its end points. */
export interface PlacedEdge extends ColumnEdge {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface ColumnLayout {
  boxes: TableBox[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

function boxIdOf(node: ColumnNode): string {
  return node.asset ?? node.table;
}

/** `file:/long/path/flights-3m.parquet` -> `flights-3m.parquet (file)` */
function labelOf(node: ColumnNode): string {
  if (node.asset) return node.asset;
  if (node.kind === 'file')
    return `${node.table
      .replace(/^file:/, '')
      .split('/')
      .pop()} (file)`;
  return node.table;
}

/**
 * Boxes in layers (longest path from the sources), ordered in each layer by their upstream boxes' positions.
 * @example const { boxes, edges, width, height } = layoutColumnLineage(graph.nodes, graph.edges);
 */
export function layoutColumnLineage(nodes: readonly ColumnNode[], edges: readonly ColumnEdge[]): ColumnLayout {
  const boxes = new Map<string, TableBox>();
  const nodeBox = new Map<string, string>();
  for (const node of nodes) {
    const id = boxIdOf(node);
    nodeBox.set(node.id, id);
    let box = boxes.get(id);
    if (!box) boxes.set(id, (box = { id, label: labelOf(node), kind: node.kind, asset: node.asset, x: 0, y: 0, height: 0, columns: [] }));
    box.columns.push(node);
  }
  const parents = new Map<string, Set<string>>();
  for (const edge of edges) {
    const [from, to] = [nodeBox.get(edge.from), nodeBox.get(edge.to)];
    if (!from || !to || from === to) continue;
    if (!parents.has(to)) parents.set(to, new Set());
    parents.get(to)!.add(from);
  }
  // Longest path from the sources; a cycle (never expected) is cut by the visiting set.
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const layerOf = (id: string): number => {
    const known = layer.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    let value = 0;
    for (const parent of parents.get(id) ?? []) value = Math.max(value, layerOf(parent) + 1);
    visiting.delete(id);
    layer.set(id, value);
    return value;
  };
  const layers: TableBox[][] = [];
  for (const box of [...boxes.values()].sort((a, b) => a.label.localeCompare(b.label))) (layers[layerOf(box.id)] ??= []).push(box);

  const rowIndex = new Map<string, number>();
  let height = 0;
  layers.forEach((boxesInLayer, l) => {
    if (l > 0) {
      // Barycentre of the upstream boxes: fewer crossings than alphabetical order.
      const centre = (box: TableBox): number => {
        const ys = [...(parents.get(box.id) ?? [])]
          .map((p) => boxes.get(p)!)
          .filter((p) => layer.get(p.id)! < l)
          .map((p) => p.y + p.height / 2);
        return ys.length > 0 ? ys.reduce((a, b) => a + b, 0) / ys.length : Number.MAX_SAFE_INTEGER;
      };
      const centres = new Map(boxesInLayer.map((b) => [b.id, centre(b)]));
      boxesInLayer.sort((a, b) => centres.get(a.id)! - centres.get(b.id)!);
    }
    let y = MARGIN;
    for (const box of boxesInLayer) {
      box.columns.sort((a, b) => a.column.localeCompare(b.column));
      box.columns.forEach((c, i) => rowIndex.set(c.id, i));
      box.x = MARGIN + l * (BOX_WIDTH + LAYER_GAP);
      box.y = y;
      box.height = HEADER_HEIGHT + box.columns.length * ROW_HEIGHT;
      y += box.height + BOX_GAP;
    }
    height = Math.max(height, y);
  });

  const rowY = (id: string): number => {
    const box = boxes.get(nodeBox.get(id)!)!;
    return box.y + HEADER_HEIGHT + rowIndex.get(id)! * ROW_HEIGHT + ROW_HEIGHT / 2;
  };
  const placed: PlacedEdge[] = [];
  for (const edge of edges) {
    const [from, to] = [boxes.get(nodeBox.get(edge.from) ?? ''), boxes.get(nodeBox.get(edge.to) ?? '')];
    if (!from || !to) continue;
    placed.push({ ...edge, x1: from.x + BOX_WIDTH, y1: rowY(edge.from), x2: to.x, y2: rowY(edge.to) });
  }
  return {
    boxes: [...boxes.values()],
    edges: placed,
    width: MARGIN * 2 + Math.max(1, layers.length) * (BOX_WIDTH + LAYER_GAP) - LAYER_GAP,
    height: height + MARGIN,
  };
}
