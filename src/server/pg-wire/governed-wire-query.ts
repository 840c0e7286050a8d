// Wire-protocol queries through the governed read path: rows from its audited, capped run, column types from
// its plan (the same policy-applied SQL, described without reading a row).
import type { Principal } from '../../access/principal.js';
import type { Row } from '../../model/asset-definition.js';
import type { Warehouse } from '../../engine/warehouse.js';
import type { GovernedWireQuery } from './sluice-wire-backend.js';

/** What the wire protocol uses of the governed reader (src/access/governed-query). */
export interface GovernedReaderPort {
  query(principal: Principal, sql: string, options: { purpose: 'pg-wire'; maxRows: number }): Promise<{ columns: string[]; rows: Row[]; truncated: boolean }>;
  plan(principal: Principal, sql: string): Promise<{ sql: string; params: unknown[] }>;
}

/** Rows one wire-protocol statement returns by default (BI extracts are bigger than API pages; still bounded). */
export const WIRE_MAX_ROWS = 100_000;

/** Thrown for what the governed path cannot take from a wire client yet. */
class UnsupportedParametersError extends Error {
  readonly code = 'QUERY_REFUSED';
}

/**
 * A GovernedWireQuery over the governed reader: the principal's statement is planned (parsed, guarded,
 * policy-applied), described for its column types, then run by the reader, which audits it.
 * @example const query = governedWireQuery(reader, sluice.warehouse); await query(principal, 'SELECT 1', []);
 */
export function governedWireQuery(reader: GovernedReaderPort, warehouse: Pick<Warehouse, 'session'>, maxRows = WIRE_MAX_ROWS): GovernedWireQuery {
  return async (principal, sql, params) => {
    if (params.length > 0) {
      // The session writes a client's parameters into its statement (inlineParameters) before it gets here.
      throw new UnsupportedParametersError('the governed read path takes whole statements; inline the bind parameters first');
    }
    const plan = await reader.plan(principal, sql);
    const session = await warehouse.session();
    let described: { column_name: string; column_type: string }[];
    try {
      described = await session.query(`DESCRIBE ${plan.sql}`, plan.params);
    } finally {
      session.close();
    }
    const result = await reader.query(principal, sql, { purpose: 'pg-wire', maxRows });
    const columns = described.map((d) => ({ name: d.column_name, type: d.column_type }));
    return { columns, rows: result.rows.map((row) => columns.map((c) => row[c.name])), ...(result.truncated ? { truncatedAt: maxRows } : {}) };
  };
}
