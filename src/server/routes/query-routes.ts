// POST /query: one read-only SQL statement through the governed reader (what `sluice query` sends while `sluice dev` runs).
import { Hono } from 'hono';
import { z } from 'zod';
import type { QueryResponse } from '../api-types.js';
import { guard, jsonBody, type ApiDeps, type ApiEnv } from '../api-context.js';
import { governedHttpError, governedReads } from '../governed-reads.js';
import { toJsonRows } from '../json-values.js';

const QueryBody = z.object({ sql: z.string().trim().min(1, 'must not be empty').max(100_000) });

/**
 * Mounts POST /query. The SQL is the caller's (it is a SQL console), so it runs only through the governed
 * reader: one SELECT over assets the caller may read, each rewritten to its policy-applied form, capped
 * at 10,000 rows (`truncated: true` says there were more) and stopped after 30 s.
 * @example await fetch('/api/query', { method: 'POST', body: JSON.stringify({ sql: 'SELECT 42 AS answer' }) });
 */
export function queryRoutes({ sluice, readAudit }: ApiDeps): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();
  const reads = governedReads(sluice, readAudit);

  routes.post('/query', async (c) => {
    const { sql } = await jsonBody(c, QueryBody, 'query');
    // The tables the statement names, so a grant scoped to some assets can allow it; the reader checks each again.
    const tables = await sluice.warehouse.tableReferences(sql).catch(() => []);
    const principal = guard(c, 'query:sql', { kind: 'warehouse', ...(tables.length > 0 ? { assets: tables.map((t) => `${t.schema}/${t.name}`) } : {}) });
    try {
      // Side outputs (quarantined rows) are read under their owning asset's policy, as the quarantine page reads them.
      const result = await (await reads.reader()).query(principal, sql, { purpose: 'query', sideOutputs: await reads.sideOutputs() });
      return c.json<QueryResponse>({ ...toJsonRows(result.rows, result.columnTypes), ...(result.truncated ? { truncated: true } : {}) });
    } catch (error) {
      throw governedHttpError(error);
    }
  });

  return routes;
}
