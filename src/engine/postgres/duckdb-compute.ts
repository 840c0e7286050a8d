// A TypeScript compute written in DuckDB SQL (reading files, ingesting with quarantine) that runs on either warehouse.
// Loaded by every project that uses it, so it imports nothing of pg: the PostgreSQL session brings the bridge itself.
import type { AssetContext, ComputeFunction, Row } from '../../model/asset-definition.js';

/** The key under which a warehouse session that is not DuckDB offers to run DuckDB computes in process. */
export const DUCKDB_BRIDGE = Symbol.for('sluice.duckDbBridge');

/** What a session behind `DUCKDB_BRIDGE` does: runs the compute on DuckDB and loads what it created into itself. */
export interface DuckDbBridge {
  runCompute(context: AssetContext, compute: ComputeFunction): Promise<Row[] | void>;
}

/**
 * Marks a compute as written for DuckDB. On the DuckDB warehouse it runs as it is. On PostgreSQL it runs on an
 * in-process DuckDB (same SQL, same file functions, same ingestion with quarantine), and every table it creates
 * (`ctx.target`, each `ctx.sideOutput(...)`) is then bulk-loaded into the step's PostgreSQL staging tables with COPY,
 * so the publish stays one atomic swap and rejected rows reach only the quarantine table (docs/production.md).
 * @example compute: duckDbCompute(async (ctx) => { await ingestCsv(ctx.sql, { files, columns, target: ctx.target, quarantine: ctx.sideOutput('x_quarantine') }); })
 */
export function duckDbCompute(compute: ComputeFunction): ComputeFunction {
  return (context) => {
    const bridge = (context.sql as unknown as Partial<Record<typeof DUCKDB_BRIDGE, DuckDbBridge>>)[DUCKDB_BRIDGE];
    return bridge ? bridge.runCompute(context, compute) : compute(context);
  };
}
