// Lineage graph layout with ELK, free of React and the DOM so it runs in a Web Worker (and in Node for benchmarks).
import type { ElkExtendedEdge, ElkNode, LayoutOptions } from 'elkjs/lib/elk-api';
import { arrangeGroupColumns } from './group-arrangement';

/** Size of one asset box; the node component renders exactly this size. */
export const NODE_WIDTH = 264;
export const NODE_HEIGHT = 64;
/** Room above the first row of a group box for its label. */
export const GROUP_LABEL_HEIGHT = 36;

export interface LayoutNodeInput {
  key: string;
  group: string;
}

export interface LayoutInput {
  nodes: LayoutNodeInput[];
  edges: { from: string; to: string }[];
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GroupBox extends Box {
  group: string;
}

export interface LayoutResult {
  /** Absolute top-left corner of each asset box. */
  positions: Record<string, { x: number; y: number }>;
  groups: GroupBox[];
  /** Milliseconds spent inside ELK. */
  elapsedMs: number;
  strategy: LayoutStrategy;
}

/**
 * `compound`: one ELK run over the whole hierarchy (best edge routing, slow on huge graphs).
 * `two-level`: each group laid out on its own by ELK, then the group boxes placed in columns (scales to 10,000+ assets).
 */
export type LayoutStrategy = 'compound' | 'two-level';

/** The minimal slice of the ELK API we use, so tests and the worker can pass any implementation. */
export interface ElkLike {
  layout(graph: ElkNode): Promise<ElkNode>;
}

/**
 * Above this many assets we lay out group by group: the compound layout orders assets across groups
 * best, but its time grows steeply (measured on a busy 2-core machine: 1.5 s at 100 assets, 4.8 s at 1,000).
 */
export const COMPOUND_LAYOUT_LIMIT = 150;

/** Space between layers (x) and between boxes in a layer (y). */
const GAP = { x: 64, y: 20 };

const LAYERED: LayoutOptions = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'POLYLINE',
  'elk.layered.spacing.nodeNodeBetweenLayers': String(GAP.x),
  'elk.spacing.nodeNode': String(GAP.y),
  'elk.spacing.componentComponent': '32',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
};

const PADDING = { top: GROUP_LABEL_HEIGHT + 12, left: 20, bottom: 20, right: 20 };
const GROUP_PADDING = `[top=${PADDING.top},left=${PADDING.left},bottom=${PADDING.bottom},right=${PADDING.right}]`;

const groupId = (group: string): string => `group:${group}`;

function groupNodes(input: LayoutInput): Map<string, LayoutNodeInput[]> {
  const byGroup = new Map<string, LayoutNodeInput[]>();
  for (const node of input.nodes) {
    const members = byGroup.get(node.group);
    if (members) members.push(node);
    else byGroup.set(node.group, [node]);
  }
  return byGroup;
}

function knownEdges(input: LayoutInput): { from: string; to: string }[] {
  const keys = new Set(input.nodes.map((n) => n.key));
  // Deps on assets outside the project (or self loops) cannot be drawn; ELK rejects unknown ids.
  return input.edges.filter((e) => e.from !== e.to && keys.has(e.from) && keys.has(e.to));
}

function assetBox(key: string): ElkNode {
  return { id: key, width: NODE_WIDTH, height: NODE_HEIGHT };
}

/** The ELK graph for the compound strategy: groups as parent nodes, every edge at the root. */
function toCompoundElkGraph(input: LayoutInput): ElkNode {
  const children: ElkNode[] = [];
  for (const [group, members] of groupNodes(input)) {
    children.push({
      id: groupId(group),
      layoutOptions: { ...LAYERED, 'elk.padding': GROUP_PADDING },
      children: members.map((m) => assetBox(m.key)),
    });
  }
  const edges: ElkExtendedEdge[] = knownEdges(input).map((e, i) => ({ id: `e${i}`, sources: [e.from], targets: [e.to] }));
  return {
    id: 'root',
    layoutOptions: { ...LAYERED, 'elk.hierarchyHandling': 'INCLUDE_CHILDREN', 'elk.layered.spacing.nodeNodeBetweenLayers': '80' },
    children,
    edges,
  };
}

