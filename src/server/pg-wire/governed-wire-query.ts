// Wire-protocol queries through the governed read path: rows from its audited, capped run, column types from
// its plan (the same policy-applied SQL, described without reading a row).
import type { Principal } from '../../access/principal.js';
import type { Row } from '../../model/asset-definition.js';
import type { Warehouse } from '../../engine/warehouse.js';
import type { GovernedWireDescribe, GovernedWireQuery } from './sluice-wire-backend.js';

/** What the wire protocol uses of the governed reader (src/access/governed-query). */
export interface GovernedReaderPort {
  query(principal: Principal, sql: string, options: { purpose: 'pg-wire'; maxRows: number }): Promise<{ columns: string[]; rows: Row[]; truncated: boolean }>;
  plan(principal: Principal, sql: string): Promise<{ sql: string; params: unknown[] }>;
}

/** Rows one wire-protocol statement returns by default (BI extracts are bigger than API pages; still bounded). */
const WIRE_MAX_ROWS = 100_000;

/** Thrown for what the governed path cannot take from a wire client yet. */
class UnsupportedParametersError extends Error {
  readonly code = 'QUERY_REFUSED';
}

/**
 * The columns (names and DuckDB types) a statement returns to `principal`: planned by the governed reader
 * (parsed, guarded, policy-applied) and described by the engine, without reading a row.
 * @example const columns = await governedWireDescribe(reader, sluice.warehouse)(principal, 'SELECT * FROM gold.x');
 */
export function governedWireDescribe(reader: GovernedReaderPort, warehouse: Pick<Warehouse, 'session'>): GovernedWireDescribe {
  return async (principal, sql) => {
    const plan = await reader.plan(principal, sql);
    const session = await warehouse.session();
    try {
      const described = await session.query<{ column_name: string; column_type: string }>(`DESCRIBE ${plan.sql}`, plan.params);
      return described.map((d) => ({ name: d.column_name, type: d.column_type }));
    } finally {
      session.close();
    }
  };
}

/**
 * A GovernedWireQuery over the governed reader: the statement is described for its column types while the
 * reader runs it (capped, timed, audited).
 * @example const query = governedWireQuery(reader, sluice.warehouse); await query(principal, 'SELECT 1', []);
 */
export function governedWireQuery(reader: GovernedReaderPort, warehouse: Pick<Warehouse, 'session'>, maxRows = WIRE_MAX_ROWS): GovernedWireQuery {
  const describe = governedWireDescribe(reader, warehouse);
  return async (principal, sql, params) => {
    if (params.length > 0) {
      // The session writes a client's parameters into its statement (inlineParameters) before it gets here.
      throw new UnsupportedParametersError('the governed read path takes whole statements; inline the bind parameters first');
    }
    const [columns, result] = await Promise.all([describe(principal, sql), reader.query(principal, sql, { purpose: 'pg-wire', maxRows })]);
    return { columns, rows: result.rows.map((row) => columns.map((c) => row[c.name])), ...(result.truncated ? { truncatedAt: maxRows } : {}) };
  };
}
