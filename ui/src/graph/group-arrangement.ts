// Places boxes in columns by their dependencies (a small layered layout: layering, barycenter ordering, stacking,
// then wrapping to an aspect ratio). Used for group boxes and for the interior of a large group. ELK's layered
// algorithm does this better for a few dozen boxes but takes 10-25 s for 400 groups with 2,800 edges between them
// (each long edge becomes a chain of dummy nodes) and 1.5-7 s for one group of 500 assets; this takes milliseconds.

export interface GroupSize {
  group: string;
  width: number;
  height: number;
}

/** Spacing and shape of an arrangement. */
export interface ArrangeOptions {
  /** Space between columns (default 160) and between boxes in a column (default 48). */
  gapX?: number;
  gapY?: number;
  /**
   * Wanted height : width of the whole picture. Columns far taller than that are split side by side; when given,
   * a picture far wider than that is also folded into bands stacked top to bottom, read like lines of text.
   */
  aspect?: number;
}

const SWEEPS = 4;
/** Rows of at most this many columns are never folded into bands. */
const FOLD_MIN_COLUMNS = 6;
/** Without an aspect given, only columns taller than this share of the picture's width are split. */
const DEFAULT_ASPECT = 0.6;

interface Spacing {
  gapX: number;
  gapY: number;
  aspect: number;
}

function columnHeight(column: string[], size: Map<string, GroupSize>, gapY: number): number {
  return column.reduce((sum, g) => sum + (size.get(g)?.height ?? 0), 0) + gapY * Math.max(0, column.length - 1);
}

/**
 * Splits columns that are far taller than the picture is wide into side-by-side sub-columns, keeping their
 * order, so every group still sits right of the groups it reads from.
 */
function wrapTallColumns(columns: string[][], size: Map<string, GroupSize>, { gapX, gapY, aspect }: Spacing): string[][] {
  const width = (column: string[]): number => Math.max(0, ...column.map((g) => size.get(g)?.width ?? 0)) + gapX;
  const area = columns.reduce((sum, c) => sum + columnHeight(c, size, gapY) * width(c), 0);
  const target = Math.sqrt(area * aspect);
  const result: string[][] = [];
  for (const column of columns) {
    const parts = Math.max(1, Math.ceil(columnHeight(column, size, gapY) / Math.max(target, 1)));
    if (parts === 1) {
      result.push(column);
      continue;
    }
    const share = columnHeight(column, size, gapY) / parts;
    let current: string[] = [];
    let height = 0;
    for (const g of column) {
      const h = (size.get(g)?.height ?? 0) + gapY;
      if (current.length > 0 && height + h / 2 > share) {
        result.push(current);
        current = [];
        height = 0;
      }
      current.push(g);
      height += h;
    }
    if (current.length > 0) result.push(current);
  }
  return result;
}

/** Group order after removing the edges that close cycles (found by depth-first search). */
function acyclicSuccessors(groups: string[], edges: { from: string; to: string }[]): Map<string, string[]> {
  const out = new Map<string, string[]>(groups.map((g) => [g, []]));
  for (const { from, to } of edges) if (from !== to && out.has(from) && out.has(to)) out.get(from)?.push(to);
  const state = new Map<string, 'open' | 'done'>();
  const kept = new Map<string, string[]>(groups.map((g) => [g, []]));
  for (const root of groups) {
    if (state.has(root)) continue;
    const stack: { node: string; next: number }[] = [{ node: root, next: 0 }];
    state.set(root, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { node: string; next: number };
      const successors = out.get(top.node) ?? [];
      if (top.next >= successors.length) {
        state.set(top.node, 'done');
        stack.pop();
        continue;
      }
      const child = successors[top.next++] as string;
      const seen = state.get(child);
      if (seen === 'open') continue; // a back edge: dropping it breaks the cycle
      kept.get(top.node)?.push(child);
      if (!seen) {
        state.set(child, 'open');
        stack.push({ node: child, next: 0 });
      }
    }
  }
  return kept;
}

/**
 * Top-left corner of each group box: groups in columns left to right (a group right of everything it
 * reads from), ordered within a column to keep connected groups level, very tall columns wrapped into
 * several, columns centred vertically.
 * @example arrangeGroupColumns([{ group: 'bronze', width: 300, height: 200 }, { group: 'silver', width: 300, height: 100 }], [{ from: 'bronze', to: 'silver' }])
 */
