// POST /query: one SQL statement against the warehouse this server owns (what `sluice query` sends while `sluice dev` runs).
import { Hono } from 'hono';
import { z } from 'zod';
import type { QueryResponse } from '../api-types.js';
import { guard, jsonBody, type ApiDeps, type ApiEnv } from '../api-context.js';
import { HttpError } from '../api-errors.js';
import { toJsonRows } from '../json-values.js';

const QueryBody = z.object({ sql: z.string().trim().min(1, 'must not be empty').max(1_000_000) });

/**
 * Mounts POST /query. The SQL is the caller's by design (it is a SQL console); authorization decides who
 * may send it, and row policies will rewrite it here before it runs.
 * @example await fetch('/api/query', { method: 'POST', body: JSON.stringify({ sql: 'SELECT 42 AS answer' }) });
 */
export function queryRoutes({ sluice }: ApiDeps): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();

  routes.post('/query', async (c) => {
    guard(c, 'query:sql', { kind: 'warehouse' });
    const { sql } = await jsonBody(c, QueryBody, 'query');
    const session = await sluice.warehouse.session();
    try {
      const rows = await session.query(sql);
      return c.json<QueryResponse>(toJsonRows(rows));
    } catch (cause) {
      // A query error is the caller's SQL, not a server fault: 400 with the engine's message.
      throw new HttpError(400, 'SQL_ERROR', `query failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    } finally {
      session.close();
      // The SQL may have created, altered or dropped relations that column lineage reads.
      sluice.columnLineage.invalidate();
    }
  });

  return routes;
}
