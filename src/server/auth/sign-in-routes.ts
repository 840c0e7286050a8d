// /auth: the web UI exchanges a token for a session cookie, asks who it is, and signs out.
import { Hono } from 'hono';
import { z } from 'zod';
import type { AuditLog } from '../../access/audit/audit-log.js';
import { MAX_AUTHORIZATION_BYTES, type Authenticator } from '../../access/identity/authenticator.js';
import type { Principal } from '../../access/principal.js';
import type { ApiEnv } from '../api-context.js';
import { authenticateRequest, hasCsrfToken, refusal } from './access-middleware.js';
import { CSRF_COOKIE, readCookie, SESSION_COOKIE, setCookie } from './cookies.js';
import { clientAddress } from './request-audit.js';

const SignIn = z.object({
  token: z
    .string()
    .min(1, 'paste a token')
    .max(MAX_AUTHORIZATION_BYTES, `tokens are at most ${MAX_AUTHORIZATION_BYTES / 1024} KB`),
});

/** What the UI learns about the signed-in user. */
function whoami(principal: Principal): { id: string; name: string; roles: readonly string[]; groups: readonly string[] } {
  return { id: principal.id, name: principal.name, roles: principal.roles, groups: principal.groups };
}

/**
 * Mounts POST /sign-in `{"token": "..."}`, GET /session and POST /sign-out (under /auth).
 * @example app.route('/auth', signInRoutes(authenticator, auditLog));
 */
export function signInRoutes(auth: Authenticator, audit: AuditLog): Hono<ApiEnv> {
  const routes = new Hono<ApiEnv>();

  routes.post('/sign-in', async (c) => {
    const client = clientAddress(c);
    // A JSON body cannot be posted cross-site without a CORS preflight, so no one signs a victim in to their account.
    if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json'))
      return c.json({ error: { code: 'INVALID_REQUEST', message: 'send {"token": "..."} as application/json' } }, 400);
    // A token is at most 16 KB; a bigger body is refused before it is read.
    if (Number(c.req.header('content-length') ?? 0) > 2 * MAX_AUTHORIZATION_BYTES)
      return c.json(
        { error: { code: 'PAYLOAD_TOO_LARGE', message: `send {"token": "..."} with a token of at most ${MAX_AUTHORIZATION_BYTES / 1024} KB` } },
        413,
      );
    let parsed;
    try {
      parsed = SignIn.safeParse(JSON.parse(await c.req.text()));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success)
      return c.json(
        { error: { code: 'INVALID_REQUEST', message: `send {"token": "..."}: ${parsed?.error.issues[0]?.message ?? 'the body is not JSON'}` } },
        400,
      );
    const session = await auth.openSession(parsed.data.token);
    if ('ok' in session) {
      await audit.record({
        principal: null,
        action: 'auth:sign-in',
        resource: 'POST /auth/sign-in',
        allowed: false,
        status: 401,
        client,
        detail: session.reason,
      });
      return refusal(c, 401, 'UNAUTHENTICATED', session.reason);
    }
    await audit.record({ principal: session.principal.id, action: 'auth:sign-in', resource: 'POST /auth/sign-in', allowed: true, status: 200, client });
    const secure = new URL(c.req.url).protocol === 'https:';
    const maxAge = Math.floor((Date.parse(session.expiresAt) - Date.now()) / 1000);
    c.header('set-cookie', setCookie(SESSION_COOKIE, session.cookieValue, { httpOnly: true, maxAge, secure }), { append: true });
    c.header('set-cookie', setCookie(CSRF_COOKIE, session.csrfToken, { httpOnly: false, maxAge, secure }), { append: true });
    return c.json({ user: whoami(session.principal), csrfToken: session.csrfToken, expiresAt: session.expiresAt });
  });

  routes.get('/session', async (c) => {
    const outcome = await authenticateRequest(auth, c);
    if (!outcome.ok) return refusal(c, 401, 'UNAUTHENTICATED', outcome.reason);
    return c.json({ user: whoami(outcome.principal), method: outcome.method });
  });

  routes.post('/sign-out', async (c) => {
    const cookie = readCookie(c.req.header('cookie'), SESSION_COOKIE);
    const outcome = cookie === undefined ? undefined : await auth.authenticateSession(cookie);
    if (outcome?.ok && outcome.session && !hasCsrfToken(c, outcome.session.csrfToken))
      return refusal(c, 403, 'CSRF_REQUIRED', 'send the x-csrf-token header (the value of the sluice_csrf cookie) to sign out');
    if (cookie !== undefined) await auth.closeSession(cookie);
    if (outcome?.ok)
      await audit.record({
        principal: outcome.principal.id,
        action: 'auth:sign-out',
        resource: 'POST /auth/sign-out',
        allowed: true,
        status: 200,
        client: clientAddress(c),
      });
    const secure = new URL(c.req.url).protocol === 'https:';
    c.header('set-cookie', setCookie(SESSION_COOKIE, '', { httpOnly: true, maxAge: 0, secure }), { append: true });
    c.header('set-cookie', setCookie(CSRF_COOKIE, '', { httpOnly: false, maxAge: 0, secure }), { append: true });
    return c.json({ signedOut: true });
  });

  return routes;
}
