// The one place quarantined rows are read from the warehouse (rows leave Sluice here): bounded, relation from the graph.
import { quoteIdentifier, quoteQualified, type QualifiedName } from '../../model/asset-key.js';
import type { Sluice } from '../../runtime/sluice.js';
import { toJsonRows } from '../json-values.js';

/** A quarantine table and the column that says why each row is there. */
export interface QuarantineSource {
  /** The table: a side output of the asset (`bronze.flights_quarantine`) or the asset itself. */
  relation: QualifiedName;
  /** `_error_type` for ingestion quarantines, `reject_reason` (or similar) for quarantine assets. */
  reasonColumn: string;
  origin: 'side_output' | 'asset';
}

/** What is read from one quarantine table. */
export interface QuarantineRows {
  total: number;
  /** Rows per reason, most first. */
  byReason: { reason: string | null; count: number }[];
  columns: string[];
  /** The first `limit` rows, by file and line when the table has them. */
  rows: Record<string, unknown>[];
}

/** Column names Sluice's loaders write, in the order rows are sorted by. */
const POSITION_COLUMNS = ['_source_file', '_line_number', '_row_offset'];

/**
 * Reads the rows of a quarantine table and its counts by reason. The relation and the reason column come from
 * the project (the asset graph and its recorded side outputs), never from a request; `limit` is a validated
 * integer. This is the function to route through the governed read path once it exists (src/access/governed-query).
 * @example const { byReason } = await readQuarantine(sluice, { relation: { schema: 'bronze', name: 'flights_quarantine' }, reasonColumn: '_error_type', origin: 'side_output' }, 200);
 */
export async function readQuarantine(sluice: Sluice, source: QuarantineSource, limit: number): Promise<QuarantineRows | undefined> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  const session = await sluice.warehouse.session();
  try {
    const columns = await session.describe(source.relation);
    if (!columns) return undefined;
    const names = columns.map((c) => c.name.toLowerCase());
    if (!names.includes(source.reasonColumn.toLowerCase())) return undefined;
    const table = quoteQualified(source.relation);
    const reason = quoteIdentifier(source.reasonColumn);
    const order = POSITION_COLUMNS.filter((c) => names.includes(c)).map(quoteIdentifier);
    const counts = await session.query<{ reason: string | null; n: number | bigint }>(`SELECT ${reason} AS reason, count(*) AS n FROM ${table} GROUP BY 1 ORDER BY 2 DESC, 1`);
    const rows = await session.query(`SELECT * FROM ${table}${order.length > 0 ? ` ORDER BY ${order.join(', ')}` : ''} LIMIT ${limit}`);
    const byReason = counts.map((r) => ({ reason: r.reason === null ? null : String(r.reason), count: Number(r.n) }));
    return { total: byReason.reduce((n, r) => n + r.count, 0), byReason, ...toJsonRows(rows, columns) };
  } finally {
    session.close();
  }
}
