// Makes warehouse values safe for JSON: big integers, dates, blobs and nested values inside lists and structs.

/**
 * A JSON-safe copy of a warehouse value. JSON.stringify throws on BigInt (DuckDB's HUGEINT, nested
 * BIGINTs) and turns byte arrays into index maps, so both get readable forms instead.
 * @example toJsonValue({ n: 12n, at: new Date(0) }) // { n: 12, at: '1970-01-01T00:00:00.000Z' }
 */
export function toJsonValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`;
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, nested] of Object.entries(value)) out[key] = toJsonValue(nested);
    return out;
  }
  return value;
}

/**
 * JSON-safe rows. With the columns' SQL types, DATE values come out as `2001-01-31` rather than as
 * midnight UTC timestamps (the driver hands them over as Date objects); without them, column names
 * are taken from the first row.
 * @example toJsonRows([{ day: new Date(0) }], [{ name: 'day', type: 'DATE' }]).rows // [{ day: '1970-01-01' }]
 */
export function toJsonRows(
  rows: readonly Record<string, unknown>[],
  columns?: readonly { name: string; type: string }[],
): { columns: string[]; rows: Record<string, unknown>[] } {
  const dates = new Set((columns ?? []).filter((c) => c.type.toUpperCase() === 'DATE').map((c) => c.name));
  return {
    columns: columns ? columns.map((c) => c.name) : rows[0] ? Object.keys(rows[0]) : [],
    rows: rows.map((row) => {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(row)) {
        out[key] = dates.has(key) && value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString().slice(0, 10) : toJsonValue(value);
      }
      return out;
    }),
  };
}