function readCompound(result: ElkNode, elapsedMs: number): LayoutResult {
  const positions: LayoutResult['positions'] = {};
  const groups: GroupBox[] = [];
  for (const parent of result.children ?? []) {
    const gx = parent.x ?? 0;
    const gy = parent.y ?? 0;
    groups.push({ group: parent.id.slice('group:'.length), x: gx, y: gy, width: parent.width ?? 0, height: parent.height ?? 0 });
    for (const child of parent.children ?? []) positions[child.id] = { x: gx + (child.x ?? 0), y: gy + (child.y ?? 0) };
  }
  return { positions, groups, elapsedMs, strategy: 'compound' };
}

/** One group's own slice of the graph: its assets and the edges between them. */
export interface GroupGraph {
  group: string;
  members: string[];
  edges: { from: string; to: string }[];
}

/** A group laid out on its own: its box size and its assets' positions inside the box. */
export interface GroupInterior {
  group: string;
  width: number;
  height: number;
  positions: Record<string, { x: number; y: number }>;
}

/**
 * Split the graph into per-group graphs plus the (deduplicated) edges between groups.
 * @example const { groups, between } = splitByGroup(input);
 */
export function splitByGroup(input: LayoutInput): { groups: GroupGraph[]; between: { from: string; to: string }[] } {
  const groupOf = new Map(input.nodes.map((n) => [n.key, n.group]));
  const groups = new Map<string, GroupGraph>();
  for (const [group, members] of groupNodes(input)) groups.set(group, { group, members: members.map((m) => m.key), edges: [] });
  const between = new Map<string, { from: string; to: string }>();
  for (const edge of knownEdges(input)) {
    const a = groupOf.get(edge.from) ?? '';
    const b = groupOf.get(edge.to) ?? '';
    if (a === b) groups.get(a)?.edges.push(edge);
    else between.set(`${a}\u0000${b}`, { from: a, to: b });
  }
  return { groups: [...groups.values()], between: [...between.values()] };
}

/**
 * A group without internal edges (typically a layer of independent sources) as a compact grid, in the
 * order given; ELK would pack the same boxes similarly but pays a fixed cost per component.
 * @example gridInterior('dim_ingestion', ['bronze/airports', 'bronze/state_regions'])
 */
export function gridInterior(group: string, members: string[]): GroupInterior {
  const rows = Math.min(members.length, Math.max(4, Math.ceil(Math.sqrt(members.length * 2))));
  const columns = Math.ceil(members.length / rows);
  const positions: GroupInterior['positions'] = {};
  members.forEach((key, i) => {
    positions[key] = { x: PADDING.left + Math.floor(i / rows) * (NODE_WIDTH + GAP.x), y: PADDING.top + (i % rows) * (NODE_HEIGHT + GAP.y) };
  });
  return {
    group,
    width: PADDING.left + columns * NODE_WIDTH + (columns - 1) * GAP.x + PADDING.right,
    height: PADDING.top + rows * NODE_HEIGHT + (rows - 1) * GAP.y + PADDING.bottom,
    positions,
  };
}

/**
 * Groups larger than this are laid out by our own layered arrangement: ELK took 1.5-7 s for one group of 500
 * assets and ~3 s to expand a first group of 100 in Chromium (measured on 2 busy cores), which a user waits for;
 * ours takes well under 100 ms for 500.
 */
export const ELK_GROUP_LIMIT = 50;

/**
 * A large group laid out in columns by dependency (upstream left), folded to `aspect` (height : width).
 * @example layeredInterior({ group: 'sales', members, edges }, 0.6).positions['sales/orders']
 */
export function layeredInterior({ group, members, edges }: GroupGraph, aspect = 0.6): GroupInterior {
  const origins = arrangeGroupColumns(
    members.map((key) => ({ group: key, width: NODE_WIDTH, height: NODE_HEIGHT })),
    edges,
    { gapX: GAP.x * 1.5, gapY: GAP.y, aspect },
  );
  const positions: GroupInterior['positions'] = {};
  let right = 0;
  let bottom = 0;
  for (const key of members) {
    const at = origins[key] ?? { x: 0, y: 0 };
    positions[key] = { x: PADDING.left + at.x, y: PADDING.top + at.y };
    right = Math.max(right, at.x + NODE_WIDTH);
    bottom = Math.max(bottom, at.y + NODE_HEIGHT);
  }
  return { group, width: PADDING.left + right + PADDING.right, height: PADDING.top + bottom + PADDING.bottom, positions };
}

