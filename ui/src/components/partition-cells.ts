// Geometry and colours of the partition grid (React-free): which cell is where, and which partition a point hits.

/** Colour per status letter of the API (see PartitionStatusCode). */
export const PARTITION_COLOURS: Readonly<Record<string, string>> = { m: '#16a34a', s: '#d97706', f: '#dc2626', r: '#2563eb', '-': '#e5e7eb' };
export const PARTITION_LABELS: Readonly<Record<string, string>> = { m: 'materialized', s: 'stale', f: 'failed', r: 'in a running backfill', '-': 'missing' };

/** Cell size and columns for `count` cells in `width` pixels: 14 px cells when they fit in ~12 rows, down to 4 px for 10,000+. */
export function gridGeometry(count: number, width: number): { cell: number; gap: number; columns: number; rows: number; height: number } {
  let cell = 14;
  while (cell > 4 && Math.ceil(count / Math.floor(width / (cell + 2))) * (cell + 2) > 320) cell -= 2;
  const gap = cell >= 8 ? 2 : 1;
  const columns = Math.max(1, Math.floor(width / (cell + gap)));
  const rows = Math.ceil(count / columns);
  return { cell, gap, columns, rows, height: rows * (cell + gap) };
}

/** The index of the cell at (x, y), or -1. */
export function cellAt(x: number, y: number, count: number, geometry: { cell: number; gap: number; columns: number }): number {
  const step = geometry.cell + geometry.gap;
  const column = Math.floor(x / step);
  const row = Math.floor(y / step);
  if (column < 0 || column >= geometry.columns || row < 0) return -1;
  const index = row * geometry.columns + column;
  return index < count ? index : -1;
}
