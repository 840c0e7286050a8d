// Authenticates every API request, enforces CSRF for cookie sessions and appends the audit entry before answering.
import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { AuditLog } from '../../access/audit/audit-log.js';
import { AssetVisibility } from '../../access/grants/visibility.js';
import type { Authenticator, AuthOutcome } from '../../access/identity/authenticator.js';
import type { ApiEnv } from '../api-context.js';
import { CSRF_HEADER, readCookie, SESSION_COOKIE } from './cookies.js';
import { clientAddress, isAudited, queryText, rowsAnswered } from './request-audit.js';
import { narrowResponse } from './visibility-filter.js';

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The credentials of a request: the Authorization header wins over the session cookie; neither is a failure.
 * @example const outcome = await authenticateRequest(auth, c);
 */
export async function authenticateRequest(auth: Authenticator, c: Context<ApiEnv>): Promise<AuthOutcome> {
  const header = c.req.header('authorization');
  if (header !== undefined) return auth.authenticateHeader(header);
  const cookie = readCookie(c.req.header('cookie'), SESSION_COOKIE);
  if (cookie !== undefined) return auth.authenticateSession(cookie);
  return {
    ok: false,
    reason:
      'sign in first: send "Authorization: Bearer <token>" (the CLI sends $SLUICE_TOKEN; create one with `sluice tokens create --user NAME`) or sign in on the web UI',
  };
}

/** Whether the request echoes the session's CSRF token. */
export function hasCsrfToken(c: Context<ApiEnv>, expected: string): boolean {
  const given = Buffer.from(c.req.header(CSRF_HEADER) ?? '');
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** The `{error:{code,message}}` answer of a refused request, with no stack trace. */
export function refusal(c: Context<ApiEnv>, status: 401 | 403, code: string, message: string): Response {
  const headers: Record<string, string> = status === 401 ? { 'www-authenticate': 'Bearer realm="sluice"' } : {};
  return c.json({ error: { code, message } }, status, headers);
}

/**
 * The middleware `sluice serve` puts in front of every `/api` route: authenticates, checks CSRF, lets the route
 * authorize, narrows the answer to the assets the caller may read, and appends the audit entry before answering.
 * @example app.use('/api/*', accessMiddleware(authenticator, auditLog, () => graph.keys()));
 */
export function accessMiddleware(auth: Authenticator, audit: AuditLog, assetKeys: () => Iterable<string>): MiddlewareHandler<ApiEnv> {
  return async (c, next): Promise<Response | void> => {
    const resource = `${c.req.method} ${c.req.path}`;
    const client = clientAddress(c);
    const outcome = await authenticateRequest(auth, c);
    if (!outcome.ok) {
      await audit.record({ principal: null, action: 'auth:failed', resource, allowed: false, status: 401, client, detail: outcome.reason });
      return refusal(c, 401, 'UNAUTHENTICATED', outcome.reason);
    }
    if (outcome.session && !SAFE_METHODS.has(c.req.method) && !hasCsrfToken(c, outcome.session.csrfToken)) {
      const detail = `a signed-in browser must send the ${CSRF_HEADER} header (the value of the sluice_csrf cookie) with every change`;
      await audit.record({ principal: outcome.principal.id, action: 'auth:csrf', resource, allowed: false, status: 403, client, detail });
      return refusal(c, 403, 'CSRF_REQUIRED', detail);
    }
    c.set('principal', outcome.principal);
    await next();
    const view = AssetVisibility.of(outcome.principal, assetKeys());
    if (!view.everything) await narrowResponse(c, view);
    if (!isAudited(c)) return undefined;
    const status = c.res.status;
    await audit.record({
      principal: outcome.principal.id,
      action: c.get('action') ?? 'request',
      resource,
      query: await queryText(c),
      rows: await rowsAnswered(c),
      allowed: status !== 401 && status !== 403 && c.get('concealed') !== true,
      status,
      client,
      detail: status >= 400 ? await errorMessage(c) : null,
    });
    return undefined;
  };
}

async function errorMessage(c: Context<ApiEnv>): Promise<string | null> {
  try {
    const body = (await c.res.clone().json()) as { error?: { message?: unknown } };
    return typeof body.error?.message === 'string' ? body.error.message : null;
  } catch {
    return null;
  }
}
