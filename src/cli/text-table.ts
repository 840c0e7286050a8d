// Renders rows as an aligned plain-text table for terminal output, and the counts in them.

/**
 * `1,234,567`, as en-US writes it: without Intl, whose first use costs 20-35 ms (a one-row `sluice query` paid it).
 * @example formatCount(1234567) // '1,234,567'
 */
export function formatCount(n: number): string {
  return Number.isInteger(n) ? String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',') : n.toLocaleString('en-US');
}

/**
 * Formats rows under a header, columns padded to their widest cell.
 * @example textTable(['key', 'rows'], [['gold/a', '12']])
 */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
