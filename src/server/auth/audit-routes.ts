// GET /api/audit: the audit log, for admins (the UI's Audit page and `sluice audit` through a server).
import { Hono } from 'hono';
import { z } from 'zod';
import { sinceTime, type AuditLog } from '../../access/audit/audit-log.js';
import { HttpError } from '../api-errors.js';
import { guard, queryParams, type ApiEnv } from '../api-context.js';

const AuditQuery = z.object({
  user: z.string().max(200).optional(),
  since: z.string().max(40).optional(),
  denied: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(500),
});

/**
 * Mounts GET /audit?user=NAME&since=24h&denied=true&limit=500 (newest first).
 * @example app.route('/api', auditRoutes(auditLog));
 */
export function auditRoutes(audit: AuditLog): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();
  routes.get('/audit', async (c) => {
    guard(c, 'audit:read', { kind: 'project' });
    const query = queryParams(c, AuditQuery, 'audit');
    let since: string | undefined;
    try {
      since = query.since === undefined ? undefined : sinceTime(query.since);
    } catch (error) {
      throw new HttpError(400, 'INVALID_REQUEST', error instanceof Error ? error.message : String(error));
    }
    const entries = await audit.list({
      ...(query.user ? { principal: query.user } : {}),
      ...(since ? { since } : {}),
      deniedOnly: query.denied === 'true',
      limit: query.limit,
    });
    return c.json({ entries });
  });
  return routes;
}