/** Lay out each group's interior (independent of the others, so callers may spread groups over workers). */
export function layoutGroupInteriors(elk: ElkLike, groups: GroupGraph[]): Promise<GroupInterior[]> {
  return Promise.all(
    groups.map(async (slice) => {
      const { group, members, edges } = slice;
      if (edges.length === 0) return gridInterior(group, members);
      if (members.length > ELK_GROUP_LIMIT) return layeredInterior(slice);
      const graph = await elk.layout({
        id: groupId(group),
        // Packing each connected component separately costs ELK a fixed price per component; one pass is ~2x faster.
        layoutOptions: { ...LAYERED, 'elk.padding': GROUP_PADDING, 'elk.separateConnectedComponents': 'false' },
        children: members.map(assetBox),
        edges: edges.map((e, i) => ({ id: `e${i}`, sources: [e.from], targets: [e.to] })),
      });
      const positions: GroupInterior['positions'] = {};
      for (const child of graph.children ?? []) positions[child.id] = { x: child.x ?? 0, y: child.y ?? 0 };
      return { group, width: graph.width ?? 0, height: graph.height ?? 0, positions };
    }),
  );
}

/** Combine laid-out interiors with the groups' corners into absolute positions. */
function assembleTwoLevel(interiors: GroupInterior[], origins: Record<string, { x: number; y: number }>, elapsedMs: number): LayoutResult {
  const positions: LayoutResult['positions'] = {};
  const groups: GroupBox[] = [];
  for (const interior of interiors) {
    const at = origins[interior.group] ?? { x: 0, y: 0 };
    groups.push({ group: interior.group, x: at.x, y: at.y, width: interior.width, height: interior.height });
    for (const key in interior.positions) {
      const p = interior.positions[key] as { x: number; y: number };
      positions[key] = { x: at.x + p.x, y: at.y + p.y };
    }
  }
  return { positions, groups, elapsedMs, strategy: 'two-level' };
}

/**
 * Which strategy a graph of this size gets.
 * @public the layout bench imports this module by path (bench/scenarios/ui-layout.ts), which knip cannot follow
 */
export function chooseStrategy(input: LayoutInput): LayoutStrategy {
  return input.nodes.length > COMPOUND_LAYOUT_LIMIT ? 'two-level' : 'compound';
}

/**
 * Lay out the lineage graph left to right, one box per group.
 * @example const { positions, groups } = await computeLayout(new ELK(), { nodes, edges });
 */
export async function computeLayout(elk: ElkLike, input: LayoutInput, strategy?: LayoutStrategy): Promise<LayoutResult> {
  const chosen = strategy ?? chooseStrategy(input);
  const started = performance.now();
  if (chosen === 'compound') {
    const result = await elk.layout(toCompoundElkGraph(input));
    return readCompound(result, performance.now() - started);
  }
  const { groups, between } = splitByGroup(input);
  const interiors = await layoutGroupInteriors(elk, groups);
  const origins = arrangeGroupColumns(interiors, between);
  return assembleTwoLevel(interiors, origins, performance.now() - started);
}

/**
 * A short fingerprint of the graph's structure (keys, groups, edges), used to cache positions:
 * a status change keeps the key, a new asset or dependency changes it.
 * @example localStorage.getItem(`sluice.layout.${layoutFingerprint(input)}`)
 */
export function layoutFingerprint(input: LayoutInput): string {
  const nodes = input.nodes.map((n) => `${n.group}\u0001${n.key}`).sort();
  const edges = input.edges.map((e) => `${e.from}\u0001${e.to}`).sort();
  let hash = 0x811c9dc5;
  for (const part of [...nodes, '\u0002', ...edges]) {
    for (let i = 0; i < part.length; i++) {
      hash ^= part.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193);
    }
    hash ^= 0x1f;
  }
  // Box sizes are part of the key: a layout made for other sizes would overlap.
  return `${NODE_WIDTH}x${NODE_HEIGHT}-${input.nodes.length}-${input.edges.length}-${(hash >>> 0).toString(36)}`;
}
