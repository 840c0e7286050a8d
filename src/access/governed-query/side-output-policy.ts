// An asset's side output (bronze.flights_quarantine) read under the owning asset's policy, or not at all.
import { parseAssetKey, type QualifiedName } from '../../model/asset-key.js';
import type { WarehouseSession } from '../../engine/warehouse.js';
import type { PolicyRelation, PolicySet } from '../policy/policy-set.js';
import type { PolicyPrincipal } from '../policy/policy-principal.js';
import { QueryRefusedError } from './query-refused-error.js';

/**
 * Columns Sluice's loaders add to a quarantine table that hold where and why, never a value of the row:
 * with a mask in force, any other column not of the owning asset (`_raw_line`) may carry the masked value.
 */
const POSITION_COLUMNS = new Set(['_source_file', '_line_number', '_row_offset', '_column', '_error_type', '_quarantined_at']);

type TreeNode = Record<string, unknown>;

/** Every column name a parse tree references (each part of a qualified name, lower case). */
function columnNames(value: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => columnNames(v, into));
  else if (typeof value === 'object' && value !== null) {
    const node = value as TreeNode;
    if (node.class === 'COLUMN_REF' && Array.isArray(node.column_names)) for (const name of node.column_names) into.add(String(name).toLowerCase());
    for (const child of Object.values(node)) columnNames(child, into);
  }
  return into;
}

/**
 * The policy of `owner` for `principal`, compiled over its side output `table`. When the policy cannot be applied
 * soundly, the rows are hidden (QueryRefusedError with rule 'hidden'):
 * - a row filter or mask names a column of the owning asset that the side table lacks (the filter cannot
 *   narrow its rows: `origin` is not a column of a quarantine table);
 * - a mask applies and the side table has columns that are neither the owning asset's nor loader positions
 *   (`_raw_line` holds the row's raw text, masked values included);
 * - the compiled policy does not bind on the table.
 * `parse` returns the statement's parse tree (the reader's cached parser).
 * @example const relation = await sideOutputPolicy(session, policies, analyst, 'bronze/flights', { schema: 'bronze', name: 'flights_quarantine' }, parse);
 */
export async function sideOutputPolicy<P extends PolicyPrincipal>(
  session: WarehouseSession,
  policies: PolicySet,
  principal: P,
  owner: string,
  table: QualifiedName,
  parse: (sql: string) => Promise<unknown>,
): Promise<PolicyRelation> {
  const hidden = (why: string): QueryRefusedError =>
    new QueryRefusedError('hidden', `the rows of ${table.schema}.${table.name} are hidden from you: the policy of ${owner} applies to you and ${why}`);
  const sideColumns = await session.describe(table);
  if (!sideColumns)
    throw new QueryRefusedError('relation', `relation "${table.schema}.${table.name}" is not an asset you may read (list them with GET /api/assets)`);
  const columns = sideColumns.map((c) => c.name);
  const relation = policies.relation(principal, owner, { table, columns });
  const own = policies.relation(principal, owner);
  if (own.filters.length === 0 && own.masks.size === 0) return relation;
  const ownerColumns = new Set(((await session.describe(parseAssetKey(owner))) ?? []).map((c) => c.name.toLowerCase()));
  const present = new Set(columns.map((c) => c.toLowerCase()));
  const missing = [...columnNames(await parse(relation.sql), new Set())].filter((name) => ownerColumns.has(name) && !present.has(name));
  if (missing.length > 0) throw hidden(`it uses column(s) ${missing.join(', ')}, which this table does not have`);
  if (own.masks.size > 0) {
    const raw = columns.filter((c) => !ownerColumns.has(c.toLowerCase()) && !POSITION_COLUMNS.has(c.toLowerCase()));
    if (raw.length > 0) throw hidden(`masks values that column(s) ${raw.join(', ')} may hold unmasked`);
  }
  try {
    await session.query(`SELECT * FROM (${relation.sql}) AS __sluice_side LIMIT 0`, relation.params);
  } catch {
    throw hidden(`it cannot be applied to this table's columns`);
  }
  return relation;
}
