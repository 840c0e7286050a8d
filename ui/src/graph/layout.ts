// Lineage graph layout with ELK, free of React and the DOM so it runs in a Web Worker (and in Node for benchmarks).
import type { ElkExtendedEdge, ElkNode, LayoutOptions } from 'elkjs/lib/elk-api';

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
 * `two-level`: each group laid out on its own, then the groups as boxes (scales to 10,000+ assets).
 */
export type LayoutStrategy = 'compound' | 'two-level';

/** The minimal slice of the ELK API we use, so tests and the worker can pass any implementation. */
export interface ElkLike {
  layout(graph: ElkNode): Promise<ElkNode>;
}

/** Above this many assets the compound layout takes seconds (about 5 s at 1,000), so we lay out group by group. */
export const COMPOUND_LAYOUT_LIMIT = 300;

const LAYERED: LayoutOptions = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'POLYLINE',
  'elk.layered.spacing.nodeNodeBetweenLayers': '64',
  'elk.spacing.nodeNode': '20',
  'elk.spacing.componentComponent': '32',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
};

const GROUP_PADDING = `[top=${GROUP_LABEL_HEIGHT + 12},left=20,bottom=20,right=20]`;

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
export function toCompoundElkGraph(input: LayoutInput): ElkNode {
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

async function layoutTwoLevel(elk: ElkLike, input: LayoutInput): Promise<Omit<LayoutResult, 'elapsedMs'>> {
  const byGroup = groupNodes(input);
  const groupOf = new Map(input.nodes.map((n) => [n.key, n.group]));
  const inner = new Map<string, { from: string; to: string }[]>();
  const between = new Map<string, { from: string; to: string }>();
  for (const edge of knownEdges(input)) {
    const a = groupOf.get(edge.from) ?? '';
    const b = groupOf.get(edge.to) ?? '';
    if (a === b) {
      const list = inner.get(a);
      if (list) list.push(edge);
      else inner.set(a, [edge]);
    } else {
      between.set(`${a}\u0000${b}`, { from: groupId(a), to: groupId(b) });
    }
  }

  const laidOutGroups = await Promise.all(
    [...byGroup].map(async ([group, members]) => {
      const edges = (inner.get(group) ?? []).map((e, i) => ({ id: `e${i}`, sources: [e.from], targets: [e.to] }));
      const graph = await elk.layout({
        id: groupId(group),
        layoutOptions: { ...LAYERED, 'elk.padding': GROUP_PADDING },
        children: members.map((m) => assetBox(m.key)),
        edges,
      });
      return { group, graph };
    }),
  );

  const top = await elk.layout({
    id: 'root',
    layoutOptions: { ...LAYERED, 'elk.layered.spacing.nodeNodeBetweenLayers': '120', 'elk.spacing.nodeNode': '40' },
    children: laidOutGroups.map(({ group, graph }) => ({ id: groupId(group), width: graph.width ?? 0, height: graph.height ?? 0 })),
    edges: [...between.values()].map((e, i) => ({ id: `g${i}`, sources: [e.from], targets: [e.to] })),
  });

  const origin = new Map((top.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }]));
  const positions: LayoutResult['positions'] = {};
  const groups: GroupBox[] = [];
  for (const { group, graph } of laidOutGroups) {
    const at = origin.get(groupId(group)) ?? { x: 0, y: 0 };
    groups.push({ group, x: at.x, y: at.y, width: graph.width ?? 0, height: graph.height ?? 0 });
    for (const child of graph.children ?? []) positions[child.id] = { x: at.x + (child.x ?? 0), y: at.y + (child.y ?? 0) };
  }
  return { positions, groups, strategy: 'two-level' };
}

/**
 * Lay out the lineage graph left to right, one box per group.
 * @example const { positions, groups } = await computeLayout(new ELK(), { nodes, edges });
 */
export async function computeLayout(elk: ElkLike, input: LayoutInput, strategy?: LayoutStrategy): Promise<LayoutResult> {
  const chosen = strategy ?? (input.nodes.length > COMPOUND_LAYOUT_LIMIT ? 'two-level' : 'compound');
  const started = performance.now();
  if (chosen === 'compound') {
    const result = await elk.layout(toCompoundElkGraph(input));
    return readCompound(result, performance.now() - started);
  }
  const result = await layoutTwoLevel(elk, input);
  return { ...result, elapsedMs: performance.now() - started };
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
  return `${input.nodes.length}-${input.edges.length}-${(hash >>> 0).toString(36)}`;
}
