// The lineage graph as drawn: a collapsed group is one card, an expanded group a box of its laid-out assets, and
// edges join whatever stands for their ends, weighted by how many asset edges they carry (pure).
import { arrangeGroupColumns } from './group-arrangement';
import {
  layoutFingerprint,
  NODE_HEIGHT,
  NODE_WIDTH,
  splitByGroup,
  type GroupBox,
  type GroupGraph,
  type GroupInterior,
  type LayoutInput,
  type LayoutResult,
} from './layout';
import type { Lineage } from './lineage';

/** Size of a collapsed group's card; its width grows with the name so the name is always shown in full. */
export const CARD_HEIGHT = 128;
const CARD_MIN_WIDTH = 260;
const CARD_MAX_WIDTH = 640;

/** Card width for a group name: ~8 px per character of 14 px semibold text, plus padding. */
export function cardWidth(group: string): number {
  return Math.min(CARD_MAX_WIDTH, Math.max(CARD_MIN_WIDTH, Math.ceil(group.length * 8.5) + 48));
}

/** The node id of a group's card (asset keys always contain a slash after a schema, never this prefix). */
export const cardId = (group: string): string => `group:${group}`;

/** The structure of the graph by group, computed once per graph version. */
export interface GroupStructure {
  /** Group names, in the order of the first asset of each. */
  groups: string[];
  groupOf: ReadonlyMap<string, string>;
  graphs: ReadonlyMap<string, GroupGraph>;
  /** A fingerprint of each group's own slice: its interior layout is valid (and cached) while this is unchanged. */
  fingerprints: ReadonlyMap<string, string>;
  /** Every edge between two distinct assets of the graph. */
  edges: { from: string; to: string }[];
}

/**
 * Groups, their slices and fingerprints.
 * @example groupStructure({ nodes, edges }).graphs.get('sales')?.members.length
 */
export function groupStructure(input: LayoutInput): GroupStructure {
  const { groups } = splitByGroup(input);
  const groupOf = new Map(input.nodes.map((n) => [n.key, n.group]));
  const fingerprints = new Map(groups.map((g) => [g.group, layoutFingerprint({ nodes: g.members.map((key) => ({ key, group: g.group })), edges: g.edges })]));
  const edges = input.edges.filter((e) => e.from !== e.to && groupOf.has(e.from) && groupOf.has(e.to));
  return { groups: groups.map((g) => g.group), groupOf, graphs: new Map(groups.map((g) => [g.group, g])), fingerprints, edges };
}

/** An edge as drawn: between two node ids (asset keys or cards), with the screen-independent ends of its curve. */
export interface ViewEdge {
  id: string;
  from: string;
  to: string;
  /** How many asset edges it stands for. */
  weight: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** Positions of everything drawn: assets of expanded groups, every group's box (cards for collapsed ones), edges. */
export interface GroupView extends LayoutResult {
  collapsed: ReadonlySet<string>;
  viewEdges: ViewEdge[];
}

/**
 * Arrange the groups (expanded ones at the size of their interior, the rest as cards) to the viewport's
 * aspect ratio, and join what is shown. Groups with an interior in `interiors` are expanded.
 * @example groupView(structure, new Map([['sales', interior]]), 900 / 1400, 12)
 */
export function groupView(structure: GroupStructure, interiors: ReadonlyMap<string, GroupInterior>, aspect: number, elapsedMs: number): GroupView {
  const started = performance.now();
  const sizes = structure.groups.map((group) => {
    const interior = interiors.get(group);
    return interior ? { group, width: interior.width, height: interior.height } : { group, width: cardWidth(group), height: CARD_HEIGHT };
  });
  const between = new Map<string, { from: string; to: string }>();
  for (const { from, to } of structure.edges) {
    const a = structure.groupOf.get(from) as string;
    const b = structure.groupOf.get(to) as string;
    if (a !== b) between.set(`${a}\u0000${b}`, { from: a, to: b });
  }
  const origins = arrangeGroupColumns(sizes, [...between.values()], { aspect, gapX: 120, gapY: 48 });
  const positions: LayoutResult['positions'] = {};
  const groups: GroupBox[] = [];
  const collapsed = new Set<string>();
  for (const size of sizes) {
    const at = origins[size.group] ?? { x: 0, y: 0 };
    groups.push({ group: size.group, x: at.x, y: at.y, width: size.width, height: size.height });
    const interior = interiors.get(size.group);
    if (!interior) {
      collapsed.add(size.group);
      continue;
    }
    for (const key in interior.positions) {
      const p = interior.positions[key] as { x: number; y: number };
      positions[key] = { x: at.x + p.x, y: at.y + p.y };
    }
  }
  const boxes = new Map(groups.map((g) => [cardId(g.group), g]));
  const represent = (key: string): string => (positions[key] ? key : cardId(structure.groupOf.get(key) as string));
  const anchor = (id: string, side: 'out' | 'in'): { x: number; y: number } => {
    const p = positions[id];
    if (p) return { x: side === 'out' ? p.x + NODE_WIDTH : p.x, y: p.y + NODE_HEIGHT / 2 };
    const box = boxes.get(id) as GroupBox;
    return { x: side === 'out' ? box.x + box.width : box.x, y: box.y + box.height / 2 };
  };
  const weights = new Map<string, { from: string; to: string; weight: number }>();
  for (const edge of structure.edges) {
    const from = represent(edge.from);
    const to = represent(edge.to);
    if (from === to) continue;
    const id = `${from}->${to}`;
    const known = weights.get(id);
    if (known) known.weight++;
    else weights.set(id, { from, to, weight: 1 });
  }
  const viewEdges: ViewEdge[] = [];
  for (const [id, { from, to, weight }] of weights) {
    const a = anchor(from, 'out');
    const b = anchor(to, 'in');
    viewEdges.push({ id, from, to, weight, x1: a.x, y1: a.y, x2: b.x, y2: b.y });
  }
  return { positions, groups, collapsed, viewEdges, elapsedMs: elapsedMs + performance.now() - started, strategy: 'two-level' };
}

/**
 * A whole-graph layout (every group expanded) as a view: its edges with their ends.
 * @example viewOfLayout(await computeLayout(elk, input), input.edges)
 */
export function viewOfLayout(layout: LayoutResult, edges: readonly { from: string; to: string }[]): GroupView {
  const viewEdges: ViewEdge[] = [];
  for (const { from, to } of edges) {
    const a = layout.positions[from];
    const b = layout.positions[to];
    if (!a || !b || from === to) continue;
    viewEdges.push({ id: `${from}->${to}`, from, to, weight: 1, x1: a.x + NODE_WIDTH, y1: a.y + NODE_HEIGHT / 2, x2: b.x, y2: b.y + NODE_HEIGHT / 2 });
  }
  return { ...layout, collapsed: new Set(), viewEdges };
}

/**
 * An asset's lineage in the ids of the view: its assets, plus the card of every collapsed group that holds one.
 * @example viewLineage(lineageOf(key, adjacency), structure.groupOf, view.collapsed).upstream.has('group:sales')
 */
export function viewLineage(lineage: Lineage, groupOf: ReadonlyMap<string, string>, collapsed: ReadonlySet<string>): Lineage {
  if (collapsed.size === 0) return lineage;
  const lift = (keys: Set<string>): Set<string> => {
    const lifted = new Set(keys);
    for (const key of keys) {
      const group = groupOf.get(key);
      if (group !== undefined && collapsed.has(group)) lifted.add(cardId(group));
    }
    return lifted;
  };
  return { upstream: lift(lineage.upstream), downstream: lift(lineage.downstream) };
}
