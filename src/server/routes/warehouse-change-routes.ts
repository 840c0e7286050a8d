// POST /warehouse/change: an admin changes the warehouse by hand (fix a row, add a scratch table), apart from the read-only query.
import { Hono } from 'hono';
import { z } from 'zod';
import { assertHandChangeAllowed } from '../../access/governed-query/warehouse-change.js';
import { guard, jsonBody, type ApiDeps, type ApiEnv } from '../api-context.js';
import { HttpError } from '../api-errors.js';

const ChangeBody = z.object({ sql: z.string().trim().min(1, 'must not be empty').max(100_000) });

/**
 * Mounts POST /warehouse/change: admins only (`warehouse:change`), recorded by the audit log of `sluice serve`
 * like every POST. Statements that would replace or drop a published asset outside a run, or reach the host,
 * are refused (403).
 * @example await fetch('/api/warehouse/change', { method: 'POST', body: JSON.stringify({ sql: "DELETE FROM clean.numbers WHERE n IS NULL" }) });
 */
export function warehouseChangeRoutes({ sluice }: ApiDeps): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();
  routes.post('/warehouse/change', async (c) => {
    guard(c, 'warehouse:change', { kind: 'warehouse' });
    const { sql } = await jsonBody(c, ChangeBody, 'warehouse change');
    assertHandChangeAllowed(sql, sluice.project.graph.keys());
    const session = await sluice.warehouse.session();
    try {
      await session.exec(sql);
    } catch (cause) {
      throw new HttpError(400, 'SQL_ERROR', `the change failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    } finally {
      session.close();
      // Columns may have changed under column lineage.
      sluice.columnLineage.invalidate();
    }
    return c.json({ ok: true });
  });
  return routes;
}
