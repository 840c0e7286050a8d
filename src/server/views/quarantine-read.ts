// The one place quarantined rows leave Sluice: through the governed reader, under the owning asset's policy.
import type { GovernedReader } from '../../access/governed-query/governed-reader.js';
import { QueryRefusedError } from '../../access/governed-query/query-refused-error.js';
import type { Principal } from '../../access/principal.js';
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

/** What is read from one quarantine table, as the caller may see it. */
export interface QuarantineRows {
  total: number;
  /** Rows per reason, most first. */
  byReason: { reason: string | null; count: number }[];
  columns: string[];
  /** The first `limit` rows, by file and line when the table has them. */
  rows: Record<string, unknown>[];
  /** Set when the owning asset's policy applies to the caller but cannot be applied to this table: no rows, and why. */
  hidden?: string;
}

/** Column names Sluice's loaders write, in the order rows are sorted by. */
const POSITION_COLUMNS = ['_source_file', '_line_number', '_row_offset'];

/**
 * Reads the rows of a quarantine table and its counts by reason through the governed reader (audited as
 * `quarantine`): a quarantine asset under its own policy, a side output under the policy of `owner`, the
 * asset that wrote it. Rows a policy filters out are neither listed nor counted; when the owner's policy
 * cannot be applied to a side output, its rows are hidden (`hidden` says why). The relation and the reason
 * column come from the project, never from a request; `limit` is a validated integer.
 * @example const { byReason } = await readQuarantine(sluice, reader, principal, 'bronze/flights', source, 200);
 */
export async function readQuarantine(
  sluice: Sluice,
  reader: GovernedReader<Principal>,
  principal: Principal,
  owner: string,
  source: QuarantineSource,
  limit: number,
): Promise<QuarantineRows | undefined> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  const columns = await describe(sluice, source.relation);
  if (!columns) return undefined;
  const names = columns.map((c) => c.name.toLowerCase());
  if (!names.includes(source.reasonColumn.toLowerCase())) return undefined;
  const table = quoteQualified(source.relation);
  const reason = quoteIdentifier(source.reasonColumn);
  const order = POSITION_COLUMNS.filter((c) => names.includes(c)).map(quoteIdentifier);
  const sideOutputs = source.origin === 'side_output' ? new Map([[`${source.relation.schema}/${source.relation.name}`, owner]]) : undefined;
  const options = { purpose: 'quarantine' as const, ...(sideOutputs ? { sideOutputs } : {}) };
  try {
    const counts = await reader.query(principal, `SELECT ${reason} AS reason, count(*) AS n FROM ${table} GROUP BY 1 ORDER BY 2 DESC, 1`, options);
    const rows = await reader.query(principal, `SELECT * FROM ${table}${order.length > 0 ? ` ORDER BY ${order.join(', ')}` : ''} LIMIT ${limit}`, {
      ...options,
      maxRows: limit,
    });
    const byReason = counts.rows.map((r) => ({ reason: r.reason === null || r.reason === undefined ? null : String(r.reason), count: Number(r.n) }));
    return { total: byReason.reduce((n, r) => n + r.count, 0), byReason, ...toJsonRows(rows.rows, columns) };
  } catch (error) {
    // Only a side output can be hidden; anything else (a refused asset, an engine failure) propagates.
    if (error instanceof QueryRefusedError && error.rule === 'hidden') {
      return { total: 0, byReason: [], columns: columns.map((c) => c.name), rows: [], hidden: error.message };
    }
    throw error;
  }
}

async function describe(sluice: Sluice, relation: QualifiedName): Promise<{ name: string; type: string }[] | undefined> {
  const session = await sluice.warehouse.session();
  try {
    return await session.describe(relation);
  } finally {
    session.close();
  }
}