export function arrangeGroupColumns(
  sizes: GroupSize[],
  edges: { from: string; to: string }[],
  options: ArrangeOptions = {},
): Record<string, { x: number; y: number }> {
  const spacing: Spacing = { gapX: options.gapX ?? 160, gapY: options.gapY ?? 48, aspect: options.aspect ?? DEFAULT_ASPECT };
  const { gapY } = spacing;
  const names = sizes.map((s) => s.group);
  const size = new Map(sizes.map((s) => [s.group, s]));
  const successors = acyclicSuccessors(names, edges);
  const predecessors = new Map<string, string[]>(names.map((g) => [g, []]));
  for (const [from, tos] of successors) for (const to of tos) predecessors.get(to)?.push(from);

  // Longest-path layering in topological order (Kahn).
  const layer = new Map<string, number>();
  const indegree = new Map(names.map((g) => [g, predecessors.get(g)?.length ?? 0]));
  const queue = names.filter((g) => indegree.get(g) === 0);
  for (let i = 0; i < queue.length; i++) {
    const g = queue[i] as string;
    const l = Math.max(0, ...(predecessors.get(g) ?? []).map((p) => (layer.get(p) ?? 0) + 1));
    layer.set(g, l);
    for (const next of successors.get(g) ?? []) {
      const d = (indegree.get(next) ?? 1) - 1;
      indegree.set(next, d);
      if (d === 0) queue.push(next);
    }
  }
  const columns: string[][] = [];
  for (const g of queue) (columns[layer.get(g) ?? 0] ??= []).push(g);

  const centre = new Map<string, number>();
  const stack = (column: string[]): void => {
    let y = 0;
    for (const g of column) {
      const h = size.get(g)?.height ?? 0;
      centre.set(g, y + h / 2);
      y += h + gapY;
    }
  };
  columns.forEach(stack);
  const barycentre = (g: string, neighbours: string[] | undefined): number => {
    const ys = (neighbours ?? []).map((n) => centre.get(n)).filter((y): y is number => y !== undefined);
    return ys.length > 0 ? ys.reduce((a, b) => a + b, 0) / ys.length : (centre.get(g) ?? 0);
  };
  const reorder = (column: string[], neighbours: Map<string, string[]>): void => {
    const keys = new Map(column.map((g) => [g, barycentre(g, neighbours.get(g))]));
    column.sort((a, b) => (keys.get(a) ?? 0) - (keys.get(b) ?? 0));
    stack(column);
  };
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    for (let i = 1; i < columns.length; i++) reorder(columns[i] ?? [], predecessors);
    for (let i = columns.length - 2; i >= 0; i--) reorder(columns[i] ?? [], successors);
  }

  const visual = wrapTallColumns(
    columns.filter((c) => c.length > 0),
    size,
    spacing,
  );
  return placeColumns(visual, size, spacing, options.aspect !== undefined);
}

/**
 * Corners of the boxes of `columns` laid left to right, each column centred on its band's tallest; with `fold`,
 * a row of columns far wider than the aspect asks is cut into bands of similar width stacked top to bottom.
 */
function placeColumns(
  columns: string[][],
  size: Map<string, GroupSize>,
  { gapX, gapY, aspect }: Spacing,
  fold: boolean,
): Record<string, { x: number; y: number }> {
  const widths = columns.map((column) => Math.max(0, ...column.map((g) => size.get(g)?.width ?? 0)) + gapX);
  const heights = columns.map((c) => columnHeight(c, size, gapY));
  const totalWidth = widths.reduce((a, b) => a + b, 0);
  const tallest = Math.max(1, ...heights);
  const bandGap = gapY * 2;
  // b bands of height (tallest + gap) over a width of totalWidth / b: b^2 = aspect * totalWidth / (tallest + gap).
  // A few columns stay one row: reading left to right matters more than the shape there.
  const bandCount =
    fold && columns.length > FOLD_MIN_COLUMNS && tallest / totalWidth < aspect
      ? Math.max(1, Math.min(columns.length, Math.round(Math.sqrt((totalWidth * aspect) / (tallest + bandGap)))))
      : 1;
  const share = totalWidth / bandCount;
  const bands: number[][] = [[]];
  let bandWidth = 0;
  columns.forEach((_, i) => {
    const w = widths[i] ?? 0;
    const band = bands[bands.length - 1] as number[];
    if (band.length > 0 && bandWidth + w / 2 > share && bands.length < bandCount) {
      bands.push([i]);
      bandWidth = w;
    } else {
      band.push(i);
      bandWidth += w;
    }
  });
  const origins: Record<string, { x: number; y: number }> = {};
  let top = 0;
  for (const band of bands) {
    const bandHeight = Math.max(0, ...band.map((i) => heights[i] ?? 0));
    let x = 0;
    for (const i of band) {
      let y = top + (bandHeight - (heights[i] ?? 0)) / 2;
      for (const g of columns[i] ?? []) {
        origins[g] = { x, y };
        y += (size.get(g)?.height ?? 0) + gapY;
      }
      x += widths[i] ?? 0;
    }
    top += bandHeight + bandGap;
  }
  return origins;
}
