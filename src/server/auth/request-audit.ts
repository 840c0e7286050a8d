// What the audit log records about one API request: the action, the query text, the rows answered, the client.
import type { Context } from 'hono';
import type { IncomingMessage } from 'node:http';
import type { Action } from '../../access/principal.js';
import type { ApiEnv } from '../api-context.js';

/** Actions that read data or change something: recorded even when allowed. */
const RECORDED: ReadonlySet<Action> = new Set(['asset:preview', 'query:sql', 'run:launch', 'run:cancel', 'run:reexecute', 'check:run', 'audit:read']);

/** Whether an answered request belongs in the audit log. */
export function isAudited(c: Context<ApiEnv>): boolean {
  const status = c.res.status;
  if (status === 401 || status === 403) return true;
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return true;
  const action = c.get('action');
  return action !== undefined && RECORDED.has(action);
}

/** The address of the client (absent when the app is called in-process, e.g. by tests). */
export function clientAddress(c: Context<ApiEnv>): string | null {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming?.socket.remoteAddress ?? null;
}

/** The SQL or selection of a JSON request body, if any (the body is cached by hono once a route read it). */
export async function queryText(c: Context<ApiEnv>): Promise<string | null> {
  if (c.req.method !== 'POST') return null;
  try {
    const body = JSON.parse(await c.req.text()) as Record<string, unknown>;
    const text = body['sql'] ?? body['select'];
    return typeof text === 'string' ? text : null;
  } catch {
    return null;
  }
}

/** How many rows a successful JSON answer carried (`rows: [...]`), for data reads. */
export async function rowsAnswered(c: Context<ApiEnv>): Promise<number | null> {
  const action = c.get('action');
  if (c.res.status !== 200 || (action !== 'asset:preview' && action !== 'query:sql')) return null;
  if (!(c.res.headers.get('content-type') ?? '').includes('application/json')) return null;
  try {
    const body = (await c.res.clone().json()) as { rows?: unknown };
    return Array.isArray(body.rows) ? body.rows.length : null;
  } catch {
    return null;
  }
}
