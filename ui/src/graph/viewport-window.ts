// Which assets React Flow should know about: those near the viewport plus their direct neighbours, so pan and
// zoom cost depends on what is on screen, not on the size of the project.
import { NODE_HEIGHT, NODE_WIDTH, type Box, type LayoutResult } from './layout';
import type { Adjacency } from './lineage';

export interface Transform {
  x: number;
  y: number;
  zoom: number;
}

/** The flow-coordinate rectangle visible through a viewport of `width` x `height` pixels. */
export function visibleRect(transform: Transform, width: number, height: number): Box {
  return { x: -transform.x / transform.zoom, y: -transform.y / transform.zoom, width: width / transform.zoom, height: height / transform.zoom };
}

/** `rect` grown by `factor` of its size on every side. */
export function expandRect(rect: Box, factor: number): Box {
  return { x: rect.x - rect.width * factor, y: rect.y - rect.height * factor, width: rect.width * (1 + 2 * factor), height: rect.height * (1 + 2 * factor) };
}

/** Whether `inner` lies entirely inside `outer`. */
export function containsRect(outer: Box, inner: Box): boolean {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
}

function intersects(a: Box, x: number, y: number, width: number, height: number): boolean {
  return x + width >= a.x && x <= a.x + a.width && y + height >= a.y && y <= a.y + a.height;
}

export interface WindowContents {
  /** Assets whose box meets the window. */
  inside: Set<string>;
  /** `inside` plus every direct neighbour, so edges leaving the window still have both ends. */
  withNeighbours: Set<string>;
  groups: Set<string>;
}

/**
 * The assets and groups React Flow needs for a window of the graph.
 * @example const { withNeighbours } = windowContents(layout, adjacency, expandRect(visibleRect(t, w, h), 1));
 */
export function windowContents(layout: LayoutResult, adjacency: Adjacency, window: Box): WindowContents {
  const inside = new Set<string>();
  for (const key in layout.positions) {
    const p = layout.positions[key] as { x: number; y: number };
    if (intersects(window, p.x, p.y, NODE_WIDTH, NODE_HEIGHT)) inside.add(key);
  }
  const withNeighbours = new Set(inside);
  for (const key of inside) {
    for (const k of adjacency.upstream.get(key) ?? []) withNeighbours.add(k);
    for (const k of adjacency.downstream.get(key) ?? []) withNeighbours.add(k);
  }
  const groups = new Set<string>();
  for (const g of layout.groups) if (intersects(window, g.x, g.y, g.width, g.height)) groups.add(g.group);
  return { inside, withNeighbours, groups };
}
